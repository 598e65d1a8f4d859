"""Observing the backward pass of students' own book-style classes.

A student's `Function` (steps 6-24 typed into cells) emits no dezero
events, so its backward order is observed from the outside. Chosen
approach: a `sys.setprofile` hook, installed only for cells that define a
class with a `backward` method or run in a namespace that holds such
classes (not dezero's), and always removed afterwards. The hook looks at
Python `call`/`return` events only: a call of a method named `backward`
whose `self` is function-like (has `input`/`inputs` and `output`/`outputs`)
and is not a dezero Function is one backward step; its arguments are the
output grads, its return value the input grads. A backward called while
the same object's backward is still running (`super().backward(gy)` in a
subclass) is part of that step, not another one.

Why not wrap the classes' `backward` methods: classes the cell itself
defines do not exist before the cell runs, and a class redefined halfway
through the cell would escape the wrapper; the profile hook sees every
call, whatever class it belongs to, and changes no user object. Its cost
(a Python callback on every call and return, a few times slower for call-
heavy code) is paid only by such cells; `benchmarks/bench_magic.py`
measures it.

When the caller is the book's list-based loop (`funcs = [...]`,
`f = funcs.pop()`, steps 12-16), the hook also reads that list to show the
queue the algorithm holds at each step.

A profile hook's `return` event comes both for a normal return and for an
exception unwinding the frame (then its value is None): `_returned` tells
them apart by the instruction the frame stopped at, so a backward that
raised is recorded as raised, not as one that returned None.
"""
import ast
import dis
import sys
import types
import weakref

import numpy as np

from dezero.core import Function as DezeroFunction
from dezero_magic.links import func_inputs
from dezero_magic.naming import attr_of
from dezero_magic.cell_names import names_in
from dezero_magic.preview import SNAPSHOT_ITEMS, Snapshot, data_of, snapshot

MAX_CALLS = 2000


def is_function_like(obj):
    try:
        return ((hasattr(obj, "inputs") or hasattr(obj, "input"))
                and (hasattr(obj, "outputs") or hasattr(obj, "output"))
                and not hasattr(obj, "creator"))
    except Exception:  # noqa: BLE001 - a user property that raises is not a function
        return False


def _defines_backward_class(cell):
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "backward":
                    return True
    return False


def _is_student_class(value):
    try:
        return (isinstance(value, type) and not issubclass(value, DezeroFunction)
                and callable(getattr(value, "backward", None)))
    except Exception:  # noqa: BLE001 - a metaclass __getattr__ may raise anything: not a student's class
        return False


def _student_classes(namespace):
    """Names of the namespace's classes with a `backward` that are not dezero's
    (a student's Function classes, and their Variable class)."""
    return {name for name, value in list(namespace.items())
            if _is_student_class(value) and not from_dezero(value)}


def from_dezero(obj):
    module = getattr(obj, "__module__", None) or ""
    # dezero.core_simple is the book's step-24 core (steps 28-29): it emits no events, so
    # its backward is watched like a student's own
    return module.split(".")[0] in ("dezero", "dezero_magic") and module != "dezero.core_simple"


def _touches(value, classes, depth=0):
    """Whether `value` can run a student's backward: one of their classes,
    an instance of one, a function that names one (`square(x)` building a
    `Square()`), or a short list/tuple holding such a thing."""
    if isinstance(value, type):
        return value.__name__ in classes and not from_dezero(value)
    if isinstance(value, types.FunctionType):
        return not from_dezero(value) and bool(classes.intersection(value.__code__.co_names))
    if isinstance(value, (list, tuple)) and depth == 0:
        return any(_touches(v, classes, 1) for v in value[:16])
    kind = type(value)
    return kind.__name__ in classes and not from_dezero(kind)


def needed(cell, namespace, names=None):
    """Whether `cell` may run students' own Function classes: it defines one,
    or it mentions a name that can run one (a cell of pure dezero code in a
    notebook that also holds a student's classes is not slowed down).
    `names`: the names the cell mentions, when the caller has them."""
    if _defines_backward_class(cell):
        return True
    namespace = namespace or {}
    classes = _student_classes(namespace)
    if not classes:
        return False
    names = names_in(cell) if names is None else names
    return any(_touches(namespace[name], classes) for name in names if name in namespace)


def _weak(obj):
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


