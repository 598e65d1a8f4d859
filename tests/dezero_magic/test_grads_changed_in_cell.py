"""Leaf grads the cell changed after its last backward (clipping by hand, an optimizer hook
such as WeightDecay): the Gradients check leaves them out instead of FAILing a correct
backward, and a caption note says the Graph tab draws them as they are now (QA Q3-F3)."""
import html
import re

from dezero_magic.widgets.gradients_tab import gradients_view
from test_numgrad import BUGGY_CUBE
from widget_html import run_traced, text_of

SETUP = ("from dezero.models import MLP\nfrom dezero import optimizers\nnp.random.seed(0)\n"
         "model = MLP((3, 1)); x = np.random.rand(4, 2)\n")
CLIPPED = (SETUP + "y = model(x); loss = F.sum(y)\nmodel.cleargrads(); loss.backward()\n"
           "for p in model.params():\n    p.grad.data = np.clip(p.grad.data, -0.1, 0.1)\n")
NOTE = "after its last backward made"


def _table(trace):
    return text_of(gradients_view(trace).table.value)


def _result(text, label):
    """The result column of `label`'s row: from pass / FAIL / not checked to the next row."""
    match = re.search(rf"\s{re.escape(label)}\s.*?\s(pass|FAIL|not checked: .*?)(?=\s{{3}}|$)", text)
    assert match, text
    return match.group(1)


def test_clipped_grads_are_not_checked_and_the_cell_is_named(shell):
    trace = run_traced(shell, CLIPPED)
    text = _table(trace)
    assert "FAIL" not in text and "backward is wrong" not in text and "step 14" not in text, text
    assert _result(text, "model.l1.b") == ("not checked: the cell changed model.l1.b's grad after the backward "
                                           "made it ([4] then; [0.1] now)")
    assert _result(text, "x").startswith("pass")     # (its grad was left as backward made it)
    assert "The 1 checked leaf grad passes. 4 not checked" in text


def test_clipped_grads_are_told_in_the_caption_text_and_svg(shell):
    trace = run_traced(shell, CLIPPED)
    note = [n for n in trace.graph.notes if NOTE in n]
    assert note == ["The cell changed the grads of model.l0.W, model.l0.b, model.l1.W and 1 more after its last "
                    "backward made them (clipping, or an optimizer hook such as WeightDecay): the graph shows "
                    "them as they are now, the Backward tab what backward made."]
    assert note[0] in trace.text() and html.escape(note[0]) in trace.html()   # (the notes under the caption)
    assert trace.graph.variables[_vid(trace, "model.l1.b")].grad == "[0.1]"   # drawn as it is now
    assert trace.graph.variables[_vid(trace, "model.l1.b")].grad_made == "[4]"
    assert not trace.graph.variables[_vid(trace, "x")].grad_made


def _vid(trace, label):
    return next(v.id for v in trace.graph.variables.values() if v.label == label)


def test_weight_decay_hook_with_update_is_told(shell):
    trace = run_traced(shell, SETUP + "optimizer = optimizers.SGD(0.1).setup(model)\n"
                                      "optimizer.add_hook(optimizers.WeightDecay(0.5))\n"
                                      "loss = F.sum(model(x)); model.cleargrads(); loss.backward()\n"
                                      "optimizer.update()\n")
    # (the biases start at 0: decay adds nothing to their grads)
    said = ("The cell changed the grads of model.l0.W and model.l1.W after its last backward made them "
            "(clipping, or an optimizer hook such as WeightDecay)")
    assert said in trace.text() and html.escape(said) in trace.html()
    assert trace.graph.variables[_vid(trace, "model.l1.W")].grad.startswith("(3, 1) [2.783")
    assert trace.graph.variables[_vid(trace, "model.l1.W")].grad_made.startswith("(3, 1) [2.655")


def test_weight_decay_hook_alone_is_not_failed(shell):
    text = _table(run_traced(shell, SETUP + "loss = F.sum(model(x)); model.cleargrads(); loss.backward()\n"
                                            "optimizers.WeightDecay(0.5)(model.params())\n"))
    assert "FAIL" not in text, text
    assert _result(text, "model.l1.W").startswith("not checked: the cell changed model.l1.W's grad after the "
                                                  "backward made it ((3, 1) [2.655")
    assert _result(text, "model.l1.b").startswith("pass")


