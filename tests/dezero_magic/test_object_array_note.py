"""A name the cell bound holds a NumPy array of Variables (dtype=object):
book step 21's `np.array([2.0]) + x` before the student's Variable has
__array_priority__, or np.array([v1, v2]) of a student's Variables, or an
object array filled with dezero's one by one (np.array of dezero Variables
raises: tests/dezero/test_variable_not_array.py). The graph alone only looks
empty; a note says why (QA: no hint, "0 functions, 1 variable")."""
from IPython.utils.capture import capture_output

from student_code import SHORT_CLASSES

# Step 20-21: + and its reflected twin on the student's own Variable.
OPERATORS = SHORT_CLASSES + '''
class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1
    def backward(self, gy):
        return gy, gy

def add(x0, x1):
    return Add()(x0, as_variable(x1))

def as_variable(obj):
    return obj if isinstance(obj, Variable) else Variable(np.array(obj))

Variable.__add__ = add
Variable.__radd__ = add
'''


def _notes(shell, cell):
    assert shell.run_cell("%%dezero -o _t\n" + cell).success
    return shell.user_ns["_t"].graph.notes


def test_an_ndarray_on_the_left_without_array_priority_points_to_step_21(shell, displayed):
    assert shell.run_cell(OPERATORS).success
    notes = _notes(shell, "x = Variable(np.array(3.0))\ny = np.array([2.0]) + x")
    said = [n for n in notes if "__array_priority__" in n]
    assert len(said) == 1, notes
    assert said[0].startswith("y is a NumPy array holding Variable objects (dtype=object), not a Variable")
    assert "np.array([...]) of Variables makes one" in said[0]
    assert "`__array_priority__ = 200` (book step 21)" in said[0]


def test_with_array_priority_the_sum_is_a_variable_and_nothing_is_said(shell, displayed):
    assert shell.run_cell(OPERATORS + "Variable.__array_priority__ = 200\n").success
    notes = _notes(shell, "x = Variable(np.array(3.0))\ny = np.array([2.0]) + x")
    assert not [n for n in notes if "dtype=object" in n], notes
    assert type(shell.user_ns["y"]).__name__ == "Variable"


def test_an_array_of_students_variables_says_np_array_made_it(shell, displayed):
    assert shell.run_cell(OPERATORS + "Variable.__array_priority__ = 200\n").success
    notes = _notes(shell, "a = Variable(np.array(1.0))\nb = a + a\nys = np.array([a, b])")
    said = [n for n in notes if "dtype=object" in n]
    assert len(said) == 1 and "np.array([...]) of Variables makes one" in said[0], notes


def test_np_array_of_dezero_variables_fails_the_cell_with_what_to_write(shell, displayed):
    with capture_output():
        result = shell.run_cell("%%dezero -o _t\na = Variable(np.array(1.0))\nb = F.exp(a)\nys = np.array([a, b])")
    assert isinstance(result.error_in_exec, TypeError)
    assert "np.array([a.data, b.data])" in str(result.error_in_exec)
    graph = shell.user_ns["_t"].graph
    assert [f.op for f in graph.functions.values()] == ["Exp"]
    assert not [n for n in graph.notes if "dtype=object" in n], graph.notes


def test_an_object_array_filled_with_dezero_variables_is_named(shell, displayed):
    notes = _notes(shell, "a = Variable(np.array(1.0))\nb = F.exp(a)\nys = np.empty(2, dtype=object)\n"
                          "ys[0], ys[1] = a, b")
    said = [n for n in notes if "dtype=object" in n]
    assert len(said) == 1 and said[0].startswith("ys is a NumPy array holding Variable objects"), notes
    assert "Keep the Variables in a list" in said[0]
    assert "__array_priority__" not in said[0] and "np.array([...]) of Variables makes one" not in said[0]


def test_an_array_bound_before_the_cell_is_not_this_cells(shell, displayed):
    assert shell.run_cell("from dezero import Variable as DV\nys = np.empty(2, dtype=object)\n"
                          "ys[0] = ys[1] = DV(np.array(1.0))").success
    notes = _notes(shell, "x = Variable(np.array(1.0))\ny = F.exp(x)\nprint(len(ys))")
    assert not [n for n in notes if "dtype=object" in n], notes
