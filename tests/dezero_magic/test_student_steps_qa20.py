"""QA session 20 (a student's own classes): the stepper shows what the
student's loop stored, not grads it never stored (step 12's `gxs = (gx,)`
typo passing a stale gx on), and starts a grad left from an earlier backward
from there; a Function.__call__ that returned None is told; the Backward
tab says nothing of -b where none was given."""
import html
import re

from dezero_magic.running_grads import running_grads
from dezero_magic.widgets.backward_tab import backward_view
from student_code import STEP14, STEP17
from test_students import run
from test_students_pass_notes import changed, run_failing

STEP16 = STEP17.replace("class Variable:", "GENERATIONS = True\nclass Variable:")
# Step 12's typo: it raises only where no `gx` was bound yet (the first popped function returns one grad)
STALE = changed(STEP16, "                gxs = (gxs,)\n", "                gxs = (gx,)\n")
EXP = """
class Exp(Function):
    def forward(self, x):
        return np.exp(x)
    def backward(self, gy):
        return np.exp(self.inputs[0].data) * gy

def exp(x):
    return Exp()(x)
"""
TWO_SQUARES = "x = Variable(np.array(2.0))\ny = Variable(np.array(3.0))\nz = add(square(x), square(y))\nz.backward()"


def step_texts(trace):
    view = backward_view(trace)
    texts = []
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        texts.append(re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", view.info.value))).strip())
    return view, texts


def svg_texts(svg):
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]


def label_id(trace, label):
    return next(v.id for v in trace.graph.variables.values() if v.label == label)


def test_a_stale_gx_passed_on_is_shown_as_stored_and_told(shell, displayed):
    # x.grad and y.grad are 1 (the gx Add's loop left); the stepper said "grad out to y: 6",
    # "grad out to x: 4" and drew 4 and 6 on them, against the Graph tab and print(x.grad), and no note.
    shell.run_cell(STALE)
    trace = run(shell, displayed, TWO_SQUARES)
    assert float(shell.user_ns["x"].grad) == 1.0 and float(shell.user_ns["y"].grad) == 1.0
    [note] = trace.graph.notes
    assert note.startswith("Your Variable.backward stored other grads than the backwards returned: "
                           "Square.backward returned 6 for y, but y.grad is 1; Square.backward returned 4 for x, "
                           "but x.grad is 1.")
    assert "`gxs = (gx,)` passes on the gx of an earlier step?" in note
    steps = trace.graph.steps
    grads, _ = running_grads(steps, len(steps))
    assert grads[label_id(trace, "x")] == "1" and grads[label_id(trace, "y")] == "1"
    view, texts = step_texts(trace)
    assert "grad out to y: 6 — but your Variable.backward stored 1 in y.grad, not the 6" in texts[1]
    assert "grad out to x: 4 — but your Variable.backward stored 1 in x.grad, not the 4" in texts[2]
    drawn = svg_texts(view.figure.value)
    assert "grad 4" not in drawn and "grad 6" not in drawn
    assert drawn[drawn.index("x") + 2] == "grad 1" and drawn[drawn.index("y") + 2] == "grad 1"


def test_a_stale_gx_down_a_chain_is_shown_as_stored(shell, displayed):
    shell.run_cell(STALE + EXP)
    trace = run(shell, displayed, "x = Variable(np.array(0.5))\nz = add(square(exp(x)), square(x))\nz.backward()")
    # x is used twice: its sum is told as such; what the chain stored, as stored
    [note] = [n for n in trace.graph.notes if n.startswith("Your Variable.backward stored other grads")]
    assert "Square.backward returned 3.297 for v1, but v1.grad is 1" in note and "`gxs = (gx,)`" in note
    assert "x received 2 grads (1.649, 1) but x.grad is 2, not their sum 2.649." in trace.graph.notes
    grads, _ = running_grads(trace.graph.steps, len(trace.graph.steps))
    assert grads[label_id(trace, "x")] == "2" and grads[label_id(trace, "z")] == "1"
    _, texts = step_texts(trace)
    assert "x.grad ends as 2, not the sum of the grads the backwards returned" in texts[-1]


def test_right_code_gets_no_stored_note_and_its_own_grads(shell, displayed):
    shell.run_cell(STEP16 + EXP)
    trace = run(shell, displayed, TWO_SQUARES + "\nw = Variable(np.array(0.5))\nv = add(square(exp(w)), w)\n"
                                                "v.backward()")
    assert trace.graph.notes == []
    assert not any(s.totals for s in trace.graph.steps)
    _, texts = step_texts(trace)
    assert not any("stored" in t for t in texts)


