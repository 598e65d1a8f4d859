"""Which backward is wrong: when the Gradients check FAILs a leaf grad, the
backward of each function class of the graph is checked alone, so the tab
can name the one to look at ("Square.backward — FAIL; Exp.backward — ok").

For one live call of a class (the graph's own Function objects, still linked
to their inputs) and a fixed gy, what its backward returns for each input x
is compared with the numerical vector-Jacobian product: central differences
of sum(gy * forward(x)), stepping entries of x (all when few, else some
spread evenly, as the leaf check does) and re-running that one forward.

Nothing of the user's changes: forward runs on a copy of the Function
(`isolation.copy_function`: its arrays, lists, dicts and sets copied too)
with fresh float64 copies of the input arrays each time, never through
`__call__` (which links a new graph); backward runs as the Backward tab's
replay calls it (`replay.replay_backward`: on a copy, dezero's Functions
with Variable gys and backprop off). Whether the user's classes may run at
all, and with their prints hidden, the caller decides
(`numgrad.check_gradients`, inside its `isolated()`). Anything their code
raises is caught and said. The cost is bounded: a few hundred single-function
forward calls in all, counted (see MAX_CALLS), and the numbers they handle,
but not by time: so it never runs in the cell's early check, only when the
Gradients tab is opened or its button pressed (`GradCheck.which_pending`).
"""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from dezero_magic.exc_text import described
from dezero_magic.isolation import copy_function, is_dezero_own
from dezero_magic.kinks import find_kinks
from dezero_magic.numgrad_reasons import leaf_name
from dezero_magic.reevaluate import links
from dezero_magic.replay import replay_backward, match_live
from dezero_magic.preview import data_of
from dezero_magic.stepped_entries import ATOL, EPS, RTOL, entry_index, finite_entries

ENTRIES = 6            # entries stepped per input (evenly spaced) on big arrays
MAX_INSTANCES = 3      # calls of one class tried while they pass: at x = 0, 2 * x and x agree
MAX_CLASSES = 12       # classes checked; the rest are named as not checked
PLANNED_CALLS = 150    # forward calls the stepping plans for (2 an entry), shared by the classes
MAX_CALLS = 300        # hard stop, kink probes of mismatching entries included
MAX_NUMBERS = 20_000_000  # numbers those calls may handle (inputs + outputs): a conv is costly
GY_RANDOM = "seeded random numbers in [0.5, 1.5]"


@dataclass
class ClassCheck:
    name: str                       # "Square.backward"
    own: bool                       # the user's class (not one of dezero's own)
    verdict: str = ""               # "FAIL", "ok", or "" (could not check: `detail` says why)
    detail: str = ""                # FAIL: where and what it gave; ok: where; else why not checked
    max_abs: Optional[float] = None
    rel_error: Optional[float] = None
    calls: int = 0                  # its calls checked


@dataclass
class WhichBackward:
    classes: List[ClassCheck] = field(default_factory=list)   # FAILs first, then not checked, then ok
    forward_calls: int = 0          # single-function forward calls made
    backward_calls: int = 0
    unavailable: str = ""           # why none was checked (left for the tab, whose graph was then gone)

    @property
    def wrong(self):
        return [c for c in self.classes if c.verdict == "FAIL"]


class _Unchecked(Exception):
    """This call cannot be checked; the message says why."""


class _Budget:
    def __init__(self):
        self.calls = self.planned = self.numbers = self.backward = 0


def which_backward(funcs, trace=None):
    """WhichBackward for the live Functions `funcs` of the graph (inputs first)."""
    names, moved = live_labels(trace), changed_inputs(trace)
    groups = {}
    for f in funcs:
        groups.setdefault(type(f), []).append(f)
    # the user's classes first: theirs are the likelier culprits, and they get the budget first
    order = sorted(groups, key=lambda cls: is_dezero_own(groups[cls][0]))
    budget, result, titles = _Budget(), WhichBackward(), set()
    for k, cls in enumerate(order):
        title = _title(cls, titles)
        check = ClassCheck(title, own=not is_dezero_own(groups[cls][0]))
        if k >= MAX_CLASSES:
            check.detail = f"only the first {MAX_CLASSES} classes of a graph are checked"
        else:
            share = (PLANNED_CALLS - budget.planned) // (min(len(order), MAX_CLASSES) - k)
            _check_class(check, groups[cls], budget, share, names, moved)
        result.classes.append(check)
    result.forward_calls, result.backward_calls = budget.calls, budget.backward
    rank = {"FAIL": 0, "": 1, "ok": 2}
    result.classes.sort(key=lambda c: rank[c.verdict])
    return result


