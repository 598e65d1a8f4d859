"""A student's own book-style Variable handed to dezero: one plain TypeError.

QA: `F.square(my_var)` failed with "Variable data must be a numpy.ndarray,
got Variable (variable(4.0))" and `dezero.Variable + my_var` with "a Variable
cannot be combined with Variable variable(3.0)": both hid that my_var is of
the notebook's own Variable class.
"""
import numpy as np
import pytest

import dezero
import dezero.arithmetic
import dezero.core
import dezero.functions as F
from dezero import Variable

# A student's class of book steps 19-21, typed into a notebook cell (module __main__).
STUDENTS = '''
import numpy as np

class Variable:
    def __init__(self, data, name=None):
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def __repr__(self):
        return "variable(" + str(self.data) + ")"

    def __pow__(self, c):
        return Variable(self.data ** c)

    def __rpow__(self, c):
        return Variable(c ** self.data)

    def __mul__(self, other):
        return Variable(self.data * getattr(other, "data", other))

    __rmul__ = __mul__
'''


@pytest.fixture
def mine():
    namespace = {"__name__": "__main__"}
    exec(STUDENTS, namespace)  # noqa: S102 - the test's own source
    return namespace["Variable"](np.array(2.0))


OPS = {
    "F.square": lambda v: F.square(v),
    "F.exp": lambda v: F.exp(v),
    "dezero + mine": lambda v: Variable(np.array(3.0)) + v,
    "dezero - mine": lambda v: Variable(np.array(3.0)) - v,
    "dezero * mine": lambda v: Variable(np.array(3.0)) * v,
    "dezero / mine": lambda v: Variable(np.array(3.0)) / v,
    "dezero ** mine": lambda v: Variable(np.array(3.0)) ** v,
    "F.matmul": lambda v: F.matmul(Variable(np.ones((1, 1))), v),
    "dezero.Variable(mine)": lambda v: Variable(v),
}


@pytest.mark.parametrize("op", list(OPS))
def test_mixing_a_students_variable_with_dezero_says_whose_class_it_is(mine, op):
    with pytest.raises(TypeError) as info:
        OPS[op](mine)
    message = str(info.value)
    # (dezero ** mine: the student's __rpow__ ran inside Pow.forward; its result is named)
    shown = "variable(9.0)" if op == "dezero ** mine" else "variable(2.0)"
    assert f"{shown} is an instance of __main__.Variable, your notebook's own Variable class" in message
    assert "not dezero.Variable" in message
    assert "pass its array (.data) to dezero" in message and "dezero.Variable(np.array(...))" in message
    assert "combined with" not in message and "must be a numpy.ndarray" not in message


def test_a_class_from_a_module_is_named_by_its_module_and_qualname():
    class Box:
        class Variable:
            def __init__(self):
                self.data = np.zeros(3)

            def __repr__(self):
                raise RuntimeError("a broken repr")

    with pytest.raises(TypeError) as info:
        F.square(Box.Variable())
    message = str(info.value)
    assert f"a Variable object is an instance of {__name__}.{Box.Variable.__qualname__}, your own" in message


def test_objects_that_are_not_variable_like_keep_their_messages():
    class Odd:
        @property
        def data(self):
            raise RuntimeError("no data today")

    with pytest.raises(TypeError, match="cannot be combined with Odd"):
        Variable(np.array(1.0)) + Odd()
    with pytest.raises(TypeError, match="cannot be combined with str"):
        Variable(np.array(1.0)) + "a"
    with pytest.raises(TypeError, match="must be a numpy.ndarray, got list"):
        Variable([1.0])
    np.testing.assert_array_equal(F.square([1.0, 2.0]).data, [1.0, 4.0])  # lists are still arrays


def test_the_check_runs_on_error_paths_only(monkeypatch):
    # dezero's hot paths (Function.__call__, arithmetic with numbers and arrays) never call it.
    def called(obj):
        raise AssertionError(f"foreign_variable_error called for {obj!r}")

    monkeypatch.setattr(dezero.core, "foreign_variable_error", called)
    monkeypatch.setattr(dezero.arithmetic, "foreign_variable_error", called)
    x, a = Variable(np.array([1.0, 2.0])), np.array([3.0, 4.0])
    results = [F.square(x), F.exp(2.0), x + 1.0, 1 - x, x * a, a * x, x / 2, 2 / x, x**2, x**a, F.sum(x)]
    y = F.sum(x * x + a)
    y.backward()
    assert len(results) == 11 and x.grad is not None


def test_a_students_variable_without_operators_as_an_exponent():
    # No __rpow__: NumPy's own TypeError inside Pow.forward is replaced, not shown.
    namespace = {"__name__": "__main__"}
    exec("class Variable:\n    def __init__(self, data):\n        self.data = data\n        self.grad = None\n",
         namespace)  # noqa: S102 - the test's own source
    mine = namespace["Variable"](np.array(2.0))
    with pytest.raises(TypeError, match=r"is an instance of __main__\.Variable, your notebook's own Variable"):
        Variable(np.array(3.0)) ** mine
