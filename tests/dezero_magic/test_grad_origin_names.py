"""Book step 33's slip (a grad differentiated without create_graph=True) is told in the cell's own
names: the tracer knows which variable's grad it is and which backward left it, and the graph now
carries that (`Graph.from_grad`, a GradOrigin). The Backward tab, the Gradients reason and the Memory
tab's no_grad panel said "most likely a grad ... (as gx = x.grad is)" and "y.backward(create_graph=True)"
to a cell that had neither gx, x nor y."""
import pickle
import types

import dezero_magic.widgets as dzw
from dezero_magic.widgets import lifecycle
from dezero_magic.graph import GradOrigin, Graph, reads_as_code
from dezero_magic.memory import MODE_LABELS, NO_GRAD, no_grad_stops
from dezero_magic.numgrad_reasons import grad_output
from dezero_magic.widgets.no_step_text import last_pass_ran_no_step
from widget_html import run_traced, text_of

SLIP = "w = Variable(np.array(2.0))\nloss = w ** 4\nloss.backward()\ng = w.grad\nw.cleargrad()\ng.backward()\n"
GUESSES = ("most likely", "as gx = x.grad", "gx", "y.backward")


def _words(fragment):
    return " ".join(text_of(fragment).split())


def _three_texts(trace):
    """What the Backward tab, the Gradients tab and the Memory tab's no_grad panel say, as opened."""
    view = dzw.view_for(trace)
    try:
        back = _words(view.views["Backward"].message.value)
        grads = _words(view.views["Gradients"].table.value)
        memory = view.views["Memory"]
        memory.modes.value = MODE_LABELS[NO_GRAD]
        return back, grads, _words(memory.figures.value)
    finally:
        lifecycle.close_view(view)


def test_the_three_tabs_say_the_cells_own_names(shell):
    trace = run_traced(shell, SLIP)
    assert trace.graph.from_grad == GradOrigin("g", "w", "loss")
    back, grads, memory = _three_texts(trace)
    assert back.startswith("The last backward, g.backward(), ran no step: g has no creator. g is w.grad, left by "
                           "an earlier loss.backward() without create_graph=True"), back
    assert "(1 earlier backward step)" in back and "call loss.backward(create_graph=True) (steps 33-36)" in back
    assert "g is w.grad, left by an earlier loss.backward() without create_graph=True" in grads
    assert "call loss.backward(create_graph=True)" in grads
    assert ("so loss.backward() reaches no variable and leaves no grad, and g, which is w.grad, is None: "
            "g.backward() raises") in memory
    for text in (back, grads, memory):
        assert not any(guess in text for guess in GUESSES), text


def test_a_grad_without_a_name_of_its_own_is_called_what_the_cell_wrote(shell):
    # x.grad.backward(): the grad is no name's; "its output, its output" was said
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 4\ny.backward()\nx.grad.backward()\n")
    assert trace.graph.from_grad == GradOrigin("", "x", "y")
    back, grads, memory = _three_texts(trace)
    assert back.startswith("The last backward, x.grad.backward(), ran no step: x.grad has no creator. x.grad was "
                           "left by an earlier y.backward()"), back
    assert "the output, x.grad, has no creator" in grads
    assert "and x.grad is None: x.grad.backward() raises" in memory
    [note] = [n for n in trace.graph.notes if n.startswith("The last backward pass")]
    assert " It is x.grad from an earlier backward" in note and "its output is" not in note


def test_an_earlier_backward_without_a_name_is_not_called_y(shell):
    trace = run_traced(shell, "w = Variable(np.array(2.0))\n(w ** 4).backward()\ng = w.grad\nw.cleargrad()\n"
                              "g.backward()\n")
    assert trace.graph.from_grad == GradOrigin("g", "w", "")
    back, grads, memory = _three_texts(trace)
    assert "g is w.grad, left by an earlier backward without create_graph=True" in back
    assert "make it with create_graph=True in the earlier backward" in back and "y.backward" not in back
    assert "make it with create_graph=True in the earlier backward" in grads and "y.backward" not in grads
    assert "the backward before the last one reaches no variable" in memory and "y.backward" not in memory
    [note] = [n for n in trace.graph.notes if n.startswith("The last backward pass")]
    assert "y.backward" not in note and "in the earlier backward" in note


