"""What `backward_watch` records of a student's backward pass: one
`BackwardCall` per backward step, the `Pass` that holds them, the grads
taken while the pass runs, and the inputs read of a function (`inputs_of`).

Taking a grad must be cheap: the watch takes several per step, and a book
loop without a `seen` set runs tens of thousands of steps of which only the
last MAX_CALLS are kept. So a small array (at most SNAPSHOT_ITEMS elements,
a student's usual grad) is taken as a bare copy, and a number as it is
(numbers cannot change), and either is made a `Snapshot` only when a kept
call's grads are read: the copy holds everything `snapshot` would have
taken of the array then (shape, dtype, bytes, size, the whole array as its
head), so the values read are the same. Anything else is snapshotted at
once, as before (a large array is measured in full, and only then can it be).
"""
import weakref

import numpy as np

from dezero_magic.preview import SNAPSHOT_ITEMS, Snapshot, snapshot

_ndarray = np.ndarray


def weak(obj):
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


_PLAIN = (np.ndarray, np.generic, int, float, complex)  # what preview.data_of returns as it is
# Numbers no one can change in place (not np.void: indexing a structured array
# gives one that writes through to it): kept as they are, snapshotted when read.
NUMBERS = frozenset([float, int, bool, complex]
                     + [t for t in set(np.sctypeDict.values()) if issubclass(t, (np.number, np.bool_))])


def take(g):
    """What `snapshot(data_of(g))` needs of a grad `g` (an array, a number, a
    Variable-like or None), taken now: a copy of a small array, a number as
    it is (`x.grad + gx` of 0-d arrays is a numpy scalar), else the snapshot."""
    if type(g) is not _ndarray and g is not None and not isinstance(g, _PLAIN):
        g = getattr(g, "data", g)  # as data_of
    kind = type(g)
    if kind is _ndarray:
        return g.copy() if g.size <= SNAPSHOT_ITEMS else snapshot(g)
    if kind in NUMBERS:
        return g
    return snapshot(g)


def made(taken):
    """The Snapshot of what `take` took: the same as `snapshot` made of the grad then."""
    kind = type(taken)
    if kind is _ndarray:  # a copy of the whole array: `snapshot` of it, without another copy
        return Snapshot(taken.shape, taken.dtype, taken.nbytes, taken, taken.size)
    if kind in NUMBERS:
        return snapshot(taken)
    return taken


def changed(taken, array):
    """Whether `array` no longer holds what `take` took of it (the first
    SNAPSHOT_ITEMS elements are compared: a change past them goes unseen)."""
    if type(taken) is _ndarray:
        head = taken
        if array.shape != head.shape:
            return False
        kind = head.dtype.kind
        # Same bytes, same numbers (NaNs alike): array_equal's answer, without its cost
        # (not for objects or NaT, which never equal themselves, nor -0.0 against 0.0).
        if array.dtype is head.dtype and kind in "biufc" and array.tobytes() == head.tobytes():
            return False
    else:
        if taken is None or taken.head is None or array.shape != taken.shape:
            return False
        head = taken.head
        kind = head.dtype.kind
    try:
        now = array.reshape(-1)[:head.size]
        return not np.array_equal(now, head.reshape(-1), equal_nan=kind in "fc")
    except Exception:  # noqa: BLE001 - an odd dtype cannot be compared: no change is claimed
        return False


def inputs_of(func):
    """`links.func_inputs(func)` in one frame, the same attributes read in the
    same order (the watch reads them on every backward step; tests pin the two alike).
    `try: x.a` is attr_of's getattr(x, "a", None) without a builtin's call."""
    try:
        xs = func.inputs
    except Exception:  # noqa: BLE001 - as attr_of: a user property that raises counts as absent
        xs = None
    if xs is None:
        try:
            xs = func.input
        except Exception:  # noqa: BLE001 - as attr_of
            return []
        if xs is None:
            return []
    found = []
    for x in xs if isinstance(xs, (list, tuple)) else (xs,):
        if isinstance(x, weakref.ref):
            x = x()
        # links.is_variable_like: hasattr lets all but AttributeError through
        if isinstance(x, type):
            continue
        try:
            x.creator
        except AttributeError:
            continue
        try:
            if x.data is not None:
                found.append(x)
                continue
        except Exception:  # noqa: BLE001 - as attr_of
            pass
        try:
            if x.creator is not None:
                found.append(x)
        except Exception:  # noqa: BLE001 - as attr_of
            pass
    return found


class _Made:
    """A BackwardCall attribute made by `make(call)` when first read and kept in
    the slot named `_` + its name (not kept when it makes None: it is made again,
    once there is something to make it of). Setting it sets that slot, and the
    `taken` one where it has one (a value set is what was taken)."""

    def __init__(self, make, taken=None, doc=None):
        self.make, self.taken, self.__doc__ = make, taken, doc

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, call, owner=None):
        if call is None:
            return self
        try:
            return getattr(call, self.slot)
        except AttributeError:
            value = self.make(call)
            if value is not None:
                setattr(call, self.slot, value)
            return value

    def __set__(self, call, value):
        setattr(call, self.slot, value)
        if self.taken is not None:
            setattr(call, self.taken, value)


