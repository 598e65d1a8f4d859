"""QA 18 (lecturer, findings 2, 5, 6): tab texts that must not depend on when a
tab is opened, a Memory tab without a graph, and the mode --modes cannot measure."""
import gc
import re

from dezero_magic.memory import MODE_LABELS, NO_WEAKREFS
from dezero_magic.widgets import view_for
from dezero_magic.widgets.backward_tab import NO_BACKWARD, NO_BACKWARD_METHOD, BackwardView
from dezero_magic.trace import EMPTY
from dezero_magic.widgets.memory_tab import NO_CREATOR, NO_GRAPH, NOT_MEASURED, memory_view
from student_code import STEP6, STEP17_NO_BACKWARD
from widget_html import text_of

CELL = "%%dezero\nx = Variable(np.array(2.0))\ny = square(square(x))"

# nb01 after a restart: the step 5-6 classes (no creator), then the step-7 %%dezero cell.
STEP7_CELL = ("%%dezero\nA, C = Square(), Square()\nx = Variable(np.array(0.5))\na = A(x)\ny = C(a)\n"
              "y.grad = np.array(1.0)\ny.backward()")


def _backward_text(trace):
    return " ".join(text_of(BackwardView(trace).message.value).split())


def _panel(view):
    return " ".join(text_of(view.figures.value).split())


def test_no_backward_method_advice_holds_when_the_tab_is_opened_after_run_all(shell, displayed):
    shell.run_cell(STEP17_NO_BACKWARD)
    shell.run_cell(CELL)
    trace = displayed[-1]
    tab = view_for(trace)   # displayed: nothing built yet, as in a notebook
    # Run All: the next cells rebind x and y before anyone opens the Backward tab
    shell.run_cell("x = y = None")
    gc.collect()
    assert all(ref() is None for ref in trace.output_refs)
    text = " ".join(text_of(tab.views["Backward"].message.value).split())
    assert NO_BACKWARD_METHOD in text
    assert "-b y" not in text   # the advice that raises a UsageError on these classes


def test_a_variable_with_backward_keeps_the_usual_advice_after_its_objects_are_gone(shell, displayed):
    shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\ny = F.square(F.square(x))")
    trace = displayed[-1]
    shell.run_cell("x = y = None")
    gc.collect()
    assert _backward_text(trace) == " ".join(NO_BACKWARD.split())


def test_memory_tab_without_creator_says_why_instead_of_a_table_of_zeros(shell, displayed):
    shell.run_cell(STEP6)
    result = shell.run_cell(STEP7_CELL)
    assert isinstance(result.error_in_exec, AttributeError)   # the cell's own: no backward() yet
    trace = displayed[-1]
    assert trace.graph.creatorless
    view = memory_view(trace)
    text = _panel(view)
    assert " ".join(NO_CREATOR.split()) in text
    assert view.modes is None and "0 B" not in text and "0\u00a0B" not in text
    assert "kept for backward" not in text.replace("Function holds for its backward", "")
    # the same terms as the Backward tab
    assert "no `creator` yet (book steps 1–6), so no graph was recorded" in _backward_text(trace)


def test_memory_tab_of_a_cell_that_called_no_function(shell, displayed):
    shell.run_cell("%%dezero\nz = 1 + 2")
    view = memory_view(displayed[-1])
    text = _panel(view)
    assert " ".join(NO_GRAPH.format(why=EMPTY).split()) in text and view.modes is None
    assert not re.search(r"\b0\s?B\b", text.replace("\u00a0", " "))


def test_memory_tab_of_a_leaf_says_every_mode_keeps_the_same(shell, displayed):
    shell.run_cell("w = Variable(np.ones(3), name='w')")
    shell.run_cell("%dezero w")
    view = memory_view(displayed[-1])
    text = _panel(view).replace("\u00a0", " ")
    assert view.modes is None
    assert "No Function made w, so there is no graph: every memory mode keeps the same, its data, 24 B, " \
           "and no grad." in text
    # with a grad from a backward in another cell
    shell.run_cell("v = Variable(np.ones(4), name='v')\nF.sum(v * 2).backward()")
    shell.run_cell("%dezero v")
    text = _panel(memory_view(displayed[-1])).replace("\u00a0", " ")
    assert "its data, 32 B, and its grad, 32 B." in text


def test_modes_says_at_its_table_which_mode_is_not_measured_and_why(shell, displayed):
    result = shell.run_cell("%%dezero --modes -o _t\nx = Variable(np.ones(1000), name='x')\n"
                            "y = F.sum(F.square(x))\ny.backward()")
    assert result.success, result.error_in_exec
    trace = shell.user_ns["_t"]
    view = memory_view(trace)
    offered = [value for _label, value in view.modes.options]
    assert MODE_LABELS[NO_WEAKREFS] in offered
    measured = " ".join(text_of(view.measured.value).split())
    for label in offered:
        assert label in measured, label   # every mode offered has its row
    row = measured[measured.index(MODE_LABELS[NO_WEAKREFS]):]
    assert row.startswith(f"{MODE_LABELS[NO_WEAKREFS]} - - not measured")
    assert " ".join(NOT_MEASURED.split()) in measured


def test_an_empty_cell_with_modes_keeps_its_measured_table(shell, displayed):
    result = shell.run_cell("%%dezero --modes -o _t\nz = [0.0] * 10")
    assert result.success, result.error_in_exec
    view = memory_view(shell.user_ns["_t"])
    assert view.modes is None and " ".join(NO_GRAPH.format(why=EMPTY).split()) in _panel(view)
    assert view.measured is not None and "no_grad" in text_of(view.measured.value)


def test_the_no_backward_advice_names_the_cells_output(shell, displayed):
    # QA: "Call y.backward()" was said of a cell whose output is `loss`
    shell.run_cell("%%dezero\nw = Variable(np.array(2.0))\nloss = F.square(w)")
    assert _backward_text(displayed[-1]).endswith("Call loss.backward() in the cell, or run it with %%dezero -b loss.")
    shell.run_cell("%%dezero\nw = Variable(np.array(2.0))\na, b = F.square(w), F.exp(w)")
    said = _backward_text(displayed[-1])
    assert "Call the output's backward() in the cell (y.backward() for an output y)" in said
