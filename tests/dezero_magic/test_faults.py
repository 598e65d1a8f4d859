"""Injected faults in a `%%dezero` cell (issue 7, part 2).

A fault is raised in the cell body, in a Function's forward, in a backward,
in the tracer, in the renderer, and as KeyboardInterrupt (raised, and a real
SIGINT). Every case checks the same promises: the user's earlier variables
are intact, the traceback is the cell's own (type, message, line number),
the cell counts as failed exactly when the user's code failed, a fault of
ours never hides the cell's result, observers are removed, Config and the
garbage collector's state are restored, and the next plain cell runs
normally and records nothing.

The outputs are read with IPython's `capture_output`, so the real
`display()` and mime bundles are exercised (not a stub).
"""
import gc
import os
import re
import signal
import sys
import types

import numpy as np
import pytest
from IPython.utils.capture import capture_output

from dezero import Config, events
from dezero_magic.tracer import Tracer

DEFINITIONS = """
from dezero import Function

class Boom(Function):
    def forward(self, x):
        raise ValueError('forward boom')

class BadBack(Function):
    def forward(self, x):
        return x * 2
    def backward(self, gy):
        raise ArithmeticError('backward boom')

class Interrupting(Function):
    def forward(self, x):
        raise KeyboardInterrupt
"""


def state():
    """Everything a cell must leave as it found it."""
    return {"enable_backprop": Config.enable_backprop, "retain_grad": Config.retain_grad,
            "train": Config.train, "gc": gc.isenabled(), "threshold": gc.get_threshold(),
            "observers": events.observers(), "profile": sys.getprofile()}


@pytest.fixture
def ns(shell):
    """The shell with the faulty Functions and a variable made before the cell."""
    assert shell.run_cell(DEFINITIONS).success
    shell.run_cell("keep = Variable(np.array(5.0), name='keep')\nkept_list = [1, 2, 3]")
    return shell


def run(shell, cell):
    with capture_output() as cap:
        result = shell.run_cell(cell)
    return result, cap


def check_untouched(shell, before, keep):
    assert shell.user_ns["keep"] is keep
    assert float(keep.data) == 5.0 and keep.grad is None
    assert shell.user_ns["kept_list"] == [1, 2, 3]
    assert state() == before


def check_next_cell_is_plain(shell):
    """A plain cell after the fault: it runs, shows its value, draws nothing."""
    result, cap = run(shell, "z = F.exp(Variable(np.array(0.0)))\nz.data + 1")
    assert result.success and result.result == 2.0
    assert cap.outputs == [] and events.observers() == ()


USER_FAULTS = [
    # (cell body, exception type, message, the line the traceback points at)
    ("a = F.exp(keep)\nraise ValueError('cell boom')\nafter = 1", ValueError, "cell boom", 3),
    ("a = F.exp(keep)\ny = Boom()(a)\nafter = 1", ValueError, "forward boom", 3),
    ("a = F.exp(keep)\ny = BadBack()(a)\nz = F.sin(y)\nz.backward()\nafter = 1",
     ArithmeticError, "backward boom", 5),
    ("a = F.exp(keep)\nraise KeyboardInterrupt\nafter = 1", KeyboardInterrupt, "", 3),
    ("a = F.exp(keep)\ny = Interrupting()(a)\nafter = 1", KeyboardInterrupt, "", 3),
]


@pytest.mark.parametrize("options", ["", "--retain-grad -v"])
@pytest.mark.parametrize("body,exc_type,message,line", USER_FAULTS,
                         ids=["body", "forward", "backward", "interrupt", "interrupt-in-forward"])
def test_a_fault_in_the_users_code_is_the_cells_own_failure(ns, options, body, exc_type, message, line):
    keep, before = ns.user_ns["keep"], state()
    result, cap = run(ns, f"%%dezero {options}\n{body}")
    assert not result.success and type(result.error_in_exec) is exc_type
    shown = cap.stdout + cap.stderr
    assert exc_type.__name__ in shown and message in shown
    # IPython marks the failing line with an arrow; line 1 is the %%dezero line.
    assert re.search(rf"---->\s*{line}\b", shown), shown
    assert "a" in ns.user_ns and "after" not in ns.user_ns  # ran up to the fault, as a plain cell
    if exc_type is not KeyboardInterrupt:
        [out] = cap.outputs  # the graph recorded until the fault, marked incomplete
        assert "INCOMPLETE" in out.data["text/html"] and "Exp" in out.data["text/plain"]
    check_untouched(ns, before, keep)
    check_next_cell_is_plain(ns)