def test_a_grad_left_from_an_earlier_backward_is_summed_as_stored(shell, displayed):
    # The stepper said "together 1 + 1" where x.grad is 4 (2 left from the first backward)
    shell.run_cell(STEP16)
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\n"
                                  "y = add(x, x)\ny.backward()")
    assert float(shell.user_ns["x"].grad) == 4.0
    view, [text] = step_texts(trace)
    assert "together 2 (left from before) + 1 + 1 = 4" in text
    assert "grad 2 + 1 + 1" in svg_texts(view.figure.value)


def test_one_grad_added_to_a_leftover_shows_the_sum(shell, displayed):
    shell.run_cell(STEP16)
    shell.run_cell("x = Variable(np.array(3.0))\ny = square(x)\ny.backward()")
    trace = run(shell, displayed, "y = square(x)\ny.backward()")
    _, [text] = step_texts(trace)
    assert "together 6 (left from before) + 6 = 12" in text


def test_a_grad_the_cell_changed_after_backward_is_not_told_as_stored(shell, displayed):
    # (review: `x.grad = x.grad / 2` after a right backward read as "your Variable.backward stored 3")
    shell.run_cell(STEP16)
    for after in ("x.grad = x.grad / 2", "x.grad = np.clip(x.grad, -1, 1)", "x.grad *= 0.5"):
        trace = run(shell, displayed, f"x = Variable(np.array(3.0))\ny = square(x)\ny.backward()\n{after}")
        assert not [n for n in trace.graph.notes if "stored other grads" in n], (after, trace.graph.notes)
        _, texts = step_texts(trace)
        assert not any("stored" in t for t in texts)


BACKPROP_IF = changed(STEP16, "        return outputs if len(outputs) > 1 else outputs[0]\n",
                      "        if Config.enable_backprop:\n"
                      "            return outputs if len(outputs) > 1 else outputs[0]\n") + """
import contextlib

class Config:
    enable_backprop = True

@contextlib.contextmanager
def no_grad():
    Config.enable_backprop = False
    try:
        yield
    finally:
        Config.enable_backprop = True
"""


def test_a_call_that_returned_none_under_no_grad_is_told(shell, displayed):
    # The graph said "0 functions, 1 variable" and nothing else
    shell.run_cell(BACKPROP_IF)
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\nwith no_grad():\n    y = square(x)")
    assert shell.user_ns["y"] is None
    [note] = trace.graph.notes
    assert note.startswith("y is None: your Function.__call__ returned None. Its `return` is inside "
                           "`if Config.enable_backprop:`, so when that is false (under no_grad(), book step 18)")


def test_a_call_without_return_is_told(shell, displayed):
    shell.run_cell(changed(STEP16, "        return outputs if len(outputs) > 1 else outputs[0]\n", ""))
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\ny.backward()")
    assert any(n.startswith("y is None: your Function.__call__ returned None. It has no `return`")
               for n in trace.graph.notes), trace.graph.notes


def test_a_freed_grad_read_into_a_name_is_not_blamed_on_the_call(shell, displayed):
    # (review: `g = y.grad` is None where backward freed it, with backprop on; the call returned y;
    # a leaf's creator alike)
    shell.run_cell(BACKPROP_IF)
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = square(x)\ny.backward()\ng = x.creator")
    assert shell.user_ns["g"] is None and shell.user_ns["y"] is not None
    assert not [n for n in trace.graph.notes if "__call__" in n], trace.graph.notes


def test_a_none_with_a_right_call_gets_no_call_note(shell, displayed):
    shell.run_cell(STEP16)
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\nw = None")
    assert not [n for n in trace.graph.notes if "__call__" in n]


def test_a_cell_that_raised_without_b_is_told_nothing_of_b(shell, displayed):
    shell.run_cell(STEP16)
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\nraise ValueError('stop')")
    message = backward_view(trace).message.value
    assert "No backward step was recorded before the cell raised its error" in message
    assert "-b" not in message


def _gradients_text(trace):
    """The Gradients tab's text, its check of the student's code run (as the button does)."""
    import dezero_magic.widgets as dzw
    from dezero_magic.widgets import lifecycle
    from widget_html import text_of

    view = dzw.view_for(trace)
    page = view.views["Gradients"]
    if page.run is not None:
        page.run.click()
    text = " ".join(text_of(page.table.value).split())
    lifecycle.close_view(view)
    return text


