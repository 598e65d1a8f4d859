"""QA R22-4: Ctrl-C in a %%dezero cell of a student's own classes lands, most of the time, inside the
profile hook that records their backward calls (it runs on every call), and CPython removes a hook
that raised. The graph said "The cell set its own profile hook (sys.setprofile, %prun) ... Your hook
is kept" about a hook that never existed. Here the KeyboardInterrupt is raised inside the hook
deterministically: by a property of the student's class that only the hook reads."""
import sys

from IPython.utils.capture import capture_output

from student_code import STEP7

# Book step 7, with `output` a property whose getter raises KeyboardInterrupt the first time it is
# read: the cell's own code only sets it, the hook reads it (is it function-like?) when Square.backward
# is called: as if the user pressed Ctrl-C while the hook ran.
INTERRUPTING = """
class Square(Function):
    pressed = [True]
    @property
    def output(self):
        if self.pressed:     # once: the graph is drawn from these objects afterwards
            self.pressed.clear()
            raise KeyboardInterrupt
        return self._out
    @output.setter
    def output(self, value):
        self._out = value
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        return 2 * self.input.data * gy
"""
CELL = ("%%dezero -o t\nx = Variable(np.array(0.5)); a = Square()(x); y = Square()(a)\n"
        "y.grad = np.array(1.0)\ny.backward()\n")
FALSE_NOTE = "set its own profile hook"


def _run(shell, cell):
    """(the cell's result, what it printed)."""
    with capture_output() as cap:
        result = shell.run_cell(cell)
    return result, cap


def test_an_interrupt_inside_the_hook_is_not_called_the_cells_own_hook(shell):
    shell.run_cell(STEP7)
    shell.run_cell(INTERRUPTING)
    result, cap = _run(shell, CELL)
    assert isinstance(result.error_in_exec, KeyboardInterrupt)   # the cell stopped as at Ctrl-C
    assert sys.getprofile() is None                              # CPython took the hook off
    notes = shell.user_ns["t"].graph.notes
    assert not any(FALSE_NOTE in n or "Your hook is kept" in n for n in notes), notes
    assert any("stopped at the interrupt" in n for n in notes), notes
    assert "drawing the graph was interrupted" not in cap.stdout


def test_a_hook_the_cell_really_set_is_still_named(shell):
    shell.run_cell(STEP7)
    cell = ("%%dezero -o t\nimport sys\ndef myprof(frame, event, arg): pass\n"
            "x = Variable(np.array(0.5)); a = Square()(x); y = Square()(a); y.grad = np.array(1.0)\n"
            "sys.setprofile(myprof)\ny.backward()\n")
    try:
        result, _ = _run(shell, cell)
        assert result.success and sys.getprofile() is shell.user_ns["myprof"]
    finally:
        sys.setprofile(None)
    notes = shell.user_ns["t"].graph.notes
    assert any(FALSE_NOTE in n and "Your hook is kept" in n for n in notes), notes


def test_a_cell_that_removes_the_hook_is_not_said_to_keep_one(shell):
    shell.run_cell(STEP7)
    cell = ("%%dezero -o t\nimport sys\nx = Variable(np.array(0.5)); a = Square()(x); y = Square()(a)\n"
            "y.grad = np.array(1.0)\nsys.setprofile(None)\ny.backward()\n")
    result, _ = _run(shell, cell)
    assert result.success and sys.getprofile() is None
    notes = shell.user_ns["t"].graph.notes
    assert not any("Your hook is kept" in n for n in notes), notes
    assert any("removed the profile hook" in n for n in notes), notes