class BackwardCall:
    """One observed call of a student's `Function.backward`."""

    __slots__ = ("func_ref", "func_id", "func_kind", "gys", "gxs", "queue", "pending", "held", "raised",
                 "returned_none", "gy_refs", "changed", "own_change", "bare")

    def __init__(self, func, gys, queue):
        self.func_ref = _weak(func)
        self.func_id = id(func)
        # A `__slots__` class without `__weakref__` cannot be weakly referenced: its
        # calls are matched by id() and class name to the functions found alive in
        # the drawn graph (`func_for`); a strong reference would keep them alive.
        self.func_kind = type(func).__name__ if self.func_ref is None else None
        self.gys = gys
        self.gxs = None       # snapshots of the returned grads, one per input (None: raised, or returned None)
        self.queue = queue    # ids of the functions left in the caller's `funcs` list
        self.pending = None   # ids, in pop order, still queued after this step
        self.held = {}        # id of an input -> snapshot of the grad it held before the pass
        self.raised = False   # an exception left the backward
        self.returned_none = False  # it returned None (a backward without `return`)
        self.gy_refs = ()     # weakrefs to the grad arrays it was given (None where not an ndarray)
        self.changed = {}     # index in gys -> snapshot: that array changed in place later in the pass
        self.own_change = False  # the backward itself changed a grad array it was given
        self.bare = set()     # ids of the inputs whose grad was None when it was called

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


class Pass(list):
    """The calls of one backward pass (a list, as before), with what is
    known of the pass itself: `start`, a weakref to the variable whose
    backward began it; `seedless`, its grad was None then; `finished`, the
    outermost Variable.backward returned (did not raise, is not running);
    `adds_in_place`, that Variable.backward's code has an in-place `+=`;
    `counts`, id of a function -> how many times its backward ran in the pass
    (all of them, also those past the MAX_CALLS kept); `used`, id of a leaf
    -> (weakref or None, `light_snapshot` of its data when the pass first
    reached it): an optimizer step after the pass changes it."""

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


_RETURNS = {dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap}


def _returned(frame):
    """Whether a frame at its `return` profile event returned normally: it
    stopped at a return instruction (RETURN_VALUE, and from 3.12 on
    RETURN_CONST; `co_code` holds the unspecialized opcodes, `f_lasti` is a
    byte offset in 3.9 to 3.13). An exception unwinding the frame stops it
    at the instruction that raised."""
    code = frame.f_code.co_code
    at = frame.f_lasti
    return 0 <= at < len(code) and code[at] in _RETURNS


# code object -> whether it (or a def inside it) has an in-place `+=`: read
# once per Variable.backward, not once per pass (a training loop runs many)
_IN_PLACE_ADDS = weakref.WeakKeyDictionary()


def _adds_in_place(code):
    found = _IN_PLACE_ADDS.get(code)
    if found is None:
        found = any(i.opname == "INPLACE_ADD" or (i.opname == "BINARY_OP" and i.argrepr == "+=")
                    for i in dis.get_instructions(code))
        found = found or any(_adds_in_place(c) for c in code.co_consts if isinstance(c, types.CodeType))
        _IN_PLACE_ADDS[code] = found
    return found


def light_snapshot(data):
    """A Snapshot of `data` that copies at most SNAPSHOT_ITEMS elements and
    measures nothing (`preview.snapshot` reduces a large array: too dear for
    every leaf of every pass of a training loop)."""
    if type(data) is not np.ndarray or data.size <= SNAPSHOT_ITEMS:
        return snapshot(data)
    return Snapshot(data.shape, data.dtype, data.nbytes, data.reshape(-1)[:SNAPSHOT_ITEMS].copy(), data.size,
                    measured=True)


def _changed(snap, array):
    """Whether `array` no longer holds what `snap` took of it (the first
    SNAPSHOT_ITEMS elements are compared: a change past them goes unseen)."""
    if snap is None or snap.head is None or array.shape != snap.shape:
        return False
    try:
        now = array.reshape(-1)[:snap.head.size]
        return not np.array_equal(now, snap.head.reshape(-1), equal_nan=snap.head.dtype.kind in "fc")
    except Exception:  # noqa: BLE001 - an odd dtype cannot be compared: no change is claimed
        return False


def _args(frame):
    code = frame.f_code
    local = frame.f_locals
    values = [local.get(n) for n in code.co_varnames[1:code.co_argcount]]
    if code.co_flags & 0x04:  # CO_VARARGS: the *gys tuple follows the named arguments
        extra = local.get(code.co_varnames[code.co_argcount + code.co_kwonlyargcount])
        values.extend(extra or ())
    return values


def _queue(frame):
    """The book's `funcs` list in the calling `Variable.backward`, as ids in pop order."""
    caller = frame.f_back
    if caller is None or not caller.f_code.co_name.startswith("backward"):
        return None
    funcs = caller.f_locals.get("funcs")
    if not isinstance(funcs, list):
        return None
    return [id(f) for f in reversed(funcs)]


