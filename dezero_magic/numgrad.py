"""Numerical gradients of a traced cell (the book's step 4 next to step 6's
backprop), and f with its derivatives for a scalar function of one scalar.

Pure: no widgets. Works while the trace's output Variable is alive
(`trace.output_refs`): the graph is re-evaluated from the live Functions
reached through `creator` links. Each evaluation calls `forward` on a
shallow copy of each Function with float64 copies of the leaves' data, so
the user's Variables, their grads and the Functions' own attributes are
never changed. It may run long after the cell (the Gradients tab is built
when first opened), so it checks that the objects are still as the graph
recorded them: the forward must reproduce the output, and each leaf's grad
must be the one recorded. Every result says why when it is not available.

Deterministic: the entries checked depend on the graph's sizes, not on
timings, and an entry whose central difference is no valid reference (a
kink at or within h of the point: relu at 0, a max-pooling tie; NaN/Inf in
the entry, or in f at or within h of it) is left out and said so, never
reported as a wrong backward (see `dezero_magic.kinks`). Complex data is
not checked: a real step says nothing of a complex gradient, and casting
it to real would drop its imaginary part. The re-evaluation itself lives in
`dezero_magic.reevaluate`, the plot's derivatives in `dezero_magic.derivatives`.
"""
import time
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from dezero_magic.derivatives import Curves, curves_around
from dezero_magic.kinks import all_left_out, find_kinks, left_out, split_kinks
from dezero_magic.preview import data_of, snapshot
from dezero_magic.reevaluate import evaluate as _evaluate
from dezero_magic.reevaluate import evaluate_all as _evaluate_all
from dezero_magic.reevaluate import functions
from dezero_magic.reevaluate import links as _links

EPS = 1e-4                 # central-difference step, as dezero.numerical_diff
RTOL, ATOL = 1e-4, 1e-5    # as dezero.gradient_check
MAX_ENTRIES = 16           # entries checked per leaf (evenly spaced) on big arrays
MAX_FUNCTIONS = 400        # a graph beyond this is not re-evaluated
MAX_FORWARD_CALLS = 20_000  # budget of Function.forward calls for one check
# Budget of the perturbed passes, in numbers computed (all arrays of a pass):
# a count, so the same graph gets the same entries checked on any machine.
# 60 million took ~1 s here for a small CNN (1.9 million numbers a pass,
# 28 ms); element-wise ops go ~15 times faster a number.
NUMBERS_BUDGET = 60_000_000
SLOW_LIMIT_S = 5.0         # refused when a timed pass predicts the passes take longer
CURVE_POINTS = 61          # points of the f / derivatives plot


@dataclass
class LeafGrad:
    var_id: str
    label: str
    value: np.ndarray
    analytic: Optional[np.ndarray] = None   # the Variable's .grad (what backprop gave)
    numerical: Optional[np.ndarray] = None  # central difference, same shape as `analytic`
    checked: int = 0                        # entries compared
    size: int = 0
    rel_error: Optional[float] = None
    passed: Optional[bool] = None
    reason: str = ""                        # why it was not checked
    kinks: int = 0                          # entries left out: f has a kink at or within h of them
    nonfinite: int = 0                      # entries left out: NaN/Inf in them, or in f at or within h


@dataclass
class GradCheck:
    available: bool
    reason: str = ""
    leaves: List[LeafGrad] = field(default_factory=list)
    output_label: str = ""
    notes: List[str] = field(default_factory=list)
    backward_ran: bool = True               # the trace recorded backward steps
    can_backward: bool = True               # the output has a backward() (a student's, before step 7, has not)
    unchecked: str = ""                     # why no leaf could be checked at all (f is NaN/Inf, complex output)


def _output(trace):
    for ref in trace.output_refs:
        y = ref()
        if y is not None:
            return y
    return None


def _leaves(trace):
    """[(var id, live Variable)] of the drawn leaves still alive."""
    out = []
    for vid, ref in trace.leaf_refs.items():
        obj = ref()
        if obj is not None and getattr(obj, "data", None) is not None:
            out.append((vid, obj))
    return out


