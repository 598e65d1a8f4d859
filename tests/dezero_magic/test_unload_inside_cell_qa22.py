"""QA R22-6 / V22: a %%dezero cell of a student's own classes that unloads the extension
itself: the profile hook is gone because of the unload, not because the cell called
sys.setprofile(None) (the note said so), and the graph says recording stopped there."""
import sys

from dezero_magic.recursion_room import UNLOADED

CELL = """%%dezero -o _t
class Function:
    def __call__(self, input):
        y = self.forward(input.data); out = Var(y); out.creator = self; self.input = input; return out
class Var:
    def __init__(self, d): self.data = d; self.grad = None; self.creator = None
    def backward(self):
        f = self.creator
        if f is not None:
            f.input.grad = f.backward(self.grad); f.input.backward()
class Square(Function):
    def forward(self, x): return x ** 2
    def backward(self, gy): return 2 * self.input.data * gy
a = Var(np.array(3.0)); b = Square()(a)
get_ipython().run_line_magic('unload_ext', 'dezero_magic')
b.grad = np.array(1.0); b.backward()
"""


def test_an_unload_inside_a_students_cell_is_told_as_an_unload(shell, displayed):
    try:
        assert shell.run_cell(CELL).success
        notes = " ".join(shell.user_ns["_t"].graph.notes)
        assert UNLOADED in notes, notes
        assert "sys.setprofile(None)" not in notes and "own profile hook" not in notes
        assert sys.getprofile() is None
    finally:
        if "dezero_magic" not in shell.extension_manager.loaded:
            shell.run_line_magic("load_ext", "dezero_magic")


def test_an_unload_inside_a_dezero_cell_is_told_too(shell, displayed):
    try:
        cell = ("%%dezero -o _t\nx = Variable(np.array(2.0))\ny = x * 3\n%unload_ext dezero_magic\n"
                "z = y * 2\nz.backward()\n")
        assert shell.run_cell(cell).success
        assert UNLOADED in shell.user_ns["_t"].graph.notes
    finally:
        if "dezero_magic" not in shell.extension_manager.loaded:
            shell.run_line_magic("load_ext", "dezero_magic")


def test_an_interrupted_cell_is_captioned_as_interrupted_not_as_raised(shell, displayed):
    # QA V22: "(INCOMPLETE: the cell raised)" above a note saying "your code raised nothing"
    cell = "%%dezero -o _t\nx = Variable(np.array(2.0))\ny = x * 3\nraise KeyboardInterrupt\n"
    assert isinstance(shell.run_cell(cell).error_in_exec, KeyboardInterrupt)
    trace = shell.user_ns["_t"]
    assert trace.caption().startswith("INCOMPLETE — the cell was interrupted;")
    assert "(INCOMPLETE: the cell was interrupted)" in trace.text()
    assert shell.run_cell("%%dezero -o _t\nx = Variable(np.array(2.0))\ny = x * 3\n1 / 0\n").error_in_exec
    assert shell.user_ns["_t"].caption().startswith("INCOMPLETE — the cell raised;")