def test_the_gradients_verdict_points_at_what_the_loop_stored_not_at_steps_14_and_16(shell, displayed):
    # (session 21) Each backward is right alone; the FAIL is the stale gx the loop stored.
    shell.run_cell(STALE)
    trace = run(shell, displayed, TWO_SQUARES)
    assert trace.graph.stored_otherwise
    text = _gradients_text(trace)
    assert "2 of 2 checked leaf grads FAIL the check: a backward is wrong, or your Variable.backward stored " \
           "other grads than they returned" in text, text
    assert "so the FAIL comes from what your Variable.backward stored" in text
    assert "book step 14" not in text and "book step 16" not in text


def test_a_graph_whose_loop_stored_what_it_got_keeps_the_step_14_verdict(shell, displayed):
    # (review R21-9) A student's loop that stores each grad a backward returned, but overwrites
    # it (book step 14's bug, ACCUMULATE False): every backward is right alone and the FAIL comes
    # from how the grads were put together -- not from what the loop stored.
    from dezero_magic.widgets.gradients_tab import ALL_OK, STORED_OK

    shell.run_cell(STEP14 + "\nACCUMULATE = False\n")
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()")
    assert trace.own_classes and shell.user_ns["x"].grad == 1  # (overwritten: 2 is right)
    assert not trace.graph.stored_otherwise
    text = _gradients_text(trace)
    assert "The 1 checked leaf grad FAILS the check: a backward is wrong (or grads were added up twice)" in text
    assert "Add.backward — ok" in text, text
    assert " ".join(ALL_OK.split()) in text
    assert "so the FAIL comes from what your Variable.backward stored" not in text
    assert " ".join(STORED_OK.split()) not in text


def test_an_error_on_a_none_a_call_returned_is_linked_to_the_call(shell, displayed):
    # QA S22-5: under no_grad the product was None and `None + ...` raised; no name held the None,
    # so nothing linked the error to the `return` inside `if Config.enable_backprop:`
    shell.run_cell(BACKPROP_IF)
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\nwith no_grad():\n"
                                          "    y = add(square(x), square(x))")
    note = next(n for n in trace.graph.notes if n.startswith("The cell raised on None ("))
    assert "'NoneType' object has no attribute 'data'" in note, note
    assert "Its `return` is inside `if Config.enable_backprop:`" in note, note


def test_an_error_on_none_with_a_call_that_always_returns_is_not_blamed_on_it(shell, displayed):
    shell.run_cell(STEP16)
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\nz = None + 1")
    assert not any("returned None" in n or "raised on None" in n for n in trace.graph.notes), trace.graph.notes


def test_a_freed_grad_read_with_backprop_on_is_not_blamed_on_the_return(shell, displayed):
    # (review V23-1: step 18's a.grad, freed by retain_grad=False, raises on None too, as does a grad
    # read before backward; every call had returned a Variable, and the note told the student to move
    # their `return`)
    shell.run_cell(BACKPROP_IF)
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\n"
                                          "print(x.grad.data)  # (None: no backward ran yet)")
    assert not any("raised on None" in n for n in trace.graph.notes), trace.graph.notes


def test_an_error_on_none_under_the_no_grad_flag_is_linked_to_the_call(shell, displayed):
    # (QA S22-5 as it was found: --no-grad, no no_grad() in the cell)
    shell.run_cell(BACKPROP_IF)
    result = shell.run_cell("%%dezero --no-grad\nx = Variable(np.array(2.0))\ny = add(square(x), square(x))")
    assert result.error_in_exec is not None
    trace = displayed[-1]
    assert any(n.startswith("The cell raised on None (") for n in trace.graph.notes), trace.graph.notes


def test_an_error_on_none_with_backprop_left_off_by_an_earlier_cell_is_linked_to_the_call(shell, displayed):
    # (review W23-4: no_grad/--no-grad not in this cell, but the student's Config was switched off earlier)
    shell.run_cell(BACKPROP_IF)
    shell.run_cell("Config.enable_backprop = False")
    try:
        trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = add(square(x), square(x))")
    finally:
        shell.run_cell("Config.enable_backprop = True")
    assert any(n.startswith("The cell raised on None (") for n in trace.graph.notes), trace.graph.notes
