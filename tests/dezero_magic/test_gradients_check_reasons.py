"""The Gradients check says why it has nothing to compare, truthfully and by
name (QA session 18, students typing their own classes): a forward that
changes its input in place, a forward whose output is no array (None from a
forgotten `return`, a list, a tuple, a Variable), and a cell whose Functions
ran but left no graph a name holds."""
import numpy as np
import pytest
from IPython.utils.capture import capture_output

import dezero_magic.widgets as dzw
from dezero_magic.numgrad import check_gradients
from dezero_magic.numgrad_reasons import not_reproduced
from dezero_magic.widgets import gradients_tab, lifecycle
from student_code import SHORT_CLASSES, STEP18
from widget_html import run_traced, text_of

SQUARE_IN_PLACE = """
class SquareInPlace(dezero.Function):
    def forward(self, x):
        x **= 2            # changes x.data itself
        return x
    def backward(self, gy):
        x = self.inputs[0].data
        return 2 * x * gy
"""

# QA's own words for the old, wrong causes: none of them is the cause here
WRONG_CAUSES = ("optimizer step", "random", "changed since the graph was recorded")


def _squeezed(html):
    return " ".join(text_of(html).split())


def _page(shell, displayed, cell):
    assert shell.run_cell("%%dezero\n" + cell).success
    view = dzw.view_for(displayed[-1])
    return view, view.views["Gradients"]


def _pressed(page):
    """Press "check by running your forward again"; the table's text, nothing printed."""
    assert page.run is not None
    with capture_output() as out:
        page.run.click()
    assert out.stdout == "" and out.stderr == ""
    return _squeezed(page.table.value)


def test_a_dezero_subclass_whose_forward_changes_its_input_in_place_is_named(shell, displayed):
    shell.run_cell(SQUARE_IN_PLACE)
    view, page = _page(shell, displayed, "x = Variable(np.array(3.0))\ny = SquareInPlace()(x)\ny.backward()")
    assert float(shell.user_ns["x"].data) == 9.0 and float(shell.user_ns["x"].grad.data) == 18.0
    text = _pressed(page)
    assert ("Numerical gradients are not available because SquareInPlace.forward changes its input x in place "
            "(the array it was given is different after the call)") in text
    assert "x's value was overwritten" in text and "not x **= 2" in text
    assert not any(cause in text for cause in WRONG_CAUSES), text
    assert "TypeError" not in text and "FAIL" not in text
    # the check ran the forward on copies: the student's x and its grad are as the cell left them
    assert float(shell.user_ns["x"].data) == 9.0 and float(shell.user_ns["x"].grad.data) == 18.0
    lifecycle.close_view(view)


def test_a_students_forward_changing_an_intermediate_in_place_is_named_though_the_output_reproduces(
        shell, displayed):
    # a's creator re-computes a from x before SquareInPlace squares it again: the re-run gives the
    # recorded output, so without the watch this would read as a wrong backward
    shell.run_cell(SHORT_CLASSES + """
class Exp(Function):
    def forward(self, x):
        return np.exp(x)
    def backward(self, gy):
        return np.exp(self.inputs[0].data) * gy

class SquareInPlace(Function):
    def forward(self, x):
        x **= 2
        return x
    def backward(self, gy):
        return 2 * self.inputs[0].data * gy
""")
    view, page = _page(shell, displayed, "x = Variable(np.array(0.5))\na = Exp()(x)\ny = SquareInPlace()(a)\n"
                                         "y.backward()")
    a_before = shell.user_ns["a"].data.copy()
    text = _pressed(page)
    assert "SquareInPlace.forward changes its input a in place" in text, text
    assert "a's value was overwritten" in text
    assert "FAIL" not in text and "backward is wrong" not in text.lower()
    assert np.array_equal(shell.user_ns["a"].data, a_before)
    assert "ran again in 1 pass of the graph (counted)" in text     # the watched pass, said in the singular
    lifecycle.close_view(view)


def test_an_in_place_forward_of_a_students_dezero_package_is_named_by_the_early_check(shell, displayed):
    # book step 23 on: the student's own dezero/functions.py counts as dezero's own and runs at display
    # time; its re-run does not reproduce the output, and a second, watched pass says why
    shell.run_cell(SQUARE_IN_PLACE.replace("dezero.Function):", "dezero.Function):\n    __module__ = "
                                                                "'dezero.functions'"))
    trace = run_traced(shell, "x = Variable(np.array(3.0))\ny = SquareInPlace()(x)\ny.backward()")
    check = check_gradients(trace)
    assert not check.available
    assert "SquareInPlace.forward changes its input x in place" in check.reason
    assert not any(cause in check.reason for cause in WRONG_CAUSES), check.reason


CUBE = """
class Cube(Function):
    def forward(self, x):
        {body}
    def backward(self, gy):
        return 3 * self.inputs[0].data ** 2 * gy
"""


