"""QA R22-5: `%dezero gx` (book step 33) looks for the backward that made gx by differentiating
candidate graphs again (`earlier_grads._gave`). A graph with a class typed into a cell (a
`Cube(dezero.Function)` whose backward prints and appends to a list) ran the user's backward again:
its print reached the output and its list grew, which only the user may ask for (`isolation`). Such a
graph is not differentiated; dezero's own graphs still are, isolated (no warning reaches the output)."""
import warnings

import numpy as np
from IPython.utils.capture import capture_output

OWN_CUBE = """calls = []
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        print('Cube.backward ran')
        calls.append(1)
        return 3 * x ** 2 * gy
x = Variable(np.array(2.0))
y = Cube()(x)
y.backward(create_graph=True)
gx = x.grad
"""


def _notes(trace):
    return " ".join(trace.graph.notes)


def test_line_magic_does_not_run_the_users_own_backward_again(shell, displayed):
    with capture_output() as cap:
        shell.run_cell(OWN_CUBE)
    assert cap.stdout.count("Cube.backward ran") == 1 and shell.user_ns["calls"] == [1]
    state = np.random.get_state()[1].copy()
    with capture_output() as cap:
        result = shell.run_cell("%dezero gx")
    assert result.success
    assert "Cube.backward ran" not in cap.stdout + cap.stderr
    assert shell.user_ns["calls"] == [1]                     # the user's list did not grow
    assert (np.random.get_state()[1] == state).all()
    notes = _notes(displayed[-1])
    # the note stays; which variable's backward made gx is not named (finding it would run Cube.backward)
    assert "earlier backward, a backward(create_graph=True)" in notes, notes
    assert "x.grad is gx itself (the first derivative), not d(gx)/dx" in notes


def test_dezero_own_graph_is_still_differentiated_and_named_quietly(shell, displayed):
    # x ** 0.5 at 0: differentiating y again divides by zero, a RuntimeWarning the line magic keeps to itself
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shell.run_cell("x = Variable(np.array(0.0))\ny = x ** 0.5 + x ** 3\ny.backward(create_graph=True)\n"
                       "gx = x.grad")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with capture_output() as cap:
            assert shell.run_cell("%dezero gx").success
    assert not [w for w in seen if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in seen]
    assert "RuntimeWarning" not in cap.stdout + cap.stderr
    assert "earlier backward, y.backward(create_graph=True)" in _notes(displayed[-1])
