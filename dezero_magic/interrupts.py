"""An interrupted `%%dezero` cell's traceback without the magic's own frames.

A KeyboardInterrupt lands wherever Python is when the user presses
Interrupt, and in a traced cell that is often inside the tracer's hooks:
the traceback then ended in `dezero_magic/raw_calls.py`, which reads as if
the magic had crashed. While the cell runs, IPython's custom exception
handler shows the same traceback without those innermost frames (a copy:
the exception keeps its own, for `failure.py` and for the user).
"""
import contextlib
import os
import types

_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_DEZERO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "dezero") + os.sep


def is_magic_frame(frame):
    """Whether `frame` runs this package's code (a tracer hook, say)."""
    return frame.f_code.co_filename.startswith(_HERE)


def _ours(node):
    return is_magic_frame(node.tb_frame)


def trimmed(tb):
    """A copy of traceback `tb` without its innermost frames that are the
    magic's own (and the dezero frames that called them); `tb` itself when
    it ends elsewhere."""
    nodes = []
    while tb is not None:
        nodes.append(tb)
        tb = tb.tb_next
    keep = len(nodes)
    while keep > 1 and _ours(nodes[keep - 1]):
        keep -= 1
    if keep < len(nodes):
        # dezero's frames that were only calling the magic's hook (Function.__call__
        # notifying observers): the interrupt is then shown at the user's own line.
        while keep > 1 and nodes[keep - 1].tb_frame.f_code.co_filename.startswith(_DEZERO):
            keep -= 1
    if keep == len(nodes):
        return nodes[0] if nodes else None
    copy = None
    for node in reversed(nodes[:keep]):
        copy = types.TracebackType(copy, node.tb_frame, node.tb_lasti, node.tb_lineno)
    return copy


def _show(shell, etype, value, tb, tb_offset=None):
    shell.showtraceback((etype, value, trimmed(tb)), tb_offset=tb_offset)
    return []


@contextlib.contextmanager
def interrupts_shown_without_our_frames(shell):
    """For the traced cell only; a user's own custom exception handlers,
    if any, are left alone (then nothing is trimmed)."""
    if getattr(shell, "custom_exceptions", None) != () or not hasattr(shell, "set_custom_exc"):
        yield
        return
    old_tb = shell.CustomTB
    shell.set_custom_exc((KeyboardInterrupt,), _show)
    ours = shell.CustomTB
    try:
        yield
    finally:
        if shell.CustomTB is ours:  # a handler the cell set itself stays
            shell.custom_exceptions = ()
            shell.CustomTB = old_tb
