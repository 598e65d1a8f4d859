"""Running a recorded graph's code again without changing what the user has:
what the Gradients check, its plot and the Backward tab's book replay wear.

A %%dezero cell must run exactly as a plain cell, so whose code runs again,
and when, is decided by where its class lives. dezero's own Function
classes (module `dezero` or under `dezero.`) are known: they print nothing,
draw no random numbers and change nothing but the Function itself (in place
only BatchNorm's running mean and var), so they may run at display time, on
copies (`copy_function`). Any other class (a Function subclass typed into a
cell, a student's own Variable and Function) is the user's code: it may
print, append to a list, train a model, so it runs again only when the user
asks (`own_classes` names it, so the views can say what would run).

`isolated()` wraps every re-run, of either kind: what the code prints
(stdout, stderr, Python warnings) is kept from the cell's output, and
NumPy's and `random`'s global generators are restored after it, so later
cells draw the numbers they would have drawn.
"""
import contextlib
import copy
import io
import random
import warnings

import numpy as np


def is_dezero_own(obj):
    """Whether obj's class is one of dezero's own (not a subclass the user typed)."""
    home = getattr(type(obj), "__module__", None) or ""
    return home == "dezero" or home.startswith("dezero.")


def own_classes(funcs):
    """Names of the classes among `funcs` that are the user's code, each once, in order."""
    names = {}
    for f in funcs:
        if not is_dezero_own(f):
            names.setdefault(type(f).__name__, None)
    return list(names)


def _is_array(value):
    # NumPy's, or a GPU array (CuPy): both have copy() and are updated in place the same way
    return isinstance(value, np.ndarray) or hasattr(value, "__cuda_array_interface__")


def copy_function(f):
    """A shallow copy of `f` whose array attributes are copies too: what a
    forward assigns lands on the copy, and what it updates in place
    (BatchNorm's `avg_mean *= decay`) updates the copy's own array."""
    dup = copy.copy(f)
    state = getattr(dup, "__dict__", None)
    if state:
        for name, value in list(state.items()):
            if _is_array(value):
                state[name] = value.copy()
    return dup


class Hidden:
    """What the re-run code printed (kept from the cell's output): `text`, `lines`."""

    def __init__(self):
        self.text = ""

    @property
    def lines(self):
        return len(self.text.splitlines())


@contextlib.contextmanager
def isolated():
    """Run the body with its prints and warnings hidden and the global random
    generators restored afterwards; yields a `Hidden` filled on exit."""
    numpy_state, random_state = np.random.get_state(), random.getstate()
    out, hidden = io.StringIO(), Hidden()
    try:
        # An ignored warning is not entered in the registry, so the user still
        # sees it the first time their own code raises it.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield hidden
    finally:
        hidden.text = out.getvalue()
        np.random.set_state(numpy_state)
        random.setstate(random_state)