class BackwardCall:
    """One observed call of a student's `Function.backward`. `gys`, `gxs`
    and `held` are made Snapshots when first read (see the module's doc);
    `held`, `changed` and `bare`, mostly empty, are made when first needed
    (a dropped call then never allocates them)."""

    __slots__ = ("func_ref", "func_id", "func_kind", "taken_gys", "taken_gxs", "taken_held", "_gys", "_gxs",
                 "_held", "queue", "pending", "raised", "returned_none", "gy_refs", "_changed", "own_change",
                 "_bare")

    def __init__(self, func, gys, queue, gy_refs=()):
        try:
            self.func_ref = weakref.ref(func)
        except TypeError:
            self.func_ref = None
        self.func_id = id(func)
        # A `__slots__` class without `__weakref__` cannot be weakly referenced: its
        # calls are matched by id() and class name to the functions found alive in
        # the drawn graph (`func_for`); a strong reference would keep them alive.
        self.func_kind = type(func).__name__ if self.func_ref is None else None
        self.taken_gys = gys   # what `take` took of the grads it was given
        self.taken_gxs = None  # ... of the grads it returned
        self.taken_held = None  # ... of the grad each input held before the pass, by id (None: none)
        self.queue = queue    # ids of the functions left in the caller's `funcs` list
        self.pending = None   # ids, in pop order, still queued after this step
        self.raised = False   # an exception left the backward
        self.returned_none = False  # it returned None (a backward without `return`)
        self.gy_refs = gy_refs  # weakrefs to the grad arrays it was given (None where not an ndarray)
        self.own_change = False  # the backward itself changed a grad array it was given
        # (unset until needed: _gys, _gxs, _held, _changed, _bare)

    gys = _Made(lambda call: [made(t) for t in call.taken_gys], "taken_gys",
                doc="Snapshots of the grads it was given.")
    gxs = _Made(lambda call: None if call.taken_gxs is None else [made(t) for t in call.taken_gxs], "taken_gxs",
                doc="Snapshots of the returned grads, one per input (None: raised, or returned None).")
    held = _Made(lambda call: {k: made(t) for k, t in (call.taken_held or {}).items()}, "taken_held",
                 doc="id of an input -> snapshot of the grad it held before the pass.")
    changed = _Made(lambda call: {}, doc="index in gys -> snapshot: that array changed in place later in the pass.")
    bare = _Made(lambda call: set(), doc="ids of the inputs whose grad was None when it was called.")

    def func(self):
        return self.func_ref() if self.func_ref is not None else None

    def func_for(self, alive):
        """The function called: by weakref, else (no weakref possible) the one of
        `alive` (id() -> function, found in the drawn graph) with its id and class."""
        if self.func_ref is not None:
            return self.func_ref()
        f = alive.get(self.func_id)
        return f if f is not None and type(f).__name__ == self.func_kind else None

    def gy_array(self, i):
        """The grad array given as its i-th output grad, if still alive."""
        ref = self.gy_refs[i] if i < len(self.gy_refs) else None
        return ref() if ref is not None else None

    def given_changed(self):
        """Whether a grad array it was given and that is still alive differs from what was taken of it."""
        for t, ref in zip(self.taken_gys, self.gy_refs):
            if ref is not None:
                array = ref()
                if array is not None and changed(t, array):
                    return True
        return False


class Pass(list):
    """The calls of one backward pass (a list, as before), with what is
    known of the pass itself: `start`, a weakref to the variable whose
    backward began it; `seedless`, its grad was None then; `finished`, the
    outermost Variable.backward returned (did not raise, is not running);
    `adds_in_place`, that Variable.backward's code has an in-place `+=`;
    `counts`, id of a function -> how many times its backward ran in the pass
    (all of them, also those past the MAX_CALLS kept); `used`, id of a leaf
    -> (weakref or None, `light_snapshot` of its data when the pass first
    reached it): an optimizer step after the pass changes it. `recursed`: the
    recording stopped while the pass ran, near the recursion limit (its calls
    are the first ones only, and whatever it did after them is unknown)."""

    recursed = False

    def __init__(self, calls=(), start=None, seedless=False, finished=False, adds_in_place=False,
                 counts=None, used=None):
        super().__init__(calls)
        self.start = start
        self.seedless = seedless
        self.finished = finished
        self.adds_in_place = adds_in_place
        self.counts = {} if counts is None else counts
        self.used = {} if used is None else used

    def start_variable(self):
        return self.start() if self.start is not None else None
