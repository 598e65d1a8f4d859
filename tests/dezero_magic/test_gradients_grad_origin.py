"""The Gradients tab compares a leaf's grad with the output's numerical
derivative only when that grad came from this output's backward: a grad
from an earlier cell, one %dezero found left by some backward, one that
holds an earlier pass's, or none because a backward forgot `return`, is
told as such and never called a wrong backward."""
import pytest

import dezero_magic.widgets as dzw
from dezero_magic.widgets import lifecycle
from dezero_magic.widgets.backward_tab import NO_CREATOR, BackwardView
from dezero_magic.widgets.gradients_tab import _result, gradients_view
from student_code import STEP14, STEP6, STEP7, STEP7_RUN
from widget_html import run_traced, text_of


def _text(trace):
    return text_of(gradients_view(trace).table.value)


def _no_blame(text):
    assert "FAIL" not in text and "backward is wrong" not in text, text


def test_a_grad_from_an_earlier_cells_backward_is_not_compared(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0), name='x')\ny = x ** 2\ny.backward()")
    text = _text(run_traced(shell, "z = x ** 3"))
    _no_blame(text)
    assert "not checked: x.grad is from an earlier backward, not from this cell" in text
    assert "Nothing was checked: no backward ran in this cell" in text and "z.backward()" in text


def test_the_line_magic_on_an_intermediate_says_its_grad_may_be_another_backwards(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0), name='x')\na = x ** 2\na.name = 'a'\ny = a ** 2\ny.backward()")
    assert shell.run_cell("%dezero a").success
    text = _text(displayed[-1])
    _no_blame(text)                                         # x.grad is dy/dx = 32, not da/dx = 4
    assert "differs, not judged: its grad may come from another backward (one that did not start at a)" in text
    assert "1 leaf grad differs from the numerical derivative of a" in text


def test_the_line_magic_still_passes_a_grad_that_matches(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0), name='x')\ny = x ** 3\ny.backward()")
    assert shell.run_cell("%dezero y").success
    assert "The 1 checked leaf grad passes" in _text(displayed[-1])


def test_the_line_magic_after_the_step_35_loop_blames_no_backward(shell, displayed):
    shell.run_cell("x = Variable(np.array(1.0), name='x')\ny = F.tanh(x)\ny.backward(create_graph=True)\n"
                   "for i in range(3):\n    gx = x.grad\n    x.cleargrad()\n    gx.backward(create_graph=True)\n"
                   "gx = x.grad\ngx.name = 'gx4'")
    assert shell.run_cell("%dezero gx").success
    text = _text(displayed[-1])
    _no_blame(text)                                         # was "10 of 10 checked leaf grads FAIL"
    assert "differ" in text


STEP14_ADDING = STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:")
FORGOT_CLEARGRAD = "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\ny = add(add(x, x), x)\ny.backward()"


def test_forgetting_cleargrad_is_told_alike_for_own_classes_and_dezero(shell, displayed):
    shell.run_cell(STEP14_ADDING)
    own = gradients_view(run_traced(shell, FORGOT_CLEARGRAD))
    assert own.run is None                                  # nothing to compare: their code need not run
    shell.run_cell("from dezero import Variable\nadd = lambda a, b: a + b")
    dezero = gradients_view(run_traced(shell, FORGOT_CLEARGRAD))
    [own_x], [dezero_x] = ([leaf for leaf in view.check.leaves if leaf.label == "x"] for view in (own, dezero))
    assert float(own_x.analytic) == float(dezero_x.analytic) == 5.0
    assert _result(own_x) == _result(dezero_x)
    assert "its grad also holds an earlier backward's" in _result(own_x) and "x.cleargrad()" in _result(own_x)
    _no_blame(text_of(own.table.value))


def test_a_backward_without_return_is_told_so(shell, displayed):
    no_return = STEP7.replace("return 2 * x * gy", "gx = 2 * x * gy").replace("return np.exp(x) * gy",
                                                                             "gx = np.exp(x) * gy")
    shell.run_cell(no_return)
    trace = run_traced(shell, "x = Variable(np.array(0.5))\na = Square()(x)\ny = a\ny.grad = np.array(1.0)\n"
                              "y.backward()")
    assert shell.user_ns["x"].grad is None
    view = gradients_view(trace)
    text = text_of(view.table.value)
    assert "Square.backward ran but returned no grad for it (None): did it forget `return`?" in text
    assert "no backward ran" not in text and view.run is None


def test_the_students_classes_check_waits_for_the_button(shell, displayed):
    shell.run_cell(STEP7)
    view = gradients_view(run_traced(shell, STEP7_RUN))
    assert view.run is not None and "Square, Exp" in text_of(view.table.value)
    view.run.click()
    assert "The 1 checked leaf grad passes" in text_of(view.table.value)
    assert view.plot is not None and "central differences" in text_of(view.plot.value)


def test_step_6_classes_are_told_what_they_lack(shell, displayed):
    shell.run_cell(STEP6)
    trace = run_traced(shell, "x = Variable(np.array(0.5))\nA = Square()\nB = Square()\na = A(x)\ny = B(a)\n"
                              "y.grad = np.array(1.0)\nx.grad = A.backward(B.backward(y.grad))")
    view = dzw.view_for(trace)
    grads = text_of(view.views["Gradients"].table.value)
    assert "your Variable class has no `creator` yet (book steps 1-6)" in grads
    assert "no longer exists" not in grads and "reassigned" not in grads
    back = text_of(view.views["Backward"].message.value)
    assert NO_CREATOR in back
    assert "y.backward()" not in back and "-b y" not in back
    lifecycle.close_view(view)


@pytest.mark.parametrize("cell", ["n = np.ones(3)", "x = Variable(np.array(1.0))"])
def test_a_cell_without_functions_says_there_is_no_graph(shell, displayed, cell):
    trace = run_traced(shell, cell)
    text = _text(trace)
    assert "no longer exists" not in text
    assert "no Function was called in this cell" in text
    assert NO_CREATOR not in text_of(BackwardView(trace).message.value)