def _title(cls, taken):
    name = f"{getattr(cls, '__name__', '?')}.backward"
    if name in taken:   # a class redefined by a later cell: both are in the graph
        name += f" (another class named {cls.__name__})"
    taken.add(name)
    return name


def live_labels(trace):
    """id(live object) -> the drawn graph's label (variables, and functions named `A = Square()`)."""
    try:
        graph = trace.graph
        objs, _ = match_live(trace, graph.steps[0].func)
    except Exception:  # noqa: BLE001 - no trace, no backward steps, objects changed: no names then
        return {}
    out = {}
    for key, obj in objs.items():
        node = graph.variables.get(key) or graph.functions.get(key)
        if node is not None and node.label:
            out.setdefault(id(obj), node.label)
    return out


def changed_inputs(trace):
    """id(live leaf) -> its label, for the drawn leaves whose value changed after the drawn
    forward used it (`VarNode.changed_since`: x.data -= lr * x.grad.data in the cell)."""
    graph, refs = getattr(trace, "graph", None), getattr(trace, "leaf_refs", None) or {}
    out = {}
    for vid, ref in refs.items():
        node = graph.variables.get(vid) if graph is not None else None
        obj = ref() if node is not None and node.changed_since else None
        if obj is not None:
            out[id(obj)] = leaf_name(node)
    return out


