"""The first derivative of a higher-order cell (book steps 33-36), checked
beside the Gradients tab's leaf check.

In `y.backward(create_graph=True); gx = x.grad; x.cleargrad(); gx.backward()`
the leaf check (`numgrad`) differentiates gx's graph against itself: it
passes a Cube.backward that forgot the square, as gx's graph is built from
whatever that backward returned. So when the last pass differentiated the
grads one earlier create_graph pass made, that earlier pass is checked too:
each grad it left on a leaf (gx = x.grad as it left it; also in step 36's
`z = gx ** 3 + y`, where the last pass starts from z) against central
differences of its output y with respect to THAT leaf, re-running y's
forward on copies as the leaf check does, and when one differs, each class
of y's graph alone (`which_backward`).

What is known of the earlier pass the tracer recorded
(`Tracer.first_derivatives`, weak references on the trace: a step-17 lesson
must still see y freed). Anything not found or not checkable is said
(`FirstPass.reason`), never passed.
"""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from dezero_magic.exc_text import described
from dezero_magic.grad_check_result import near_zero_pass
from dezero_magic.grad_tolerance import rounded, tolerance
from dezero_magic.isolation import isolated, own_classes
from dezero_magic.reevaluate import evaluate_all, functions, links, passes, shifted
from dezero_magic.stepped_entries import EPS, finite_entries, float_leaf
from dezero_magic.which_backward import which_backward

MAX_FUNCTIONS = 400        # as the leaf check: a bigger y graph is not re-run
MAX_ENTRIES = 16           # entries stepped per leaf


@dataclass
class FirstPass:
    output: str = "y"                       # the earlier pass's output
    grad: str = "gx"                        # the grad it left on `leaf` (the one shown)
    passed: Optional[bool] = None           # None: not checked, or differs without a wrong backward
    reason: str = ""                        # why not checked / what differs
    leaf: str = "x"                         # the leaf that grad is of
    analytic: Optional[np.ndarray] = None
    numerical: Optional[np.ndarray] = None
    rel_error: Optional[float] = None
    waiting: bool = False                   # y's graph has the user's classes: runs on the button
    own_classes: List[str] = field(default_factory=list)
    planned_runs: int = 0
    runs: int = 0
    hidden_lines: int = 0
    which: Optional[object] = None          # which_backward of y's graph, when a grad differs
    within_atol: Optional[float] = None     # a pass owed to atol alone (a grad near 0): that atol
    abs_error: Optional[float] = None

    @property
    def title(self):
        return f"First derivative ({self.output}.backward(create_graph=True))"


class _Pair:
    """Weak references to the earlier pass's output y and, per leaf, the grad
    it left there: [(leaf label, leaf ref, grad label, grad ref, carried)];
    or why there are none. Pickled (`%store` of a Trace) without them."""

    def __init__(self, y=None, grads=(), y_label="y", why=""):
        self.y, self.grads, self.y_label, self.why = y, list(grads), y_label, why

    def __getstate__(self):
        state = dict(self.__dict__)
        state["y"], state["grads"] = None, []
        state["why"] = state["why"] or "the check was saved and loaded again, without the cell's objects"
        return state


def find_pair(trace):
    """The _Pair of the trace's last two passes, None when the last pass
    differentiated no earlier one (kept on the trace: `trace.first_pass_pair`)."""
    if not hasattr(trace, "first_pass_pair"):
        trace.first_pass_pair = _find(trace)
    return trace.first_pass_pair


def _label(graph, vid, default):
    node = graph.variables.get(f"v{vid}" if isinstance(vid, int) else vid)
    return node.label if node is not None and node.label else default


def _find(trace):
    graph = trace.graph
    n = graph.differentiated_passes if trace.source == "dezero" and not getattr(trace, "line_magic", False) else 0
    if not n:
        return None
    y_label = _label(graph, graph.differentiated_from, "y")
    if n > 1:
        # The grad the earlier pass left is what the last pass started from (gx2 of gx, not "gx of gx").
        started = graph.started_from()
        named = [v.label for v in graph.variables.values() if v.leaf and v.label]
        leaf = named[0] if len(named) == 1 else "x"
        grad = [(leaf, None, _label(graph, started, "its grad"), None, False)] if started is not None else []
        return _Pair(y_label=y_label, grads=grad, why=(
            f"the last {n} backward passes each differentiated the grads the pass before made: the check "
            "follows one create_graph pass back, not a chain of them"))
    recorded = getattr(trace, "first_derivatives", None)
    if recorded is None:
        return _Pair(y_label=y_label, why="the tracer kept no record of the earlier pass's grads")
    y_ref, grads = recorded
    pairs = [(_label(graph, leaf, f"v{leaf}"), x_ref, _label(graph, g, ""), g_ref, carried)
             for leaf, x_ref, g, g_ref, carried in grads]
    pairs = [(xl, x_ref, gl or f"{xl}.grad", g_ref, carried) for xl, x_ref, gl, g_ref, carried in pairs]
    return _Pair(y_ref, pairs, y_label)


