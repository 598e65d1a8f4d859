"""Numerical gradients of a traced cell (the book's step 4 next to step 6's
backprop), and f with its derivatives for a scalar function of one scalar.

Pure: no widgets. Works while the trace's output Variable is alive
(`trace.output_refs`): the graph is re-evaluated from the live Functions
reached through `creator` links. Each evaluation calls `forward` on a copy
of each Function (its arrays copied too: BatchNorm updates its running mean
in place) with float64 copies of the leaves' data, so the user's Variables,
their grads and the Functions' own attributes are never changed; what it
prints is hidden and the global random generators are restored
(`dezero_magic.isolation`). A graph with the user's own classes is re-run
only with `run_own_code=True` (the user asked): their forward may do more
than compute. It may run long after the cell (the Gradients tab is built
when first opened), so it checks that the objects are still as the graph
recorded them: no leaf may have changed after the drawn forward used it
(x.data -= lr * x.grad.data: its slopes at the new value are no check of
grads taken at the old), the forward must reproduce the output, and each leaf's grad
must be the one recorded and come from this output's backward
(`dezero_magic.grad_origin`). The user's forward is watched on its first
pass, and any when the output is not reproduced: one that changes its input
in place or returns no array is named (`dezero_magic.forward_faults`).
Every result says why when it is not available.

Deterministic: the entries checked depend on the graph's sizes, not on
timings, and an entry whose central difference is no valid reference (a
kink at or within h of the point: relu at 0, a max-pooling tie; NaN/Inf in
the entry, or in f at or within h of it; a nudge of h lost in the rounding
of a big sum(output)) is left out and said so, never
reported as a wrong backward (see `dezero_magic.kinks`). Complex data is
not checked: a real step says nothing of a complex gradient, and casting
it to real would drop its imaginary part. Comparisons fit the data's precision
(looser for float16: `dezero_magic.grad_tolerance`). The re-evaluation lives
in `dezero_magic.reevaluate`, the plot's derivatives in `dezero_magic.derivatives`,
what the check reports in `dezero_magic.grad_check_result`.
"""
import numpy as np

from dezero_magic.derivatives import Curves, curves_around, no_curve
from dezero_magic.exc_text import described
from dezero_magic.grad_check_result import GradCheck, LeafGrad, near_zero_pass
from dezero_magic.forward_faults import ForwardFault, diagnose, watched_pass
from dezero_magic.grad_origin import CHANGED, backward_ran, differs, grad_changed, line_magic, not_compared
from dezero_magic.isolation import isolated, own_classes
from dezero_magic.numgrad_reasons import changed_leaves, no_creator, no_graph, not_reproduced, output_gone
from dezero_magic.numgrad_reasons import no_live_leaf, output_label, raised
from dezero_magic.pass_clock import PassClock
from dezero_magic.regraded import regraded_reason
from dezero_magic.kinks import all_left_out, find_kinks, left_out, lost_to_rounding, split_kinks, sum_rounding
from dezero_magic.reevaluate import evaluate as _evaluate
from dezero_magic.reevaluate import evaluate_all as _evaluate_all
from dezero_magic.reevaluate import functions, passes, shifted
from dezero_magic.reevaluate import links as _links
from dezero_magic.grad_tolerance import Tolerance, rounded, tolerance
from dezero_magic.stepped_entries import EPS, F_NONFINITE
from dezero_magic.stepped_entries import finite_entries, float_leaf, loss, not_float, nothing_to_step, unusable
from dezero_magic.which_backward import WhichBackward, failed_leaf, which_backward

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


def output_of(trace):
    """The output the check differentiates, while it lives (None when gone)."""
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
    if not trace.graph.functions:
        return no_graph(trace)
    y = output_of(trace)
    if y is None:
        return output_gone(trace)
    if getattr(y, "creator", None) is None:
        return no_creator(trace)
    funcs = functions(y, MAX_FUNCTIONS)
    if funcs is None:
        return f"the graph has more than {MAX_FUNCTIONS} functions; re-evaluating it here would take too long"
    reachable = {id(x) for f in funcs for x in _links(f)[0]}
    leaves = [(vid, x) for vid, x in _leaves(trace) if id(x) in reachable]
    if not leaves:
        return no_live_leaf(trace)
    # x.data -= lr * x.grad.data after the backward: near a minimum the re-run at the new x still
    # "reproduces" a flat output, and its slopes there FAILed grads taken at the old x (QA Q21-1)
    return changed_leaves(trace, [vid for vid, _ in leaves]) or (y, funcs, leaves)