def test_a_change_past_what_is_shown_is_said_so(shell):
    text = _table(run_traced(shell, 'x = Variable(np.ones(10), name="x")\ny = F.sum(x * x)\ny.backward()\n'
                                    "x.grad.data[9] = 5.0\n"))
    assert _result(text, "x") == ("not checked: the cell changed x's grad after the backward made it "
                                  "((10,) [2 2 2 2 …]; it changed past the digits shown)")
    # a change within them: both told
    text = _table(run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()\n'
                                    "x.grad.data = x.grad.data + 1e-9\n"))
    assert _result(text, "x") == ("not checked: the cell changed x's grad after the backward made it "
                                  "(12 then; 12.00 now)")


def test_grads_left_as_backward_made_them_still_pass_without_a_note(shell):
    trace = run_traced(shell, SETUP + "y = model(x); loss = F.sum(y)\nmodel.cleargrads(); loss.backward()\n")
    text = _table(trace)
    assert "All 5 checked leaf grads pass." in text and "not checked" not in text, text
    assert not any(NOTE in n for n in trace.graph.notes) and NOTE not in trace.html()
    assert not any(v.grad_made for v in trace.graph.variables.values())


def test_dezero_grad_after_backward_is_no_change_of_the_grad(shell):
    # the last pass is dezero.grad()'s, which leaves x.grad alone: its 4 is not what x.grad (12) should hold
    trace = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()\n'
                              "z = x ** 2\ngz = dezero.grad(z, x)\n")
    assert not any(NOTE in n for n in trace.graph.notes), trace.graph.notes
    assert not trace.graph.variables[_vid(trace, "x")].grad_made


def test_the_note_is_escaped_where_it_is_drawn(shell):
    trace = run_traced(shell, 'w = Variable(np.array(2.0), name="<w>")\ny = w ** 3\ny.backward()\n'
                              "w.grad.data = np.clip(w.grad.data, -1, 1)\n")
    assert "The cell changed <w>'s grad after its last backward made it" in trace.text()
    page = trace.html()
    assert "The cell changed &lt;w&gt;&#x27;s grad after" in page and "<w>" not in page
    svg = trace._static_bundle()["image/svg+xml"]     # (the SVG alone carries the notes too)
    assert "The cell changed &lt;w&gt;" in svg and "<w>" not in svg


def test_own_classes_do_not_wait_for_a_run_to_say_so(shell):
    # the check re-runs the user's classes only when asked: a changed grad is told without it
    view = gradients_view(run_traced(shell, BUGGY_CUBE + "x.grad.data = np.clip(x.grad.data, -1, 1)\n"))
    text = text_of(view.table.value)
    assert view.run is None and "FAIL" not in text, text
    assert _result(text, "x") == "not checked: the cell changed x's grad after the backward made it (4 then; 1 now)"


def test_a_pass_beyond_the_steps_recorded_says_nothing(shell):
    # w's grad grows on in the steps past the tracer's cap: its last recorded total is not what backward left
    trace = run_traced(shell, 'w = Variable(np.array(1.0), name="w")\ny = Variable(np.array(1.0))\n'
                              "for i in range(1300):\n    y = y * w\ny.backward()\n")
    assert trace.graph.unrecorded_steps > 0
    assert not any(NOTE in n for n in trace.graph.notes), trace.graph.notes
    assert not trace.graph.variables[_vid(trace, "w")].grad_made


def test_a_backward_that_raised_mid_step_is_no_change_by_the_cell(shell):
    # Review R2-F6: dezero wrote x's grad, then refused w's wrong-shaped grad; the step was never
    # heard, so x's recorded total was the earlier one: "the cell changed x's grad" was said.
    shell.run_cell("class Bad(dezero.Function):\n    def forward(self, a, b):\n        return a * b\n"
                   "    def backward(self, gy):\n        a, b = self.inputs\n"
                   "        return gy * b, Variable(np.ones((5, 7)))\n")
    result = shell.run_cell("%%dezero -o _t\nx = Variable(np.array(3.0), name='x')\n"
                            "w = Variable(np.array(2.0), name='w')\ny = Bad()(x, w) + x * 1.0\ny.backward()\n")
    assert not result.success
    trace = shell.user_ns["_t"]
    assert not any("changed" in note and "grad after" in note for note in trace.graph.notes), trace.graph.notes
    assert not any(v.grad_made for v in trace.graph.variables.values())