def _prepare(trace):
    """(y, funcs, leaves) or a reason string."""
    y = _output(trace)
    if y is None:
        return ("the output of the last backward no longer exists: nothing refers to it after the cell (the "
                "name that held it was reassigned, as a loop's `gx = x.grad` does, or deleted); keep a name "
                "on it (e.g. `out = gx`) to check its gradients")
    if getattr(y, "creator", None) is None:
        return "the output has no creator (made under no_grad, or unchained): there is no graph to differentiate"
    funcs = functions(y, MAX_FUNCTIONS)
    if funcs is None:
        return f"the graph has more than {MAX_FUNCTIONS} functions; re-evaluating it here would take too long"
    reachable = {id(x) for f in funcs for x in _links(f)[0]}
    leaves = [(vid, x) for vid, x in _leaves(trace) if id(x) in reachable]
    if not leaves:
        return "no leaf variable of the drawn graph is alive and feeds the output"
    return y, funcs, leaves


def _float_leaf(x):
    """A float64 copy of x's data; None for data with no real gradient to
    step (ints, bools, complex: casting complex to real would drop its imaginary part)."""
    data = np.asarray(x.data)
    if data.dtype.kind != "f":
        return None
    return data.astype(np.float64)


def _not_float(data):
    """Why a leaf whose data is not floating point is not checked."""
    if data.dtype.kind == "c":
        return f"complex data ({data.dtype}): this check steps and compares real numbers only"
    return f"{data.dtype} data has no gradient"


def _finite_entries(data, count):
    """(entries to check, spread evenly over the finite ones; how many entries are NaN/Inf)."""
    # min and max carry any NaN or Inf: no full-size temporary for the common, finite case
    if data.size == 0 or (np.isfinite(data.min()) and np.isfinite(data.max())):
        return _entries(data.size, count), 0
    finite = np.flatnonzero(np.isfinite(data))
    return finite[_entries(finite.size, count)], data.size - finite.size


F_NONFINITE = "f is NaN/Inf at this point, so no numerical gradient is possible"
COMPLEX_OUTPUT = "the output is complex, and this check compares real numbers only"


def _nothing_to_step(unchecked, bad, size):
    """Why no entry of a float leaf was checked, when f or the leaf is NaN/Inf (or f complex)."""
    if not bad:
        return unchecked
    some = f" ({bad} of {size} entries)" if size > 1 else ""
    if not unchecked:   # f is finite, and every entry of this input is NaN/Inf
        return f"this input is NaN/Inf{some}, so no numerical gradient is possible"
    if unchecked == F_NONFINITE:
        return f"this input is NaN/Inf{some} and f is NaN/Inf at this point, so no numerical gradient is possible"
    return unchecked


def _unusable(out):
    """Why no central difference is possible at all for this output ("" when one is)."""
    if np.iscomplexobj(out):
        return COMPLEX_OUTPUT
    with np.errstate(all="ignore"):
        if not np.isfinite(_loss(out)):
            return F_NONFINITE
    return ""


def _entries(size, count):
    """`count` flat indices spread evenly over an array of `size` (all when it is small)."""
    if size <= count:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, count).round().astype(int))


def _loss(out):
    """backward() seeds ones: the grads are those of sum(output)."""
    return float(np.sum(out))


def check_gradients(trace, within_s=None):
    """GradCheck of the trace's live leaves against central differences.
    With `within_s`: None instead when the passes would take longer (the
    caller then checks later, when the user asks)."""
    prepared = _prepare(trace)
    if isinstance(prepared, str):
        return GradCheck(False, "Numerical gradients are not available because " + prepared + ".")
    y, funcs, leaves = prepared
    base = {id(x): d for _, x in leaves if (d := _float_leaf(x)) is not None}
    try:
        began = time.perf_counter()
        with np.errstate(all="ignore"):
            computed = _evaluate_all(funcs, base)
        one_run = time.perf_counter() - began
    except Exception as exc:  # noqa: BLE001 - a user's forward that fails on a copy
        return GradCheck(False, f"Numerical gradients are not available because re-running the graph's "
                                f"forward raised {type(exc).__name__}: {exc}.")
    again = computed[id(y)] if id(y) in computed else np.asarray(y.data)
    if np.shape(again) != np.shape(y.data) or not np.allclose(again, y.data, rtol=1e-4, atol=1e-6,
                                                              equal_nan=True):
        return GradCheck(False, "Numerical gradients are not available because re-running the graph's "
                                "forward does not reproduce the output: the data changed since the graph "
                                "was recorded (an optimizer step, or a later cell), or a function is "
                                "random (dropout, say).")
    unchecked = _unusable(again)
    per_leaf = 0 if unchecked else _budget(funcs, base, computed, one_run, within_s)
    if not isinstance(per_leaf, int):
        return per_leaf     # None (check later) or a GradCheck saying why not
    result = GradCheck(True, output_label=_label(trace, y), backward_ran=_backward_ran(trace.graph),
                       can_backward=callable(getattr(y, "backward", None)))
    if np.size(y.data) != 1:
        result.notes.append("The output is not a scalar: these are the grads of sum(output), "
                            "as backward() starts from ones.")
    result.unchecked = unchecked
    f0 = None if unchecked else _loss(again)
    for vid, x in leaves:
        result.leaves.append(_check_leaf(trace, vid, x, funcs, y, base, per_leaf, f0, unchecked))
    return result