def check_gradients(trace, within_s=None, run_own_code=False, find_wrong=True):
    """GradCheck of the trace's live leaves against central differences.
    With `within_s`: None instead when the passes would take longer (the
    caller then checks later, when the user asks). A graph with the user's
    own classes runs only with `run_own_code`; else the GradCheck, made from
    the graph alone, is `waiting` and says what would run (`own_classes`,
    `planned_runs`), or why there is nothing to compare. A leaf FAILs: the wrong
    backward is found too, or left `which_pending` with `find_wrong=False`."""
    prepared = _prepare(trace)
    if isinstance(prepared, str):
        return _unavailable(prepared)
    y, funcs, leaves = prepared
    own = own_classes(funcs)
    if own and not run_own_code:
        return _without_running(trace, y, leaves, own)
    before = passes()
    with isolated() as hidden:
        result = _check(trace, y, funcs, leaves, within_s, watched=bool(own))
        if failed_leaf(result):   # in the same isolation: their prints hidden and counted too
            result.which, result.which_pending = (which_backward(funcs, trace), False) if find_wrong else (None, True)
    if result is not None:
        result.own_classes, result.runs, result.hidden_lines = own, passes() - before, hidden.lines
    return result


def find_which(trace, check):
    """Run the local check a GradCheck left `which_pending` (its tab is opened now), on the
    graph as it is now; dezero's own classes only: only the user's button runs theirs."""
    if not check.which_pending:
        return
    check.which_pending, prepared = False, _prepare(trace)
    if isinstance(prepared, str) or own_classes(prepared[1]):
        check.which = WhichBackward(unavailable=prepared if isinstance(prepared, str) else "the graph runs your code")
        return
    with isolated() as hidden:
        check.which = which_backward(prepared[1], trace)
    check.hidden_lines += hidden.lines


def _plotted(leaves, y):
    """Whether the plot applies: a scalar function of one scalar input."""
    return len(leaves) == 1 and np.size(leaves[0][1].data) == 1 and np.size(y.data) == 1


def planned_runs(leaves, y):
    """About how many forward passes a check and its plot make: one to
    reproduce the output, two an entry checked, three a point of a plot by
    central differences (kinks add up to four an entry that misses)."""
    entries = sum(min(int(np.size(x.data)), MAX_ENTRIES) for _, x in leaves if float_leaf(x) is not None)
    return 1 + 2 * entries + (3 * CURVE_POINTS if _plotted(leaves, y) else 0)


def _head(trace, vid, x):
    """(LeafGrad with value and analytic grad, its graph node, the grad object)."""
    node = trace.graph.variables.get(vid)
    label = node.label if node is not None and node.label else vid
    leaf = LeafGrad(vid, label, np.asarray(x.data), size=int(np.size(x.data)))
    grad = getattr(x, "grad", None)
    if grad is not None:
        g = np.asarray(getattr(grad, "data", grad))
        leaf.analytic = g if g.dtype.kind == "c" else g.astype(np.float64)  # complex: shown, never cast
    return leaf, node, grad


def _without_running(trace, y, leaves, own):
    """The check of a graph with the user's own classes, before they asked
    to re-run them: each leaf's reason when it could not be compared anyway
    (no backward ran, no grad), WAITING for the others; `waiting` and what
    re-running would take when some leaf waits."""
    judged = []
    for vid, x in leaves:
        leaf, node, grad = _head(trace, vid, x)
        data = np.asarray(x.data)
        if data.dtype.kind != "f":
            leaf.reason = not_float(data)
        elif grad is not None and grad_changed(node, grad):
            leaf.reason = CHANGED
        elif grad is not None and node is not None and node.grad_made:
            leaf.reason = regraded_reason(node)
        else:
            leaf.reason = not_compared(trace, node, vid, leaf.label, grad)
        judged.append(leaf)
    result = _result(trace, y)
    result.leaves, result.own_classes = judged, own
    if not all(leaf.reason for leaf in judged):
        result.waiting, result.planned_runs = True, planned_runs(leaves, y)
        for leaf in judged:
            leaf.reason = leaf.reason or WAITING
    return result


