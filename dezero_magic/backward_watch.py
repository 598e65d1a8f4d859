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
measures it. A loop without `seen` runs tens of thousands of steps, so a
step's record is kept cheap: grads are copied, not snapshotted, until read
(`backward_calls`), and other events leave at the first test.

When the caller is the book's list-based loop (`funcs = [...]`,
`f = funcs.pop()`, steps 12-16), the hook also reads that list to show the
queue the algorithm holds at each step.

A profile hook's `return` event comes both for a normal return and for an
exception unwinding the frame (then its value is None): `backward_frames.returned` tells
them apart by the instruction the frame stopped at, so a backward that
raised is recorded as raised, not as one that returned None.

The hook runs a few frames below the student's code, so it must never be
what meets Python's recursion limit (its frames and message would end the
student's traceback, and Python would drop it): now and then it looks how
near the limit is (`recursion_room`) and stops listening for good there,
and the student's own frame meets the limit as in a plain cell.
"""
import ast
import sys
import types
import weakref
from collections import deque
from itertools import islice

import numpy as np

from dezero.core import Function as DezeroFunction
from dezero_magic.backward_frames import adds_in_place, grads_given, queue, returned
from dezero_magic.backward_calls import (NUMBERS, BackwardCall, Pass, changed, inputs_of, made, take,
                                         weak as _weak)
from dezero_magic.naming import attr_of
from dezero_magic.cell_names import names_in, parse_quietly
from dezero_magic.preview import SNAPSHOT_ITEMS, Snapshot, data_of, snapshot
from dezero_magic.recursion_room import calls_until_look, recursing

MAX_CALLS = 2000
_ref, _ndarray = weakref.ref, np.ndarray


def is_function_like(obj):
    try:
        return ((hasattr(obj, "inputs") or hasattr(obj, "input"))
                and (hasattr(obj, "outputs") or hasattr(obj, "output"))
                and not hasattr(obj, "creator"))
    except Exception:  # noqa: BLE001 - a user property that raises is not a function
        return False


def _defines_backward_class(cell):
    tree = parse_quietly(cell)
    if tree is None:
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


def light_snapshot(data):
    """A Snapshot of `data` that copies at most SNAPSHOT_ITEMS elements and
    measures nothing (`preview.snapshot` reduces a large array: too dear for
    every leaf of every pass of a training loop)."""
    if type(data) is not np.ndarray or data.size <= SNAPSHOT_ITEMS:
        return snapshot(data)
    return Snapshot(data.shape, data.dtype, data.nbytes, data.reshape(-1)[:SNAPSHOT_ITEMS].copy(), data.size,
                    measured=True)


def _take_light(data):
    """What `light_snapshot(data)` needs, taken now (see backward_calls.take):
    a leaf's value, for every pass of a training loop, and read of the last only."""
    kind = type(data)
    if kind is _ndarray and data.size <= SNAPSHOT_ITEMS:
        return data.copy()
    if kind in NUMBERS:
        return data
    return light_snapshot(data)


