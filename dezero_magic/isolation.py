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
cells draw the numbers they would have drawn. Nor is it recorded: a
`%%dezero` cell that displays a view (`%dezero y`, `display(t0)`) would
otherwise draw the checks' and replays' hundreds of calls as its own, so
no dezero observer hears the re-run and no profile hook (the one that
watches students' classes) sees it; both are put back afterwards.
"""
import contextlib
import copy
import io
import random
import sys
import warnings

import numpy as np

from dezero import events


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


# A Function's links to its graph: shared, so a backward run on the copy reads the
# user's own Variables (the re-runs never change those, nor their lists).
_LINKS = frozenset(("inputs", "outputs", "input", "output"))
_CONTAINERS = (list, dict, set, bytearray)


def _own_copy(name, value):
    """The copy's own version of an attribute, or None to share it: arrays (updated
    in place: BatchNorm's `avg_mean *= decay`) and containers, one level down (a
    forward's `self.seen.append(x.shape)`); the arrays and objects inside stay shared."""
    if _is_array(value):
        return value.copy()
    if isinstance(value, _CONTAINERS) and name not in _LINKS:
        return copy.copy(value)
    return None


def _slot_names(cls):
    """The `__slots__` attribute names of cls and its bases, as stored (private ones mangled)."""
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name in ("__dict__", "__weakref__"):
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = f"_{klass.__name__.lstrip('_')}{name}"
            yield name


def copy_function(f):
    """A shallow copy of `f` whose array, list, dict and set attributes are
    copies too (in `__dict__` and in `__slots__`): what a forward or backward
    assigns, updates in place or appends lands on the copy. The graph links
    (`inputs`, `outputs`) and what the containers hold are shared."""
    dup = copy.copy(f)
    state = getattr(dup, "__dict__", None)
    if state:
        for name, value in list(state.items()):
            mine = _own_copy(name, value)
            if mine is not None:
                state[name] = mine
    for name in _slot_names(type(dup)):
        try:
            value = object.__getattribute__(dup, name)
        except AttributeError:   # a slot never set
            continue
        mine = _own_copy(name, value)
        if mine is not None:
            try:
                object.__setattr__(dup, name, mine)
            except (AttributeError, TypeError):   # a read-only slot (a C type's): shared, as before
                pass
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
    """Run the body with its prints and warnings hidden, unrecorded (no dezero
    observer, no profile hook), and the global random generators and the
    profile hook restored afterwards; yields a `Hidden` filled on exit."""
    numpy_state, random_state = np.random.get_state(), random.getstate()
    # Only our own hook (the one that watches students' classes) is set aside: a profiler's
    # (cProfile under %prun) cannot be set back by sys.setprofile, and would stop recording.
    profile = sys.getprofile()
    ours = type(getattr(profile, "__self__", None)).__module__.startswith("dezero_magic.")
    out, hidden = io.StringIO(), Hidden()
    try:
        if ours:
            sys.setprofile(None)
        # An ignored warning is not entered in the registry, so the user still
        # sees it the first time their own code raises it.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), warnings.catch_warnings(), \
                events.unobserved():
            warnings.simplefilter("ignore")
            yield hidden
    finally:
        try:
            hidden.text = out.getvalue()
            np.random.set_state(numpy_state)
            random.setstate(random_state)
        finally:
            if ours:
                sys.setprofile(profile)   # last: the cell's hook sees none of this
