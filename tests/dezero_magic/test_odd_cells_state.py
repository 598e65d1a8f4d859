"""Odd cells that touch state outside the cell's names: a profile hook the
cell sets, another thread running dezero, a class the magic cannot inspect,
exceptions that cannot be printed, Ctrl-C in the -b backward."""
import sys
import threading

import pytest
from IPython.utils.capture import capture_output

from dezero import events
from dezero_magic import autoawait
from dezero_magic.exc_text import described, message

from student_code import STEP7


def run(shell, cell):
    with capture_output() as cap:
        result = shell.run_cell(cell)
    return result, cap


def test_a_profile_hook_the_cell_sets_is_kept_and_the_lost_order_told(shell):
    shell.run_cell(STEP7)
    cell = ("%%dezero -o t\nimport sys\ndef myprof(frame, event, arg): pass\n"
            "x = Variable(np.array(0.5)); a = Square()(x); y = Square()(a); y.grad = np.array(1.0)\n"
            "sys.setprofile(myprof)\ny.backward()\n")
    try:
        result, _ = run(shell, cell)
        assert result.success
        assert sys.getprofile() is shell.user_ns["myprof"]  # as a plain cell leaves it
    finally:
        sys.setprofile(None)
    notes = shell.user_ns["t"].graph.notes
    assert any("set its own profile hook" in n and "Your hook is kept" in n for n in notes)


def test_a_class_whose_metaclass_getattr_raises_does_not_stop_the_cell(shell):
    shell.run_cell("class Meta(type):\n    def __getattr__(cls, name):\n        raise KeyError(name)\n"
                   "class Weird(metaclass=Meta):\n    pass\n")
    result, cap = run(shell, "%%dezero -o t\nx = Variable(np.array(2.0)); y = F.exp(x); print('ran')\n")
    assert result.success and "ran" in cap.stdout
    assert [f.op for f in shell.user_ns["t"].graph.functions.values()] == ["Exp"]


def test_another_threads_dezero_is_left_out_and_counted(shell):
    stop = threading.Event()
    started = threading.Event()

    def background():
        import numpy as np

        import dezero.functions as F
        from dezero import Variable
        w = Variable(np.array(1.0))
        while not stop.is_set():
            loss = F.sin(w) * w
            w.cleargrad()
            # create_graph: a plain backward turns dezero's shared Config (the book's design)
            # to no_grad for every thread while it runs, and the cell's own Exp could build no graph
            loss.backward(create_graph=True)
            started.set()

    worker = threading.Thread(target=background, daemon=True)
    worker.start()
    try:
        assert started.wait(10)
        result, _ = run(shell, "%%dezero -o t\nimport time\nx = Variable(np.array(2.0), name='x')\n"
                               "y = F.exp(x)\ntime.sleep(0.05)\ny.backward()\n")
    finally:
        stop.set()
        worker.join(10)
    assert result.success
    graph = shell.user_ns["t"].graph
    assert [f.op for f in graph.functions.values()] == ["Exp"]
    assert {v.label for v in graph.variables.values()} == {"x", "y"}
    assert any(n.startswith("Other threads ran dezero") for n in graph.notes)
    assert events.observers() == ()


def test_ctrl_c_in_the_b_backward_draws_the_graph_and_fails_the_cell(shell):
    shell.run_cell("from dezero import Function\nclass KB(Function):\n"
                   "    def forward(self, x):\n        return x * 2\n"
                   "    def backward(self, gy):\n        raise KeyboardInterrupt\n")
    result, cap = run(shell, "%%dezero -b y -o t\nx = Variable(np.array(2.0)); y = KB()(x)\n")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    shown = cap.stdout + cap.stderr
    assert "-b y: was interrupted (the cell itself had run)" in shown and "raise KeyboardInterrupt" in shown
    assert "run_cell_magic" not in shown and "cellrun.py" not in shown
    graph = shell.user_ns["t"].graph
    assert [f.op for f in graph.functions.values()] == ["KB"]
    assert any("raised" in n for n in graph.notes)


BAD_STR = ("class Bad(Exception):\n    def __str__(self):\n        raise RuntimeError('str broke')\n"
           "from dezero import Function\nclass Boom(Function):\n"
           "    def forward(self, x):\n        raise Bad()\n")


def test_an_exception_that_cannot_be_printed_keeps_the_graph(shell):
    shell.run_cell(BAD_STR)
    result, cap = run(shell, "%%dezero -o t\nx = Variable(np.array(2.0)); y = F.exp(x); z = Boom()(y)\n")
    assert type(result.error_in_exec).__name__ == "Bad"
    assert "could not show the graph" not in cap.stdout
    graph = shell.user_ns["t"].graph
    assert [f.op for f in graph.functions.values()] == ["Exp"]
    note = next(n for n in graph.notes if n.startswith("The cell raised in Boom("))
    assert "Bad: <its message could not be read: RuntimeError in Bad.__str__>" in note


def test_exception_text_survives_a_raising_str():
    class Bad(Exception):
        def __str__(self):
            raise ValueError("no")

    assert message(ValueError("plain")) == "plain"
    assert described(Bad()) == "Bad: <its message could not be read: ValueError in Bad.__str__>"


def test_the_outer_result_is_restored_when_the_nested_run_itself_raises(shell, monkeypatch):
    # ipykernel's traceback display calls str() on the error: a raising
    # __str__ escapes run_cell; the outer cell's result must not stay reset.
    from dezero_magic import cellrun

    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

    outer = ExecutionResult(ExecutionInfo("%%dezero\nx = 1\n", False, False, True, None))
    monkeypatch.setattr(shell.displayhook, "exec_result", outer, raising=False)

    def exploding(*args, **kwargs):
        shell.displayhook.exec_result = None
        raise RuntimeError("escaped")

    monkeypatch.setattr(shell, "run_cell", exploding)
    opts = cellrun.CellOptions()
    with pytest.raises(RuntimeError, match="escaped"):
        cellrun.execute(shell, "x = 1\n", opts, lambda obj: None)
    assert shell.displayhook.exec_result is outer
    assert events.observers() == ()


def test_an_unknown_cell_magic_below_shows_its_error_alone(shell):
    result, cap = run(shell, "%%dezero\n%%nosuchmagic\nx = 1\n")
    assert "nosuchmagic" in str(result.error_in_exec)
    assert not [o for o in cap.outputs if "image/svg+xml" in o.data]
    assert "No dezero computation" not in cap.stdout


def test_a_body_too_deep_to_compile_is_left_to_ipython(shell, monkeypatch):
    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded during compilation")

    monkeypatch.setattr(shell, "should_run_async", too_deep)
    assert autoawait._body_awaits(shell, "y = x + x\n") is False