def _check_class(check, instances, budget, share, names, moved=None):
    """Fill `check` from up to MAX_INSTANCES calls of the class, stopping at a FAIL."""
    start, first_reason, where = budget.planned, "", ""
    for f in instances[:MAX_INSTANCES]:
        left = share - (budget.planned - start)
        if check.calls and left < 3:
            break
        try:
            failed, text, max_abs, rel = _check_call(f, budget, left, names, moved or {})
        except _Unchecked as exc:
            first_reason = first_reason or str(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - anything the user's code raises is said, not raised
            first_reason = first_reason or f"raised {described(exc)}"
            continue
        check.calls += 1
        check.max_abs, check.rel_error = max_abs, rel
        if failed:
            check.verdict, check.detail = "FAIL", text
            return
        where = where or text
    if check.calls:
        check.verdict = "ok"
        check.detail = where + (f" and at {check.calls - 1} more of its calls" if check.calls > 1 else "")
    else:
        check.detail = first_reason or "no call of it could be checked"


def _forward(f, arrays, budget):
    """f's forward alone on fresh copies of `arrays` (a forward may change its
    input in place), on a copy of f; a tuple of arrays."""
    if budget.calls >= MAX_CALLS:
        raise _Unchecked(f"the check's budget of {MAX_CALLS} forward calls was spent on the other classes")
    budget.calls += 1
    ys = copy_function(f).forward(*[a.copy() if isinstance(a, np.ndarray) else a for a in arrays])
    ys = ys if isinstance(ys, tuple) else (ys,)
    out = tuple(np.asarray(data_of(y)) for y in ys)   # (a student's forward may return a Variable)
    budget.numbers += sum(int(np.size(a)) for a in arrays) + sum(int(y.size) for y in out)
    return out


def _gy(y):
    """The fixed gy for an output: 1 for a scalar (the tab can say "for gy = 1"), else
    seeded random values: with ones, a grad transposed or summed over the wrong axis
    can still give the right sum; positive, so no entry's error cancels another's."""
    if y.size == 1:
        return np.ones(y.shape)
    return np.random.default_rng(0).uniform(0.5, 1.5, y.shape)   # its own generator: no global state


def _phi(gys, ys):
    return sum(float(np.sum(g * y)) for g, y in zip(gys, ys))


def _inputs(f):
    """(live input Variables, their arrays: floats as float64 copies, others as they are, float positions)."""
    ins, outs = links(f)
    if not ins:
        raise _Unchecked("the live object has no inputs linked (the graph was cut, or unchained)")
    arrays, floats = [], []
    for i, x in enumerate(ins):
        data = getattr(x, "data", None)
        if data is None:
            raise _Unchecked("an input has no data")
        data = np.asarray(data)
        if data.dtype.kind == "f":
            data = data.astype(np.float64)
            floats.append(i)
        arrays.append(data)
    if not floats:
        raise _Unchecked("none of its inputs is floating point, so there is no grad to compare")
    return ins, outs, arrays, floats


def _check_call(f, budget, allowed, names, moved):
    """(failed, text, max abs error, relative error) for one call of f; raises _Unchecked."""
    ins, outs, arrays, floats = _inputs(f)
    changed = [moved[id(x)] for x in ins if id(x) in moved]
    if changed:   # re-run at the new value, it would be checked at another point than the graph's (QA Q21-1)
        said = "x" if changed[0].startswith("unnamed (") else changed[0]
        raise _Unchecked(f"its input {changed[0]} changed after the graph used it ({said}.data -= ... in the "
                         "cell, an optimizer step, say), so it is not re-run at the new value")
    per = min(ENTRIES, (allowed - 1) // (2 * len(floats)))
    if per < 1:
        raise _Unchecked("the check's budget of forward calls was spent on the other classes")
    try:
        ys = _forward(f, arrays, budget)
    except _Unchecked:
        raise
    except Exception as exc:  # noqa: BLE001 - the user's forward, run again alone
        raise _Unchecked(f"its forward raised {described(exc)} when run again alone") from None
    numbers = sum(a.size for a in arrays) + sum(y.size for y in ys)
    per = min(per, (MAX_NUMBERS - budget.numbers) // max(1, 2 * len(floats) * numbers))
    if per < 1:
        raise _Unchecked(f"its arrays are too big to re-run it here ({numbers:,} numbers a call; this check "
                         f"stops at {MAX_NUMBERS:,} in all)")
    _same_outputs(outs, ys)
    gys = [_gy(y) for y in ys]
    phi0 = _phi(gys, ys)
    if not np.isfinite(phi0):
        raise _Unchecked("its output is NaN/Inf here, so no central difference exists")
    budget.planned += 1 + 2 * per * len(floats)
    try:
        budget.backward += 1
        gxs = replay_backward(f, gys)
    except Exception as exc:  # noqa: BLE001 - as above
        raise _Unchecked(f"its backward raised {described(exc)}") from None
    worst = None
    for i in floats:
        name = _name(ins, i, names)
        gx = gxs[i] if i < len(gxs) else None
        found = _compare(f, arrays, i, gx, gys, phi0, per, budget)
        if isinstance(found, str):     # a grad of the wrong shape: a FAIL of its own
            return True, f"its grad for {name} {found}", None, None
        # the input that FAILs, the largest error among those: a bigger one may be within rtol
        if found is not None and (worst is None or (found[2], found[0]) > (worst[0][2], worst[0][0])):
            worst = (found, i, name)
    if worst is None:
        raise _Unchecked("every entry stepped is at a kink or NaN/Inf, so no numerical grad is a reference")
    (abs_err, rel, failed, j, got, want, count), i, name = worst
    if not failed:
        data = arrays[i]
        return False, (_where(data, j, name, count) if data.size == 1 else
                       f"at {name} of shape {data.shape}, {count} entries compared"), abs_err, rel
    return True, (_where(arrays[i], j, name, count) + f": gave {_num(got)}, expected {_num(want)} for "
                  f"{_gy_text(gys)} (max abs error {abs_err:.3g}, relative {rel:.3g})"), abs_err, rel


def _same_outputs(outs, ys):
    """Re-run alone, the forward must give the output it gave in the graph."""
    for o, y in zip(outs, ys):
        data = None if o is None else getattr(o, "data", None)
        if data is None:
            continue
        data = np.asarray(data)
        if data.shape != y.shape or not np.allclose(y, data, rtol=1e-4, atol=1e-6, equal_nan=True):
            raise _Unchecked("run again alone, its forward does not give the output it gave in the graph "
                             "(it is random, or it needs state kept from an earlier call)")


def _compare(f, arrays, i, gx, gys, phi0, per, budget):
    """(max abs error, relative error, failed, worst flat index, gave, expected, entries compared)
    for input i; None when no entry could be compared; a string when gx has the wrong shape."""
    data = arrays[i]
    if gx is not None:
        gx = np.asarray(gx)
        if gx.dtype.kind not in "fiub":
            raise _Unchecked(f"its backward returned a grad of dtype {gx.dtype}, not real numbers")
        if gx.shape != data.shape:
            return f"has shape {gx.shape}, the input {data.shape}"
        gx = gx.astype(np.float64)
    idx, _ = finite_entries(data, per)
    work = list(arrays)
    flat = data.copy().reshape(-1)
    work[i] = flat.reshape(data.shape)

    def shifted(j, h):
        """(phi with entry j raised by h, lowered by h) and the outputs' difference."""
        orig = flat[j]
        try:
            flat[j] = orig + h
            yp = _forward(f, work, budget)
            flat[j] = orig - h
            ym = _forward(f, work, budget)
        finally:
            flat[j] = orig
        return yp, ym

    num, sides = np.zeros(len(idx)), {}
    with np.errstate(all="ignore"):
        for k, j in enumerate(idx):
            yp, ym = shifted(j, EPS)
            # differences of the outputs first: less cancellation than phi(x+h) - phi(x-h)
            num[k] = sum(float(np.sum(g * (p - m))) for g, p, m in zip(gys, yp, ym)) / (2 * EPS)
            sides[j] = (_phi(gys, yp), _phi(gys, ym))
    got = np.zeros(len(idx)) if gx is None else gx.reshape(-1)[idx]   # no grad returned: it says 0
    keep = np.isfinite(num)
    off = keep & ~np.isclose(got, num, rtol=RTOL, atol=ATOL)
    for k in np.flatnonzero(off):   # a kink (relu at 0) is no wrong backward: left out
        try:
            kink = find_kinks(lambda j, h: tuple(_phi(gys, ys) for ys in shifted(j, h)),
                              [idx[k]], [got[k]], sides, phi0, EPS)
        except _Unchecked:
            break               # budget spent: the rest stay compared
        keep[k] = not kink
    if not keep.any():
        return None
    got, num, where = got[keep], num[keep], idx[keep]
    err = np.abs(got - num)
    scale = max(float(np.max(np.abs(got))), float(np.max(np.abs(num))), 1e-12)
    worst = int(np.argmax(err))
    failed = not bool(np.allclose(got, num, rtol=RTOL, atol=ATOL))
    if gx is None and failed:
        got = np.full(got.shape, np.nan)    # said as "gave no grad"
    return float(err[worst]), float(err[worst]) / scale, failed, int(where[worst]), got[worst], num[worst], len(got)


def _name(ins, i, names):
    label = names.get(id(ins[i])) or getattr(ins[i], "name", None)
    if isinstance(label, str) and label:
        return label
    return "its input" if len(ins) == 1 else f"input {i + 1} of {len(ins)}"


def _where(data, j, name, count):
    """'at x = 2', or for an array the entry the error was largest at."""
    if data.size == 1:
        return f"at {name} = {_num(data.reshape(-1)[0])}"
    return (f"at {name} (shape {data.shape}, {count} entries compared), entry [{entry_index(data.shape, j)}] = "
            f"{_num(data.reshape(-1)[j])}")


def _num(v):
    return "no grad (None)" if np.isnan(v) else f"{float(v):.6g}"


def _gy_text(gys):
    if all(g.size == 1 for g in gys):
        return "gy = 1"
    return f"gy = {GY_RANDOM} of the output's shape"


def ran_text(which):
    """What the local check ran (for the line under the table), '' when nothing ran."""
    if which is None or not which.forward_calls:
        return ""
    def times(n):
        return f"{n} time{'s' if n != 1 else ''}"

    return (f"to find which backward is wrong, single functions' forward ran {times(which.forward_calls)} "
            f"and their backward {times(which.backward_calls)}")


def failed_leaf(check):
    """Whether the leaf check FAILed a leaf (only then the local check runs: it costs nothing otherwise)."""
    return check is not None and any(leaf.passed is False for leaf in check.leaves)