def _alive(pair):
    """(y, [(leaf label, leaf, grad label, grad)]) of what still lives, grads that
    also hold an earlier backward's left out; or a reason string."""
    y = pair.y() if pair.y is not None else None
    if y is None:
        return f"{pair.y_label} no longer exists (a later cell rebound its name)"
    live = [(xl, x_ref(), gl, g_ref()) for xl, x_ref, gl, g_ref, carried in pair.grads
            if not carried and x_ref is not None and g_ref is not None]
    live = [(xl, x, gl, g) for xl, x, gl, g in live if x is not None and g is not None and float_leaf(x) is not None]
    if not live:
        return (f"no grad {pair.y_label}.backward(create_graph=True) left on a float leaf is still there "
                "to compare (or each also held an earlier backward's grad)")
    return y, live


def check_first_pass(trace, run_own_code=False):
    """FirstPass of the earlier create_graph pass; None when the last pass differentiated none."""
    pair = find_pair(trace)
    if pair is None:
        return None
    out = FirstPass(output=pair.y_label)
    if pair.grads:
        out.leaf, out.grad = pair.grads[0][0], pair.grads[0][2]
    if pair.why:
        out.reason = pair.why
        return out
    alive = _alive(pair)
    if isinstance(alive, str):
        out.reason = alive
        return out
    y, grads = alive
    out.leaf, out.grad = grads[0][0], grads[0][2]
    funcs = functions(y, MAX_FUNCTIONS)
    if funcs is None:
        out.reason = f"{pair.y_label}'s graph has more than {MAX_FUNCTIONS} functions"
        return out
    reachable = {id(x) for f in funcs for x in links(f)[0]}
    leaves, changed = [], []
    for vid, ref in trace.leaf_refs.items():
        x, node = ref(), trace.graph.variables.get(vid)
        if x is not None and id(x) in reachable and node is not None and node.changed_since:
            changed.append(node.label or vid)
        if x is not None and id(x) in reachable and float_leaf(x) is not None:
            leaves.append((node.label if node is not None and node.label else vid, x))
    if changed:
        out.reason = (f"{changed[0]} changed after the backward (an update such as x.data -= ..., as Newton's "
                      "method makes): re-running the forward now would compare grads at two different points")
        return out
    mine = [(xl, x, gl, g) for xl, x, gl, g in grads if id(x) in reachable]
    if not mine:
        out.reason = f"the leaves those grads are of are no longer in {pair.y_label}'s graph"
        return out
    out.own_classes = own_classes(funcs)
    if out.own_classes and not run_own_code:
        out.waiting = True
        out.planned_runs = 1 + 2 * sum(min(int(np.size(x.data)), MAX_ENTRIES) for _, x, _, _ in mine)
        out.reason = "it re-runs your forward, so it waits for the button below"
        return out
    before = passes()
    with isolated() as hidden:
        _compare(out, y, funcs, leaves, mine, trace)
    out.runs, out.hidden_lines = passes() - before, hidden.lines
    return out


def _compare(out, y, funcs, leaves, mine, trace):
    """Each grad against d(sum y)/dx for ITS leaf x; the one shown is the
    first that differs, else the first."""
    base = {id(x): float_leaf(x) for _, x in leaves}
    try:
        with np.errstate(all="ignore"):
            again = evaluate_all(funcs, base).get(id(y), np.asarray(y.data))
    except Exception as exc:  # noqa: BLE001 - a user's forward that fails on a copy
        out.reason = f"re-running {out.output}'s forward raised {described(exc)}"
        return
    tol = tolerance(y, [x for _, x in leaves])
    if not tol.reproduces(rounded(again, y.data), y.data):
        out.reason = (f"re-running {out.output}'s forward does not reproduce it (its data changed since, or a "
                      "function is random)")
        return
    results = []
    for label, x, g_label, g in mine:
        a_all = np.asarray(getattr(g, "data", g), dtype=np.float64)
        data = base[id(x)]
        if a_all.shape != data.shape:
            out.reason = f"{g_label} has shape {a_all.shape}, not {label}'s {data.shape}"
            return
        idx, _ = finite_entries(data, MAX_ENTRIES)
        work = data.copy()
        flat, values = work.reshape(-1), dict(base)
        values[id(x)] = work
        with np.errstate(all="ignore"):
            n = np.array([(lambda s: (s[0] - s[1]) / (2 * EPS))(shifted(funcs, y, values, flat, i, EPS))
                          for i in idx])
        if not np.isfinite(n).all():
            out.reason = f"{out.output} is NaN/Inf at or within h of the point: no central difference exists"
            return
        a = a_all.reshape(-1)[idx]
        scale = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(n), initial=0)), 1e-12)
        rel = float(np.max(np.abs(a - n), initial=0)) / scale
        results.append((bool(tol.for_grads(n).close(a, n).all()), rel, label, g_label, a, n, tol.for_grads(n)))
    ok, out.rel_error, out.leaf, out.grad, out.analytic, out.numerical, used = next(
        (r for r in results if not r[0]), results[0])
    if ok:
        out.passed = True
        largest = float(np.max(np.abs(out.analytic - out.numerical), initial=0))
        # (as the leaf table says it: the difference shown is that of the entries atol passed)
        out.within_atol, out.abs_error = near_zero_pass(used, out.analytic, out.numerical, largest)
        return
    out.which = which_backward(funcs, trace)
    if out.which.wrong:
        out.passed = False
    else:
        out.reason = (f"{out.grad} is not d{out.output}/d{out.leaf}, yet each backward of {out.output}'s graph "
                      "is right on its own: the grads were put together wrongly, or changed after the pass")