WAITING = "it needs your forward to run again, so it waits for the button below"


def _result(trace, y):
    return GradCheck(True, output_label=output_label(trace, y), backward_ran=backward_ran(trace.graph),
                     can_backward=callable(getattr(y, "backward", None)), line_magic=line_magic(trace))


def _unavailable(why):
    return GradCheck(False, "Numerical gradients are not available because " + why + ".")


def _base(leaves):
    """id(leaf) -> a float64 copy of its data, for the leaves with a real gradient."""
    return {id(x): d for _, x in leaves if (d := float_leaf(x)) is not None}


def _check(trace, y, funcs, leaves, within_s, watched=False):
    """`watched`: the first pass watches each forward (the user's code: `forward_faults`)."""
    base = _base(leaves)
    try:
        clock = PassClock()
        with np.errstate(all="ignore"):
            computed = watched_pass(funcs, base, trace) if watched else _evaluate_all(funcs, base)
        one_run = clock.seconds()
    except ForwardFault as fault:
        return _unavailable(str(fault))
    except Exception as exc:  # noqa: BLE001 - a user's forward that fails on a copy
        return _unavailable(raised(described(exc)))
    again = computed[id(y)] if id(y) in computed else np.asarray(y.data)
    tol, seen = tolerance(y, [x for _, x in leaves]), rounded(again, y.data)   # as precise as the data
    if not tol.reproduces(seen, y.data):
        # watched already, or now on fresh copies (a forward may have changed the first pass's in place);
        # not when it may not fit the early check's time (a watched pass costs ~3 plain ones)
        looks = within_s is None or 3 * one_run <= within_s
        fault = "" if watched else diagnose(funcs, _base(leaves), trace) if looks else None
        return _unavailable(fault or not_reproduced(looked=fault is not None))
    # (the output as recorded may be NaN/Inf where the float64 re-run is not: a float16 overflow)
    unchecked = unusable(again) or (F_NONFINITE if seen is not again and not np.isfinite(seen).all() else "")
    per_leaf = 0 if unchecked else _budget(funcs, base, computed, one_run, within_s)
    if not isinstance(per_leaf, int):
        return per_leaf     # None (check later) or a GradCheck saying why not
    result = _result(trace, y)
    result.tolerance = tol
    result.unchecked = unchecked
    f0, noise = (None, None) if unchecked else (loss(again), sum_rounding(again))
    for vid, x in leaves:
        result.leaves.append(_check_leaf(trace, vid, x, funcs, y, base, per_leaf, f0, unchecked, tol, noise))
    # (only beside grads compared: after "Nothing to check" it said nothing, QA Q21-9)
    if np.size(y.data) != 1 and any(leaf.passed is not None or leaf.differs for leaf in result.leaves):
        result.notes.append("The output is not a scalar: these are the grads of sum(output), "
                            "as backward() starts from ones.")
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
    needed = 2 * per_leaf * len(base)
    if within_s is not None and one_run * needed > within_s:
        return None
    if one_run * needed > SLOW_LIMIT_S:
        clock = PassClock()
        with np.errstate(all="ignore"):
            _evaluate_all(funcs, base)
        one_run = min(one_run, clock.seconds())
    if one_run * needed > SLOW_LIMIT_S:
        return GradCheck(False, f"Numerical gradients are not available because the graph is too slow to "
                                f"re-run: one forward pass of its {len(funcs)} functions took {one_run:.2f} s "
                                f"(timed), and {needed} passes would be needed.")
    return per_leaf


