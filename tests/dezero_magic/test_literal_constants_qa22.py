"""QA S22-4: a student's as_array turns the numbers of a formula (14 in 14 * x) into int Variables;
the Gradients tab listed each as a row "not checked: int64 data ... make the data float, e.g.
np.array(2.0)" (17 rows on Goldstein-Price) though the student never wrote np.array(14). They are
one line now; a named int leaf the student made keeps the advice."""
import re

from dezero_magic.widgets.gradients_tab import gradients_view
from student_code import STEP14
from widget_html import run_traced, text_of

# book steps 20-22 on top of step 14: numbers become Variables through as_array (ints stay ints)
OPERATORS = """
def as_variable(obj):
    return obj if isinstance(obj, Variable) else Variable(obj)
class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1
    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return gy * x1, gy * x0
def mul(x0, x1):
    return Mul()(x0, as_variable(as_array(x1)))
def add(x0, x1):
    return Add()(x0, as_variable(as_array(x1)))
Variable.__mul__ = Variable.__rmul__ = mul
Variable.__add__ = Variable.__radd__ = add
"""
FLOAT_ADVICE = "make the data float"
GROUPED = ("3 constants (unnamed) 14, 3, 19 - - - not checked: integer constants made from the numbers in your "
           "formula (as 14 in 14 * x); int data cannot be nudged by h, and they are not the variables you "
           "differentiate by")


def _text(shell, code):
    assert shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:") + OPERATORS).success
    view = gradients_view(run_traced(shell, code))
    if view.run is not None:
        view.run.click()
    return " ".join(text_of(re.sub(r"<style.*?</style>", " ", view.table.value, flags=re.S)).split())


def test_the_numbers_of_a_formula_are_one_line_without_the_float_advice(shell):
    text = _text(shell, "x = Variable(np.array(1.0))\ny = Variable(np.array(2.0))\n"
                        "z = 14 * x + 3 * x * y + 19\nz.backward()\n")
    assert GROUPED in text, text
    assert FLOAT_ADVICE not in text and "unnamed (v" not in text
    assert "All 2 checked leaf grads pass. 3 integer constants not checked (see the result column)." in text
    assert re.search(r"\bx 1 20 20 .* pass\b", text) and re.search(r"\by 2 3 3 .* pass\b", text)


def test_a_named_int_leaf_keeps_the_float_advice_beside_the_constants(shell):
    text = _text(shell, "x = Variable(np.array(1.0))\nn = Variable(np.array(2))\nz = n * x * 3\nz.backward()\n")
    assert ("n 2 3 - - not checked: int64 data cannot hold the nudge of h = 0.0001 that the numerical check makes: "
            "make the data float, e.g. np.array(2.0) instead of np.array(2), to check it") in text, text
    assert "1 constant (unnamed) 3 - - - not checked: integer constants" in text
    assert "The 1 checked leaf grad passes. 1 not checked, 1 integer constant not checked (see the result column)." in text