class BackwardWatch:
    """Context manager: records students' backward calls while active."""

    def __init__(self):
        self.calls = []
        self.elided = 0
        self.last_pass_at = 0  # index in `calls` where the last Variable.backward began
        self.pass_cut = False  # the last pass's first calls were dropped (MAX_CALLS)
        self._pass = Pass()    # what is known of the last pass (its calls are taken at last_pass())
        self._seen = set()     # ids of the inputs met in this pass (their grad before it is kept)
        self._open = []       # (frame, call) of backward calls not yet returned
        self._passes = []     # frames of students' Variable.backward calls not yet returned
        self._old = None
        self.displaced = False  # the cell set its own profile hook (sys.setprofile, %prun): ours stopped

    def _profile(self, frame, event, arg):
        if event == "call":
            name = frame.f_code.co_name
            if not name.startswith("backward"):
                return  # (a notebook may patch in `Variable.backward = backward_step14`)
            obj = frame.f_locals.get("self")
            if obj is None or isinstance(obj, DezeroFunction):
                return
            if name != "backward" or not is_function_like(obj):
                if hasattr(obj, "creator") and hasattr(obj, "data"):
                    # A student's Variable.backward; the outermost begins a pass
                    # (step 7's recursive one calls itself for every input).
                    if not self._passes:
                        self.last_pass_at = len(self.calls)
                        self.pass_cut = False
                        self._seen.clear()
                        self._pass = Pass(start=_weak(obj), seedless=attr_of(obj, "grad") is None)
                    # (any of them: a wrapper `backward_step14` may call the book's loop)
                    self._pass.adds_in_place = self._pass.adds_in_place or _adds_in_place(frame.f_code)
                    self._passes.append(frame)
                return
            if self._open and any(c.func_id == id(obj) for _, c in self._open):
                return  # super().backward(gy) inside the step already recorded
            args = _args(frame)
            gys = [snapshot(data_of(g)) for g in args]
            call = BackwardCall(obj, gys, _queue(frame))
            call.gy_refs = [_weak(g) if isinstance(g, np.ndarray) else None for g in args]
            self._note_held(call, obj)
            counts = self._pass.counts
            counts[call.func_id] = counts.get(call.func_id, 0) + 1
            if self.calls and self.calls[-1].pending is None and call.queue is not None:
                self.calls[-1].pending = [call.func_id] + call.queue
            self.calls.append(call)
            if len(self.calls) > MAX_CALLS:
                del self.calls[0]
                self.elided += 1
                self.pass_cut = self.pass_cut or self.last_pass_at == 0
                self.last_pass_at = max(0, self.last_pass_at - 1)
            self._open.append((frame, call))
        elif event == "return" and self._passes and self._passes[-1] is frame:
            self._passes.pop()
            if not self._passes:
                self._end_pass(_returned(frame))
        elif event == "return" and self._open and self._open[-1][0] is frame:
            call = self._open.pop()[1]
            call.own_change = any(_changed(s, a) for s, a in self._given(call))
            if arg is None and not _returned(frame):
                call.raised = True
            elif arg is None:
                call.returned_none = True
            else:
                # As the book's loop reads it (`if not isinstance(gxs, tuple): gxs = (gxs,)`):
                # a list returned is ONE grad, the first input's; the notes then say so.
                values = arg if isinstance(arg, tuple) else (arg,)
                call.gxs = [snapshot(data_of(g)) for g in values]

    @staticmethod
    def _given(call):
        """(snapshot, the array now) of each grad array the call was given and that is still alive."""
        for i, snap in enumerate(call.gys):
            array = call.gy_array(i)
            if array is not None:
                yield snap, array

    def _end_pass(self, finished):
        """The outermost Variable.backward left: whether it returned, and which
        grad arrays the pass changed in place after a backward was given them
        (`x.grad += gx` where x.grad is an array a backward passed on)."""
        self._pass.finished = finished
        for call in self.calls[self.last_pass_at:]:
            for i, snap in enumerate(call.gys):
                array = call.gy_array(i)
                if array is not None and _changed(snap, array):
                    call.changed[i] = snapshot(array)

    def _note_held(self, call, func):
        """The grad each input held when the pass first reached it: the book
        assigns an input's grad only after a backward that takes it returns,
        so that is the grad from before the pass (a leftover without
        cleargrad, step 14)."""
        seen = self._seen
        for x in func_inputs(func):  # `inputs`, or step 7's single `input`
            grad = attr_of(x, "grad")
            if grad is None:
                call.bare.add(id(x))  # (retain_grad=False freed it, or none came yet)
            if id(x) not in seen:
                seen.add(id(x))
                if grad is not None:
                    call.held[id(x)] = snapshot(data_of(grad))
                if attr_of(x, "creator") is None:  # a leaf: what the pass used, once per pass
                    self._pass.used[id(x)] = (_weak(x), light_snapshot(data_of(attr_of(x, "data"))))

    def last_pass(self):
        """(the calls of the last backward pass as a `Pass`, how many earlier calls are not among them)."""
        info = self._pass
        calls = Pass(self.calls[self.last_pass_at:], info.start, info.seedless, info.finished, info.adds_in_place,
                     info.counts, info.used)
        return calls, self.elided + self.last_pass_at

    def __enter__(self):
        self._old = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        if sys.getprofile() == self._profile:
            sys.setprofile(self._old)
        else:
            self.displaced = True  # the cell's own hook stays, as it would without %%dezero
        self._open.clear()
        self._passes.clear()
        self._seen.clear()
        if self.calls and self.calls[-1].pending is None and self.calls[-1].queue is not None:
            self.calls[-1].pending = list(self.calls[-1].queue)
        return False