def _budget(funcs, base, computed, one_run, within_s):
    """Entries to check per leaf; None when the passes would take longer
    than `within_s`, or a GradCheck saying why there will be none."""
    # Entries per leaf: at most MAX_ENTRIES, fewer when their passes (2 an
    # entry) would compute more than NUMBERS_BUDGET numbers in all.
    numbers = max(1, sum(int(np.size(v)) for v in computed.values()))
    runs = min(MAX_FORWARD_CALLS // max(1, len(funcs)), NUMBERS_BUDGET // numbers)
    per_leaf = min(MAX_ENTRIES, runs // (2 * max(1, len(base))))
    if per_leaf < 1:
        return GradCheck(False, f"Numerical gradients are not available because the graph is too big: "
                                f"one forward pass of its {len(funcs)} functions computes {numbers:,} "
                                f"numbers, and {2 * len(base)} passes at least would be needed (this check "
                                f"stops at {NUMBERS_BUDGET:,} numbers).")
    # A guard for what the count misses (big matmuls: much arithmetic on few
    # numbers); timed twice before refusing, as a first pass also warms caches.
    passes = 2 * per_leaf * len(base)
    if within_s is not None and one_run * passes > within_s:
        return None
    if one_run * passes > SLOW_LIMIT_S:
        began = time.perf_counter()
        with np.errstate(all="ignore"):
            _evaluate_all(funcs, base)
        one_run = min(one_run, time.perf_counter() - began)
    if one_run * passes > SLOW_LIMIT_S:
        return GradCheck(False, f"Numerical gradients are not available because the graph is too slow to "
                                f"re-run: one forward pass of its {len(funcs)} functions took {one_run:.2f} s "
                                f"(timed), and {passes} passes would be needed.")
    return per_leaf


def _backward_ran(graph):
    return bool(graph.steps or graph.elided_steps or graph.unrecorded_steps)


def _label(trace, y):
    """The output's name: its own, else the drawn label of the variable backward started from."""
    name = getattr(y, "name", None)
    if isinstance(name, str) and name:
        return name
    steps = trace.graph.steps
    if steps and len(steps[0].gys) == 1:
        node = trace.graph.variables.get(next(iter(steps[0].gys)))
        if node is not None and node.label:
            return node.label
    # no backward: the one drawn variable that some function made and none used
    fns = trace.graph.functions.values()
    used = {v for f in fns for v in f.inputs}
    ends = {v for f in fns for v in f.outputs if v not in used}
    if len(ends) == 1:
        node = trace.graph.variables.get(ends.pop())
        if node is not None and node.label:
            return node.label
    return "the output"


def _check_leaf(trace, vid, x, funcs, y, base, per_leaf, f0, unchecked=""):
    node = trace.graph.variables.get(vid)
    label = node.label if node is not None and node.label else vid
    data = base.get(id(x))
    leaf = LeafGrad(vid, label, np.asarray(x.data), size=int(np.size(x.data)))
    grad = getattr(x, "grad", None)
    if grad is not None:
        g = np.asarray(getattr(grad, "data", grad))
        leaf.analytic = g if g.dtype.kind == "c" else g.astype(np.float64)  # complex: shown, never cast
    if data is None:
        leaf.reason = _not_float(np.asarray(x.data))
        return leaf
    if grad is not None and _grad_changed(node, grad):
        # another backward added to it (a later cell's, or --modes re-running this
        # one): comparing it now would FAIL a correct cell
        leaf.reason = ("its grad changed since the graph was recorded (another backward added to it "
                       "or replaced it); re-run the cell to check it")
        return leaf
    idx, bad = _finite_entries(data, per_leaf)
    leaf.nonfinite = bad
    if unchecked or (bad and not idx.size):
        leaf.reason = _nothing_to_step(unchecked, bad, data.size)
        return leaf
    flat_num = np.full(data.size, np.nan)
    work = data.copy()
    flat = work.reshape(-1)
    values = dict(base)
    values[id(x)] = work
    sides = {}                              # flat index -> (f(x+h), f(x-h)), for the kink test
    with np.errstate(all="ignore"):
        for i in idx:
            fp, fm = _shifted(funcs, y, values, flat, i, EPS)
            sides[i] = (fp, fm)
            flat_num[i] = (fp - fm) / (2 * EPS)
    leaf.numerical = flat_num.reshape(data.shape)
    leaf.checked = len(idx)
    if leaf.analytic is None:
        leaf.reason = "the variable has no grad (no backward ran, or it was cleared)"
        return leaf
    if node is not None and node.grad_carried:
        # the pass added to a grad kept from an earlier backward: the sum of two passes'
        # grads is not this output's derivative, and a FAIL would blame a correct backward
        leaf.reason = ("its grad also holds an earlier backward's (it was not cleared before the last "
                       f"backward, which added to it); call {label}.cleargrad() before backward to check it"
                       if node.label else "its grad also holds an earlier backward's (it was not cleared "
                       "before the last backward, which added to it)")
        return leaf
    if leaf.analytic.shape != data.shape:
        leaf.reason = f"its grad has shape {leaf.analytic.shape}, the data {data.shape}"
        leaf.passed = False
        return leaf
    a = leaf.analytic.reshape(-1)[idx]
    n = flat_num[idx]
    off = ~np.isclose(a, n, rtol=RTOL, atol=ATOL)
    kinks = (find_kinks(lambda i, h: _shifted(funcs, y, values, flat, i, h), idx[off], a[off], sides, f0, EPS)
             if off.any() else {})
    real, edges = split_kinks(kinks)
    leaf.kinks, leaf.nonfinite = len(real), bad + edges
    leaf.reason = left_out(len(real), edges, bad)
    if kinks:
        keep = np.array([i not in kinks for i in idx])
        leaf.checked = int(keep.sum())
        if not keep.any():
            leaf.reason = all_left_out(real, edges, bad, leaf.size)
            return leaf
        a, n = a[keep], n[keep]
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(n), initial=0.0)), 1e-12)
    leaf.rel_error = float(np.max(np.abs(a - n), initial=0.0)) / scale
    leaf.passed = bool(np.allclose(a, n, rtol=RTOL, atol=ATOL))
    return leaf


