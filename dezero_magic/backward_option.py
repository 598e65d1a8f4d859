"""The -b EXPR option of %%dezero: the backward the magic calls after the
cell ran, and the traceback shown when the user's backward raised."""
import sys

import numpy as np

from dezero_magic.adapters import is_students
from dezero_magic.exc_text import described
from dezero_magic.interrupts import is_magic_frame
from dezero_magic.links import is_variable_like
from dezero_magic.magic_help import value_is
from dezero_magic.naming import attr_of
from dezero_magic.tuple_hint import tuple_hint


def call_backward(shell, expr):
    """Evaluate `-b EXPR` and call .backward() on it. Returns None, a message
    (the option was wrong: no value, or no .backward()), or the exception
    that .backward() raised (the user's code failed: shown as a traceback)."""
    try:
        value = eval(expr, shell.user_ns)  # noqa: S307 - the user's own expression, in their namespace
    except KeyboardInterrupt as exc:  # (a slow EXPR stopped: the cell fails as at an interrupt, graph drawn)
        return exc
    except Exception as exc:  # noqa: BLE001 - reported as the option's error
        return f"-b {expr}: evaluating it raised {described(exc)}"
    method = getattr(value, "backward", None)
    if not callable(method):
        if is_students(value) and isinstance(attr_of(value, "data"), (np.ndarray, np.generic)):
            # Their Variable before book step 7: "not a Variable" would contradict itself.
            return (f"-b {expr}: your {type(value).__name__} class has no backward() method yet (book "
                    "step 7 adds it); call the functions' backward methods in the cell, as in step 6")
        if is_variable_like(value):  # a Variable-like object of another kind: "not a Variable" would be odd
            return (f"-b {expr}: its value is of type {type(value).__name__}, which has no .backward(); "
                    "give an expression whose value is a Variable, e.g. -b loss")
        hint = tuple_hint(expr, value, "-b")
        if hint:  # worded as %dezero's
            return f"-b {expr}: its value is a tuple, not a Variable. {hint}"
        return (f"-b {expr}: its value is {value_is(value)}, not a Variable, so it has no "
                ".backward(); give an expression whose value is a Variable, e.g. -b loss")
    try:
        method()
    except BaseException as exc:  # noqa: BLE001 - the user's backward failed (Ctrl-C and sys.exit too,
        return exc                # as a plain cell shows them): their traceback, the graph drawn
    return None


def show_backward_failure(shell, expr, exc):
    """The traceback of a -b backward that raised, from the user's code on
    (their own Function.backward, with its line), as a cell that called
    EXPR.backward() itself would show it."""
    what = "was interrupted" if isinstance(exc, KeyboardInterrupt) else f"{expr}.backward() raised"
    print(f"%%dezero -b {expr}: {what} (the cell itself had run):", file=sys.stderr)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and is_magic_frame(tb.tb_frame):
        tb = tb.tb_next
    shell.showtraceback((type(exc), exc, tb))