def _check_leaf(trace, vid, x, funcs, y, base, per_leaf, f0, unchecked="", tol=Tolerance(), noise=(0.0, 0.0)):
    """`noise`: (the rounding error of sum(output), sum(|output|)), from `kinks.sum_rounding`."""
    leaf, node, grad = _head(trace, vid, x)
    data = base.get(id(x))
    if data is None:
        leaf.reason = not_float(np.asarray(x.data))
        return leaf
    if grad is not None and grad_changed(node, grad):
        # another backward added to it (a later cell's, or --modes re-running this
        # one): comparing it now would FAIL a correct cell
        leaf.reason = CHANGED
        return leaf
    if grad is not None and node is not None and node.grad_made:
        leaf.reason = regraded_reason(node)   # clipped, or an optimizer hook's: no longer backward's
        return leaf
    idx, bad = finite_entries(data, per_leaf)
    leaf.nonfinite = bad
    if unchecked or (bad and not idx.size):
        leaf.reason = nothing_to_step(unchecked, bad, data.size)
        return leaf
    flat_num = np.full(data.size, np.nan)
    work = data.copy()
    flat = work.reshape(-1)
    values = dict(base)
    values[id(x)] = work
    sides = {}                              # flat index -> (f(x+h), f(x-h)), for the kink test
    with np.errstate(all="ignore"):
        for i in idx:
            fp, fm = shifted(funcs, y, values, flat, i, EPS)
            sides[i] = (fp, fm)
            flat_num[i] = (fp - fm) / (2 * EPS)
    leaf.numerical = flat_num.reshape(data.shape)
    leaf.checked = len(idx)
    why = not_compared(trace, node, vid, leaf.label, grad)
    if why:
        leaf.reason = why
        return leaf
    if leaf.analytic.shape != data.shape:
        leaf.reason = f"its grad has shape {leaf.analytic.shape}, the data {data.shape}"
        leaf.passed = False
        return _elsewhere(trace, y, leaf)
    a = leaf.analytic.reshape(-1)[idx]
    n = flat_num[idx]
    tol = tol.for_grads(n)
    off = ~tol.close(a, n)
    # a nudge lost in a big sum's rounding first: the kink test reads that noise as a kink (QA S22-1)
    lost = lost_to_rounding(idx[off], a[off], n[off], noise[0], EPS) if off.any() else set()
    off &= np.array([i not in lost for i in idx], dtype=bool)
    kinks = (find_kinks(lambda i, h: shifted(funcs, y, values, flat, i, h), idx[off], a[off], sides, f0, EPS)
             if off.any() else {})
    real, edges = split_kinks(kinks)
    leaf.kinks, leaf.nonfinite, leaf.rounded = len(real), bad + edges, len(lost)
    leaf.reason = left_out(len(real), edges, bad, len(lost), noise[1])
    if kinks or lost:
        keep = np.array([i not in kinks and i not in lost for i in idx])
        leaf.checked = int(keep.sum())
        if not keep.any():
            leaf.reason = all_left_out(real, edges, bad, leaf.size, len(lost), noise[1])
            return leaf
        a, n = a[keep], n[keep]
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(n), initial=0.0)), 1e-12)
    leaf.abs_error = float(np.max(np.abs(a - n), initial=0.0))
    leaf.rel_error = leaf.abs_error / scale
    leaf.passed = bool(tol.close(a, n).all())
    if leaf.passed:   # "pass" beside a relative error of 1.00e+00 (QA Q21-7)
        leaf.within_atol, leaf.abs_error = near_zero_pass(tol, a, n, leaf.abs_error)
    return _elsewhere(trace, y, leaf)


def _elsewhere(trace, y, leaf):
    """Under `%dezero NAME` a mismatch is no wrong backward: the grad is
    whatever the last backward left, which may not have started at NAME."""
    if leaf.passed is False and line_magic(trace):
        leaf.passed, leaf.differs = None, True
        leaf.reason = differs(output_label(trace, y)) + (f" ({leaf.reason})" if leaf.reason else "")
    return leaf


def derivative_curves(trace, points=CURVE_POINTS, max_order=3, run_own_code=False):
    """f and its derivatives around the point, for a scalar output of one
    scalar leaf; a graph with the user's own classes only with `run_own_code`."""
    prepared = _prepare(trace)
    if isinstance(prepared, str):
        return Curves(False, "The plot is not available because " + prepared + ".")
    y, funcs, leaves = prepared
    if not _plotted(leaves, y):
        return Curves(False, "The plot is shown for a scalar function of one scalar input only.")
    why = no_curve(np.asarray(leaves[0][1].data), np.asarray(y.data))
    if why:
        return Curves(False, f"The plot is not available because {why}.")
    if own_classes(funcs) and not run_own_code:
        return Curves(False, "The plot needs your own code to run again.")
    with isolated() as hidden:
        curves = curves_around(funcs, leaves[0][1], y, points, max_order, _evaluate)
    curves.hidden_lines = hidden.lines
    return curves