def test_a_name_that_is_no_code_is_not_written_as_a_call(shell):
    # held in a list only: no name of the cell's code holds w or loss, their .name is no code
    trace = run_traced(shell, "ws = [Variable(np.array(2.0), name='my w')]\nls = [ws[0] ** 4]\n"
                              "ls[0].name = 'the loss'\nls[0].backward()\ng = ws[0].grad\nws[0].cleargrad()\n"
                              "g.backward()\n")
    assert trace.graph.from_grad == GradOrigin("g", "'my w'", "'the loss'")
    back, grads, memory = _three_texts(trace)
    for text in (back, grads, memory, trace.text()):
        assert "the loss.backward" not in text and "my w.grad" not in text, text
    assert "g is the grad of 'my w', left by an earlier backward from 'the loss' without create_graph=True" in back
    assert "make it with create_graph=True in the earlier backward" in grads
    assert "g, which is the grad of 'my w', is None: g.backward() raises" in memory


def test_a_variables_own_name_is_not_written_as_code(shell):
    # Review R1-F5: name='weight' and loss.name = 'L' were told "g is weight.grad ... L.backward()"
    trace = run_traced(shell, "w = Variable(np.array(2.0), name='weight')\nloss = w ** 4\nloss.name = 'L'\n"
                              "loss.backward()\ng = w.grad\nw.cleargrad()\ng.backward()\n")
    assert trace.graph.from_grad == GradOrigin("g", "w", "loss")
    back, grads, memory = _three_texts(trace)
    for text in (back, grads, memory):
        assert "weight.grad" not in text and "L.backward" not in text, text
    assert "g is w.grad, left by an earlier loss.backward() without create_graph=True" in back, back
    trace = run_traced(shell, "ws = [Variable(np.array(2.0), name='weight')]\nls = [ws[0] ** 4]\n"
                              "ls[0].backward()\ng = ws[0].grad\nws[0].cleargrad()\ng.backward()\n")
    assert trace.graph.from_grad.of == "'weight'"
    assert "g is the grad of 'weight'" in _three_texts(trace)[0]


def test_the_record_words_what_is_unknown_without_example_names():
    assert reads_as_code("xs[0]") and reads_as_code("model.l1.W") and reads_as_code("x.grad")
    assert not reads_as_code("unnamed (v3)") and not reads_as_code("") and not reads_as_code("my loss")
    assert GradOrigin("", "", "").left_by() == "It is a grad left by an earlier backward without create_graph=True"
    assert GradOrigin("g").left_by() == "g is a grad left by an earlier backward without create_graph=True"
    assert GradOrigin("", "my w").left_by().startswith("The grad of my w was left by")
    stops = no_grad_stops(Graph(), None, GradOrigin("unnamed (v3)"))
    assert "unnamed (v3).backward()" not in stops and "the last backward raises" in stops


def test_the_record_travels_with_a_pickled_trace_and_an_old_label_still_reads(shell):
    trace = run_traced(shell, SLIP)
    again = pickle.loads(pickle.dumps(trace))   # %store
    assert again.graph.from_grad == GradOrigin("g", "w", "loss")
    assert "g is w.grad, left by an earlier loss.backward()" in last_pass_ran_no_step(again)
    # a Trace pickled before the record held the grad's label only
    again.graph.from_grad = "g"
    assert grad_output(again) == GradOrigin("g")
    said = last_pass_ran_no_step(again)
    assert said.startswith("The last backward, g.backward(), ran no step") and "most likely" not in said


def test_students_classes_get_no_create_graph_advice():
    trace = types.SimpleNamespace(own_classes=True, graph=Graph(from_grad=GradOrigin("gx", "x", "y")))
    assert grad_output(trace) is None