def _grad_changed(node, grad):
    """Whether a leaf's grad is not the one the graph recorded when it was
    drawn (size and max |grad| compared: a second backward doubles it)."""
    if node is None:
        return False
    if node.grad is None:
        return True
    now = snapshot(data_of(grad))
    return now is None or (now.nbytes, now.absmax) != (node.grad_nbytes, node.grad_absmax)


def _shifted(funcs, y, values, flat, i, h):
    """(f with entry i raised by h, f with it lowered by h); the entry is restored."""
    orig = flat[i]
    try:
        flat[i] = orig + h
        fp = _loss(_evaluate(funcs, y, values))
        flat[i] = orig - h
        fm = _loss(_evaluate(funcs, y, values))
    finally:
        flat[i] = orig
    return fp, fm


def derivative_curves(trace, points=CURVE_POINTS, max_order=3):
    """f and its derivatives around the point, for a scalar output of one scalar leaf."""
    prepared = _prepare(trace)
    if isinstance(prepared, str):
        return Curves(False, "The plot is not available because " + prepared + ".")
    y, funcs, leaves = prepared
    if len(leaves) != 1 or np.size(leaves[0][1].data) != 1 or np.size(y.data) != 1:
        return Curves(False, "The plot is shown for a scalar function of one scalar input only.")
    return curves_around(funcs, leaves[0][1], y, points, max_order, _evaluate)
