"""The Gradients tab's reasons say what happened at book steps 28-37 (QA Q23):
a grad differentiated without create_graph=True (step 33's slip), leaves cut
off by --max-nodes (step 28), an output the cell's own line rebound (step 35),
and no numerical grad beside a row when no backward ran."""

import dezero_magic.widgets as dzw
from dezero_magic.graph import GradOrigin
from dezero_magic.numgrad import check_gradients
from dezero_magic.numgrad_reasons import grad_output, no_live_leaf, output_gone
from dezero_magic.widgets.gradients_tab import table_html
from test_stepper_memory_qa21 import STEP_35
from widget_html import run_traced, text_of

STEP33_SLIP = """
x = Variable(np.array(2.0))
y = x ** 4 - 2 * x ** 2
y.backward()              # create_graph=True forgotten
gx = x.grad
x.cleargrad()
gx.backward()
"""

ROSENBROCK = """
def rosenbrock(x0, x1):
    return 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2
x0 = Variable(np.array(0.0))
x1 = Variable(np.array(2.0))
y = rosenbrock(x0, x1)
y.backward()
"""

# Book step 35, as printed (two iterations): the line after the loop rebinds gx, the last backward's output
STEP35 = STEP_35.replace("iters = 6", "iters = 2").replace("print(gx)\n", "")


def _words(text):
    return " ".join(text_of(text).split())


def _cells(html):
    """The cells of the table's first row: variable, value, analytic, numerical, error, result."""
    return [_words(c.split(">", 1)[1].split("</td>")[0]) for c in html.split("<td")[1:7]]


def test_a_grad_made_without_create_graph_is_named_with_the_fix(shell):
    trace = run_traced(shell, STEP33_SLIP)
    assert grad_output(trace) == GradOrigin("gx", "x", "y")
    check = check_gradients(trace)
    assert not check.available
    assert "gx is x.grad, left by an earlier y.backward() without create_graph=True" in check.reason
    assert "call y.backward(create_graph=True)" in check.reason and "most likely" not in check.reason
    assert "made under no_grad, or unchained" not in check.reason
    page = dzw.view_for(trace).views["Gradients"]
    assert "create_graph=True" in _words(page.table.value)


def test_other_creatorless_outputs_keep_their_reasons(shell):
    # under no_grad: made by a recorded call, so no grad of a backward
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x * x\ny.backward()\n"
                              "with dezero.no_grad():\n    z = x * 3\nz.backward()\n")
    assert grad_output(trace) is None
    # a leaf the cell made and used, backward from it after another: not called a grad
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x * x\ny.backward()\nx.backward()\n")
    assert grad_output(trace) is None
    # one backward only: no earlier backward left a grad
    trace = run_traced(shell, "x = Variable(np.array(2.0))\nx.backward()\n")
    assert grad_output(trace) is None


def test_leaves_cut_off_by_max_nodes_are_said_so(shell):
    trace = run_traced(shell, ROSENBROCK, "--max-nodes 8")
    assert trace.graph.cut
    said = no_live_leaf(trace)
    assert "cut at --max-nodes 8" in said and "larger --max-nodes" in said
    assert "is alive" not in said
    whole = run_traced(shell, ROSENBROCK)
    assert no_live_leaf(whole) == "no leaf variable of the drawn graph is alive and feeds the output"


def test_the_gradients_tab_says_the_drawing_was_cut(shell):
    check = check_gradients(run_traced(shell, ROSENBROCK, "--max-nodes 8"))
    assert "cut at --max-nodes 8" in check.reason


def test_an_output_the_cell_itself_rebound_is_said_so(shell):
    trace = run_traced(shell, STEP35, "--rankdir TB")
    check = check_gradients(trace)
    assert not check.available
    assert "freed before this cell ended" in check.reason
    assert "gx = x.grad" in check.reason
    assert "later cell" not in check.reason


def test_an_output_a_later_cell_rebound_is_still_said_so(shell):
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x * x\ny.backward()\n")
    shell.run_cell("y = 0")
    said = output_gone(trace)
    assert "by a later cell" in said and "freed before this cell ended" not in said


def test_no_numerical_grad_is_shown_when_no_backward_ran(shell, displayed):
    # QA's s37 cell raised before its backward: the row showed [1 1 0 0 ...] beside "no grad"
    result = shell.run_cell("%%dezero\nx = Variable(np.arange(6.0).reshape(2, 3))\n"
                            "w = F.sum(x * x, axis=0, keepdims=True)\nL = F.sum(w * F.reshape(x, (1, 6))[:, :2])\n")
    assert not result.success
    check = check_gradients(displayed[-1])
    assert check.available and not check.backward_ran
    assert check.leaves[0].numerical is not None       # computed, but not shown
    cells = _cells(table_html(check, displayed[-1].graph))
    assert cells[0] == "x" and cells[3] == "-", cells
    assert cells[5].startswith("not checked: the variable has no grad"), cells


def test_the_numerical_grad_stays_beside_a_backprop_grad(shell):
    check = check_gradients(run_traced(shell, "x = Variable(np.array(3.0))\ny = x * x\ny.backward()\n"))
    cells = _cells(table_html(check))
    assert cells[2] == "6" and cells[3] == "6" and cells[5].startswith("pass"), cells