class BackwardWatch:
    """Context manager: records students' backward calls while active."""

    def __init__(self):
        # The last MAX_CALLS calls: `del list[0]` moved the whole list on each
        # call past them (a loop without `seen` makes tens of thousands). Still
        # one dropped per call: cutting many at once let the collector see
        # thousands of new objects, and it ran ten times as often.
        self._calls = deque()
        self._dropped = 0      # calls dropped from the front of `_calls`
        self._pass_from = 0    # calls recorded before the last Variable.backward began
        self._pass = Pass()    # what is known of the last pass (its calls are taken at last_pass())
        self._seen = set()     # ids of the inputs met in this pass (their grad before it is kept)
        self._open = []       # (frame, call) of backward calls not yet returned
        self._passes = []     # frames of students' Variable.backward calls not yet returned
        self._old = None
        self.displaced = False  # the cell set its own profile hook (sys.setprofile, %prun): ours stopped
        self.removed = False    # the cell cleared ours (sys.setprofile(None)), with none in its place
        self.unloaded = False   # ... by `%unload_ext dezero_magic` (set by unload_ipython_extension)
        self.raised_inside = None  # the name of what raised inside the hook (Ctrl-C): CPython took it off
        self._left = 0          # call events until the next look at the recursion depth
        self.recursed = None    # the recurring function's name, once the hook stopped near the recursion limit
        self.pass_stopped = False  # ... and a pass was running then: its recorded calls are not a whole pass

    def _profile(self, frame, event, arg):
        # Called on every call and return of the cell: C calls and calls of other
        # functions must leave at once.
        try:
            if event == "call":
                self._left -= 1
                if self._left < 0 and self._near_limit(frame):
                    return
                if frame.f_code.co_name[:8] == "backward":  # (a third cheaper than startswith)
                    self._call(frame)  # (a notebook may patch in `Variable.backward = backward_step14`)
            elif event == "return":
                if self._passes and self._passes[-1] is frame:
                    self._passes.pop()
                    if not self._passes:
                        self._end_pass(returned(frame))
                elif self._open and self._open[-1][0] is frame:
                    self._return(frame, arg)
        except RecursionError:
            # Our own work met the limit (nesting the looks did not foresee): a
            # hook that raises would put our frames and message in the student's
            # traceback, so it stops, and the student's code meets the limit itself.
            try:
                self._stop(frame)
            except RecursionError:
                self.recursed, self._left = "", -1  # no room even for that: the next call event stops it
        except BaseException as exc:
            # Ctrl-C lands in here mostly (it runs on every call), and CPython removes a hook that
            # raised: that is no hook of the cell's (QA R22-4). (The name only: no frames kept alive.)
            self.raised_inside = type(exc).__name__
            raise

    def _near_limit(self, frame):
        """Look how close the recursion limit is; stop listening when it is near (-> True)."""
        left = calls_until_look() if self.recursed is None else None
        if left is not None:
            self._left = left
            return False
        self._stop(frame)
        return True

    def _stop(self, frame):
        """Stop listening for good in this cell, near the recursion limit."""
        sys.setprofile(self._old)  # first: nothing after this may raise in the student's frame
        self.pass_stopped = bool(self._passes or self._open)
        self.recursed = ""
        self.recursed = recursing(frame)

    def _call(self, frame):
        code = frame.f_code
        local = frame.f_locals  # (a dict built anew on each read before 3.13: read once)
        obj = local.get("self")
        if obj is None or isinstance(obj, DezeroFunction):
            return
        if code.co_name != "backward" or not is_function_like(obj):
            if hasattr(obj, "creator") and hasattr(obj, "data"):
                # A student's Variable.backward; the outermost begins a pass
                # (step 7's recursive one calls itself for every input).
                if not self._passes:
                    self._pass_from = len(self._calls) + self._dropped
                    self._seen.clear()
                    self._pass = Pass(start=_weak(obj), seedless=attr_of(obj, "grad") is None)
                # (any of them: a wrapper `backward_step14` may call the book's loop)
                self._pass.adds_in_place = self._pass.adds_in_place or adds_in_place(code)
                self._passes.append(frame)
            return
        if self._open and any(c.func_id == id(obj) for _, c in self._open):
            return  # super().backward(gy) inside the step already recorded
        args = grads_given(code, local)
        if len(args) == 1:  # (most backwards take one grad: no map, no comprehension)
            g = args[0]
            call = BackwardCall(obj, [take(g)], queue(frame), [_ref(g) if isinstance(g, _ndarray) else None])
        else:  # (every ndarray can be weakly referenced)
            call = BackwardCall(obj, list(map(take, args)), queue(frame),
                                [_ref(g) if isinstance(g, _ndarray) else None for g in args])
        self._note_held(call, obj)
        counts = self._pass.counts
        counts[call.func_id] = counts.get(call.func_id, 0) + 1
        calls = self._calls
        if calls and calls[-1].pending is None and call.queue is not None:
            calls[-1].pending = [call.func_id] + call.queue
        calls.append(call)
        if len(calls) > MAX_CALLS:
            calls.popleft()
            self._dropped += 1
        self._open.append((frame, call))

    def _return(self, frame, arg):
        call = self._open.pop()[1]
        call.own_change = call.given_changed()
        if arg is None and not returned(frame):
            call.raised = True
        elif arg is None:
            call.returned_none = True
        else:
            # As the book's loop reads it (`if not isinstance(gxs, tuple): gxs = (gxs,)`):
            # a list returned is ONE grad, the first input's; the notes then say so.
            call.taken_gxs = list(map(take, arg)) if isinstance(arg, tuple) else [take(arg)]

    @property
    def calls(self):
        """The last MAX_CALLS calls recorded (a list, as before)."""
        return list(self._calls)

    @property
    def elided(self):
        """How many calls were dropped before them."""
        return self._dropped

    @property
    def last_pass_at(self):
        """Index in `calls` where the last Variable.backward began."""
        return max(0, self._pass_from - self._dropped)

    @property
    def pass_cut(self):
        """The last pass's first calls were dropped (MAX_CALLS)."""
        return self._dropped > self._pass_from

    def _pass_calls(self):
        """The calls of the last pass that are kept."""
        calls = self._calls
        kept = list(islice(reversed(calls), len(calls) - self.last_pass_at))  # (from the end: a pass is short)
        kept.reverse()
        return kept

    def _end_pass(self, finished):
        """The outermost Variable.backward left: whether it returned, and which
        grad arrays the pass changed in place after a backward was given them
        (`x.grad += gx` where x.grad is an array a backward passed on)."""
        self._pass.finished = finished
        for call in self._pass_calls():
            for i, (taken, ref) in enumerate(zip(call.taken_gys, call.gy_refs)):
                array = ref() if ref is not None else None
                if array is not None and changed(taken, array):
                    call.changed[i] = snapshot(array)

    def _note_held(self, call, func):
        """The grad each input held when the pass first reached it: the book
        assigns an input's grad only after a backward that takes it returns,
        so that is the grad from before the pass (a leftover without
        cleargrad, step 14)."""
        seen, bare = self._seen, None
        for x in inputs_of(func):  # `inputs`, or step 7's single `input`
            try:
                grad = x.grad
            except Exception:  # noqa: BLE001 - as attr_of
                grad = None
            key = id(x)
            if grad is None:  # (retain_grad=False freed it, or none came yet)
                if bare is None:
                    bare = call._bare = set()  # (BackwardCall.bare makes one only when read)
                bare.add(key)
            if key not in seen:
                seen.add(key)
                if grad is not None:
                    if call.taken_held is None:
                        call.taken_held = {}
                    call.taken_held[key] = take(grad)
                if attr_of(x, "creator") is None:  # a leaf: what the pass used, once per pass
                    self._pass.used[key] = (_weak(x), _take_light(data_of(attr_of(x, "data"))))

    def last_pass(self):
        """(the calls of the last backward pass as a `Pass`, how many earlier calls are not among them)."""
        info = self._pass
        used = {k: (ref, made(t)) for k, (ref, t) in info.used.items()}  # (`_take_light`: made when read)
        calls = Pass(self._pass_calls(), info.start, info.seedless, info.finished, info.adds_in_place,
                     info.counts, used)
        calls.recursed = self.pass_stopped
        return calls, self.elided + self.last_pass_at

    def __enter__(self):
        self._old = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        hook = sys.getprofile()
        if hook == self._profile:
            sys.setprofile(self._old)
        elif hook is None and self.raised_inside is not None:
            sys.setprofile(self._old)  # the hook from before the cell, which a plain cell keeps
        elif self.recursed is None:  # (not when it stopped itself near the recursion limit)
            self.displaced = hook is not None  # the cell's own hook stays, as it would without %%dezero
            self.removed = hook is None
        self._open.clear()
        self._passes.clear()
        self._seen.clear()
        last = self._calls[-1] if self._calls else None
        if last is not None and last.pending is None and last.queue is not None:
            last.pending = list(last.queue)
        return False
