"""Re-running a recorded graph's forward from the user's live Functions, on
copies: what the Gradients check (`numgrad`) and its plot (`derivatives`)
evaluate f with.

Each Function's `forward` is called on a copy with the arrays given
(`isolation.copy_function`: its array attributes copied too, as BatchNorm
updates its running mean in place), and an input the caller gave no array for
(an int leaf, say) gets a copy of its data, so the user's Variables, their
data and grads and the Functions' own attributes are never changed. Works
on dezero's Functions and on students' own classes (the book's early single
`input`/`output`); which of them may run, and when, the callers decide
(`dezero_magic.isolation`).
"""
import weakref

import numpy as np

from dezero_magic.isolation import copy_function
from dezero_magic.stepped_entries import loss


class _Passes:
    """Forward passes made so far (read before and after a check: how often it re-ran the graph)."""
    count = 0


def passes():
    return _Passes.count


def count_pass():
    """One more pass of the graph's forwards (evaluate_all counts each, the watched one too)."""
    _Passes.count += 1


def _deref(obj):
    return obj() if isinstance(obj, weakref.ref) else obj


def links(f):
    """(inputs, outputs) of a Function: dezero's lists, or the book's early
    single `input`/`output`; dead outputs stay as None (positions matter)."""
    ins = getattr(f, "inputs", None)
    if ins is None:
        ins = [getattr(f, "input", None)]
    outs = getattr(f, "outputs", None)
    if outs is None:
        outs = [getattr(f, "output", None)]
    return [x for x in ins if x is not None], [_deref(y) for y in outs]


def functions(y, limit):
    """The Functions that made `y`, inputs before users (iterative post-order);
    None when there are more than `limit`."""
    order, seen = [], set()
    start = getattr(y, "creator", None)
    stack = [(start, False)] if start is not None else []
    while stack:
        f, expanded = stack.pop()
        if expanded:
            order.append(f)
            continue
        if id(f) in seen:
            continue
        seen.add(id(f))
        stack.append((f, True))
        for x in links(f)[0]:
            c = getattr(x, "creator", None)
            if c is not None and id(c) not in seen:
                stack.append((c, False))
        if len(seen) > limit:
            return None
    return order


def evaluate(funcs, y, values):
    """y's data re-computed with `values` (id(variable) -> array) in place of those variables' data."""
    vals = evaluate_all(funcs, values)
    return vals[id(y)] if id(y) in vals else np.asarray(y.data)


def evaluate_all(funcs, values, run=None):
    """`values` plus every Function output re-computed from them (id -> array).
    `run(f, ins, outs, xs)` gives f's output arrays (default: its forward on a
    copy of f; forward_faults.watched_pass watches each call)."""
    count_pass()
    vals, own = dict(values), {}
    for f in funcs:
        ins, outs = links(f)
        xs = [vals[id(x)] if id(x) in vals else users_copy(x, own) for x in ins]
        for o, v in zip(outs, (run or _forward)(f, ins, outs, xs)):
            if o is not None:
                vals[id(o)] = v
    return vals


def _forward(f, ins, outs, xs):
    ys = copy_function(f).forward(*xs)  # a copy: what forward sets or updates lands on the copy
    return [np.asarray(v) for v in (ys if isinstance(ys, tuple) else (ys,))]


def users_copy(x, copies):
    """A copy of x's data (the user's array), made once a pass: `copies` (id -> copy) is the pass's.
    A forward given the array itself could change it in place (x += 1), and with it the user's data."""
    key = id(x)
    if key not in copies:
        copies[key] = np.array(x.data)   # np.array copies (np.asarray would not)
    return copies[key]


def shifted(funcs, y, values, flat, i, h):
    """(f with entry i raised by h, f with it lowered by h); the entry is restored."""
    orig = flat[i]
    try:
        flat[i] = orig + h
        fp = loss(evaluate(funcs, y, values))
        flat[i] = orig - h
        fm = loss(evaluate(funcs, y, values))
    finally:
        flat[i] = orig
    return fp, fm
