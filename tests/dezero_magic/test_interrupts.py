"""An interrupt that lands in the tracer's hooks: the traceback the user
sees ends in their code or dezero's, not in the magic's own frames."""
import os
import sys

import pytest
from IPython.utils.capture import capture_output

import dezero_magic
from dezero_magic import raw_calls
from dezero_magic.interrupts import trimmed

HOOK_FILE = os.path.join(os.path.dirname(dezero_magic.__file__), "raw_calls.py")


def magic_code(source, name):
    """A function whose frames count as the magic's (compiled as if in raw_calls.py)."""
    namespace = {}
    exec(compile(source, HOOK_FILE, "exec"), namespace)
    return namespace[name]


def frames(tb):
    out = []
    while tb is not None:
        out.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return out


def test_trimmed_drops_only_the_innermost_frames_of_the_magic():
    hook = magic_code("def hook():\n    inner()\ndef inner():\n    raise KeyboardInterrupt\n", "hook")

    def user():
        hook()

    with pytest.raises(KeyboardInterrupt) as info:
        user()
    tb = info.value.__traceback__
    assert frames(tb)[-2:] == [HOOK_FILE, HOOK_FILE]
    kept = frames(trimmed(tb))
    assert kept == frames(tb)[:-2] and HOOK_FILE not in kept
    assert frames(info.value.__traceback__)[-1] == HOOK_FILE  # the exception's own is untouched
    with pytest.raises(ZeroDivisionError) as other:
        user_error = 1 / 0  # noqa: F841
    assert trimmed(other.value.__traceback__) is other.value.__traceback__


def test_an_interrupt_in_a_hook_shows_no_frame_of_the_magic(shell, monkeypatch):
    calls = {"n": 0}
    original = raw_calls.RawCalls.on_forward
    interrupting = magic_code(
        "def on_forward(self, function, inputs, outputs):\n"
        "    calls['n'] += 1\n"
        "    if calls['n'] == 50:\n"
        "        raise KeyboardInterrupt\n"
        "    return original(self, function, inputs, outputs)\n", "on_forward")
    interrupting.__globals__.update(calls=calls, original=original)
    monkeypatch.setattr(raw_calls.RawCalls, "on_forward", interrupting)
    with capture_output() as cap:
        result = shell.run_cell("%%dezero --static\nx = Variable(np.array(0.5))\ny = x\n"
                                "for i in range(100):\n    y = F.sin(y)\n")
    shown = cap.stdout + cap.stderr
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "KeyboardInterrupt" in shown and "dezero_magic" not in shown.split("KeyboardInterrupt", 1)[1]
    assert "never returned" not in shown  # the Sin had returned: its hook was running
    # nor dezero's frame that was calling the hook: the traceback ends at the cell's own line
    assert "hook(self, inputs, outputs)" not in shown and "y = F.sin(y)" in shown
    assert shell.custom_exceptions == ()
    assert sys.getprofile() is None


def test_a_handler_the_cell_sets_itself_is_kept(shell):
    def mine(self, etype, value, tb, tb_offset=None):
        return []

    try:
        shell.user_ns["mine"] = mine
        assert shell.run_cell("%%dezero --static\nget_ipython().set_custom_exc((ZeroDivisionError,), mine)\n"
                              "x = Variable(np.array(1.0))").success
        assert shell.custom_exceptions == (ZeroDivisionError,)
    finally:
        shell.set_custom_exc((), None)
        shell.custom_exceptions = ()


def test_an_interrupt_while_the_b_expression_is_evaluated_fails_the_cell_with_its_graph(shell, displayed):
    # QA R22-8: it escaped the magic before the graph was drawn, with the magic's frames in the traceback
    shell.user_ns["slow_loss"] = lambda y: (_ for _ in ()).throw(KeyboardInterrupt())
    with capture_output() as cap:
        result = shell.run_cell("%%dezero -b slow_loss(y)\nx = Variable(np.array(0.5))\ny = F.sin(x)\n")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert displayed and displayed[-1].graph.functions  # the Sin the cell ran is drawn
    assert "-b slow_loss(y): was interrupted (the cell itself had run)" in cap.stderr
    assert shell.custom_exceptions == () and sys.getprofile() is None