@pytest.mark.parametrize("body, said", [
    ("y = x ** 3", "Cube.forward returned None: did it forget `return`?"),
    ("return [x ** 3]", "Cube.forward returned a list of 1 value, and your __call__ made one output of it, "
                        "whose data is that list, not an array"),
    ("return x ** 3, x", "Cube.forward returned a tuple of 2 values, and your __call__ made one output of it"),
    ("return Variable(x ** 3)", "Cube.forward returned a Variable, not an array of numbers: forward works on "
                                "the arrays inside the variables (x.data)"),
])
def test_a_forward_whose_output_is_no_array_is_named_not_a_raw_error(shell, displayed, body, said):
    shell.run_cell(SHORT_CLASSES + CUBE.format(body=body))
    view, page = _page(shell, displayed, "x = Variable(np.array(2.0))\ny = Cube()(x)\ny.backward()")
    text = _pressed(page)
    assert "Numerical gradients are not available because " + said in text, text
    assert "Error" not in text and "The check" not in text and "FAIL" not in text
    lifecycle.close_view(view)


def test_a_tuple_of_other_length_than_the_outputs_and_none_in_a_tuple_are_named(shell, displayed):
    # the book's step-11 __call__: one output per value of the tuple forward returns
    shell.run_cell(STEP18 + """
class Pair(Function):
    calls = 0
    def forward(self, x):
        Pair.calls += 1
        return (x, 2 * x) if Pair.calls == 1 else (x, None)   # the second value missing, re-run
    def backward(self, gy0, gy1):
        return gy0 + 2 * gy1
""")
    assert shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\ny0, y1 = Pair()(x)\ny = add(y0, y1)\n"
                          "y.backward()").success
    check = check_gradients(displayed[-1], run_own_code=True)
    assert check.reason == ("Numerical gradients are not available because Pair.forward returned None as "
                            "output 2 of 2: each output needs an array.")
    shell.run_cell("Pair.forward = lambda self, x: (x, 2 * x, x)")
    check = check_gradients(displayed[-1], run_own_code=True)
    assert ("Pair.forward returned 3 values (a tuple), but its call has 2 outputs in the graph, so they cannot "
            "be matched") in check.reason


@pytest.mark.parametrize("body", ["return float(x ** 3)", "return (x ** 3).tolist()"])
def test_a_forward_returning_a_python_number_is_checked_as_usual(shell, displayed, body):
    # (the number is the output's data: the check reads it as an array, as the book's as_array does)
    shell.run_cell(SHORT_CLASSES + CUBE.format(body=body))
    view, page = _page(shell, displayed, "x = Variable(np.array(2.0))\ny = Cube()(x)\ny.backward()")
    assert "The 1 checked leaf grad passes." in _pressed(page)
    lifecycle.close_view(view)


def test_a_list_that_the_students_call_iterates_over_is_no_fault(shell, displayed):
    # a __call__ that makes one output per item of a list: `return [y]` is then the students' convention
    shell.run_cell(SHORT_CLASSES.replace("y = Variable(self.forward(*[x.data for x in inputs]))",
                                         "y = Variable(self.forward(*[x.data for x in inputs])[0])")
                   + CUBE.format(body="return [x ** 3]"))
    view, page = _page(shell, displayed, "x = Variable(np.array(2.0))\ny = Cube()(x)\ny.backward()")
    assert "The 1 checked leaf grad passes." in _pressed(page)
    lifecycle.close_view(view)


NO_VARIABLE = "Numerical gradients are not available because no variable this cell binds has a creator"


@pytest.mark.parametrize("cell", [
    # step 4: numerical_diff calls Square inside f; its outputs die when f returns
    "def f(x):\n    return square(x)\nx = Variable(np.array(2.0))\n"
    "d = (f(Variable(np.array(2.0001))).data - f(Variable(np.array(1.9999))).data) / 0.0002",
    # step 18: the student's own no_grad: square ran, y has no creator
    "x = Variable(np.array(2.0))\nwith no_grad():\n    y = square(x)",
    # step 21 before __array_priority__: NumPy's + made an ndarray holding Variables
    "Variable.__radd__ = lambda self, other: add(self, Variable(np.array(other)))\n"
    "x = Variable(np.array([3.0]))\ny = np.array([2.0]) + x",
])
def test_functions_that_ran_but_left_no_graph_are_not_said_not_to_have_run(shell, displayed, cell):
    shell.run_cell(STEP18)
    text = _squeezed(gradients_tab.gradients_view(run_traced(shell, cell)).table.value)
    assert NO_VARIABLE in text, text
    assert "no Function was called" not in text
    assert "numerical_diff" in text and "no_grad" in text and "__array_priority__" in text


def test_a_cell_of_dezeros_classes_without_a_call_still_says_no_function_was_called(shell, displayed):
    text = _squeezed(gradients_tab.gradients_view(run_traced(shell, "x = Variable(np.array(1.0))")).table.value)
    assert ("no Function was called in this cell whose output a name holds, so there is no graph to "
            "differentiate") in text
    assert NO_VARIABLE not in text


def test_the_generic_reason_adds_an_in_place_forward_only_when_the_forwards_were_not_watched(shell, displayed):
    assert "in place" not in not_reproduced(looked=True)
    assert not_reproduced(looked=False).endswith("or a forward changed its input in place")
    # a later cell changed x: the watch found no forward at fault, so the generic causes stay as they were
    trace = run_traced(shell, "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(x))\ny.backward()")
    shell.run_cell("x.data += 1.0")
    check = check_gradients(trace)
    assert "does not reproduce the output" in check.reason and "in place" not in check.reason