def test_a_fault_under_no_grad_restores_enable_backprop(ns):
    before = state()
    result, cap = run(ns, "%%dezero --no-grad\nassert not dezero.Config.enable_backprop\n"
                          "a = F.exp(keep)\nraise ValueError('under no_grad')")
    assert isinstance(result.error_in_exec, ValueError) and "under no_grad" in cap.stdout
    check_untouched(ns, before, ns.user_ns["keep"])
    check_next_cell_is_plain(ns)


def test_a_real_sigint_in_a_long_loop(ns):
    """Ctrl-C arrives wherever the interpreter is: in the user's code, in
    Function.__call__ or in the tracer's hook. Whatever it hit, the cell
    fails with KeyboardInterrupt and nothing of ours is left behind."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's KeyboardInterrupt here")
    keep, before = ns.user_ns["keep"], state()
    cell = ("%%dezero\nimport os, signal\ny = keep\n"
            "for i in range(2000):\n"
            "    y = F.sin(y) * 1.0001\n"
            "    if i == 1000:\n"
            "        os.kill(os.getpid(), signal.SIGINT)\n"
            "done = True")
    result, _cap = run(ns, cell)
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "done" not in ns.user_ns
    check_untouched(ns, before, keep)
    check_next_cell_is_plain(ns)


def _raise(exc):
    def broken(*args, **kwargs):
        raise exc

    return broken


@pytest.mark.parametrize("hook", ["on_forward", "on_backward_begin", "on_backward_step", "on_backward_end"])
def test_a_tracer_fault_leaves_the_cell_its_result(ns, monkeypatch, hook):
    """dezero.events removes a failing observer and warns; the cell goes on,
    and what is drawn says the tracer failed."""
    monkeypatch.setattr(Tracer, hook, _raise(RuntimeError("tracer bug")))
    keep, before = ns.user_ns["keep"], state()
    with pytest.warns(RuntimeWarning, match="tracer bug"):
        result, cap = run(ns, "%%dezero\ny = F.exp(keep * 2)\ny.backward()\nprint('printed')\nfloat(keep.grad.data)")
    assert result.success and result.result == pytest.approx(2 * np.exp(10.0))
    assert "printed" in cap.stdout
    [out] = cap.outputs
    assert "tracer" in out.data["text/html"] and "tracer bug" in out.data["text/html"]
    assert float(keep.grad.data) == pytest.approx(2 * np.exp(10.0))  # the user's backward ran in full
    keep.cleargrad()
    check_untouched(ns, before, keep)
    check_next_cell_is_plain(ns)


def test_ctrl_c_inside_the_tracer_fails_the_cell_and_cleans_up(ns, monkeypatch):
    monkeypatch.setattr(Tracer, "on_forward", _raise(KeyboardInterrupt()))
    keep, before = ns.user_ns["keep"], state()
    result, _cap = run(ns, "%%dezero --retain-grad\ny = F.exp(keep)\nafter = 1")
    assert isinstance(result.error_in_exec, KeyboardInterrupt) and "after" not in ns.user_ns
    check_untouched(ns, before, keep)
    monkeypatch.undo()
    check_next_cell_is_plain(ns)


RENDER_FAULTS = {
    "svg": ("dezero_magic.trace.render_svg", "could not draw this graph"),
    "layout": ("dezero_magic.trace.compute_layout", "could not draw this graph"),
    "text": ("dezero_magic.trace.render_text", "could not draw this graph"),
    "assembly": ("dezero_magic.cellrun.graph_from_tracer", "could not show the graph"),
    "display": ("dezero_magic.magic.display", "could not show the graph"),
}


@pytest.mark.parametrize("where", sorted(RENDER_FAULTS))
def test_a_renderer_fault_shows_the_cells_result_and_a_short_notice(ns, monkeypatch, where):
    target, notice = RENDER_FAULTS[where]
    monkeypatch.setattr(target, _raise(RuntimeError("renderer bug")))
    keep, before = ns.user_ns["keep"], state()
    result, cap = run(ns, "%%dezero\ny = F.exp(keep)\nprint('printed')\ny.data * 0 + 7")
    assert result.success and result.result == 7.0          # the cell's value, as Out[]
    assert "printed" in cap.stdout and "Traceback" not in cap.stdout + cap.stderr
    shown = cap.stdout + "".join(o.data.get("text/plain", "") for o in cap.outputs)
    assert notice in shown and "renderer bug" in shown
    assert len(shown) < 2000  # short: a notice, not a traceback
    assert float(ns.user_ns["y"].data) == pytest.approx(np.exp(5.0))
    check_untouched(ns, before, keep)
    monkeypatch.undo()
    check_next_cell_is_plain(ns)


def test_a_renderer_fault_does_not_hide_the_cells_own_error(ns, monkeypatch):
    monkeypatch.setattr("dezero_magic.trace.render_svg", _raise(RuntimeError("renderer bug")))
    result, cap = run(ns, "%%dezero\ny = F.exp(keep)\nraise LookupError('the real error')")
    assert isinstance(result.error_in_exec, LookupError)
    assert "LookupError" in cap.stdout and "the real error" in cap.stdout
    assert any("could not draw" in o.data["text/plain"] for o in cap.outputs)


def test_a_failing_widget_view_falls_back_to_the_static_graph(ns, monkeypatch):
    fake = types.ModuleType("dezero_magic.widgets")
    fake.view_for = _raise(RuntimeError("widget bug"))
    monkeypatch.setitem(sys.modules, "dezero_magic.widgets", fake)
    result, cap = run(ns, "%%dezero\ny = F.exp(keep)\ny.data * 0 + 7")
    assert result.success and result.result == 7.0
    [out] = cap.outputs
    assert "application/vnd.jupyter.widget-view+json" not in out.data
    assert "<svg" in out.data["image/svg+xml"] and 'data-node-id' in out.data["image/svg+xml"]
    assert "interactive view is unavailable" in out.data["text/html"] and "widget bug" in out.data["text/html"]


# -- in a real kernel -------------------------------------------------------

KERNEL_CELLS = [
    "%load_ext dezero_magic\nimport numpy as np\nimport dezero\nimport dezero.functions as F\nfrom dezero import Variable\n"
    + DEFINITIONS + "\nkeep = Variable(np.array(5.0))",
    "%%dezero\na = F.exp(keep)\ny = Boom()(a)",
    "import dezero_magic.trace as T\nreal_render = T.render_svg\n"
    "def broken(*a, **k):\n    raise RuntimeError('renderer bug')\nT.render_svg = broken",
    "%%dezero\ny = F.exp(keep)\nprint('printed')\ny.data * 0 + 7",
    "T.render_svg = real_render\nfrom dezero import events\n"
    "(float(keep.data), keep.grad, events.observers(), dezero.Config.enable_backprop)",
]


def test_in_a_kernel_failures_are_counted_and_numbered_as_the_cells_own(tmp_path):
    """nbclient and a fresh ipykernel: the failing %%dezero cell has an error
    output whose traceback names the cell by its own number (In[2] for [2]),
    the renderer fault leaves the cell's output and Out[] with a notice."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in KERNEL_CELLS])
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    os.environ["PATH"], old = path, os.environ.get("PATH", "")
    try:
        nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120, startup_timeout=120,
                                allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ["PATH"] = old
    cells = notebook.cells
    [error] = [o for o in cells[1].outputs if o.output_type == "error"]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert error.ename == "ValueError" and error.evalue == "forward boom"
    assert f"In[{cells[1].execution_count}], line 3" in plain, plain
    kinds = [o.output_type for o in cells[3].outputs]
    assert kinds == ["stream", "execute_result", "display_data"], kinds
    assert cells[3].outputs[0].text == "printed\n"
    assert cells[3].outputs[1].data["text/plain"] == "np.float64(7.0)"
    assert "could not draw this graph" in cells[3].outputs[2].data["text/plain"]
    assert cells[4].outputs[0].data["text/plain"] == "(5.0, None, (), True)"
