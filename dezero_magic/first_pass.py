"""The first derivative of a higher-order cell (book steps 33-36), checked
beside the Gradients tab's leaf check.

In `y.backward(create_graph=True); gx = x.grad; x.cleargrad(); gx.backward()`
the leaf check (`numgrad`) differentiates gx's graph against itself: it
passes a Cube.backward that forgot the square, as gx's graph is built from
whatever that backward returned. So when the last pass differentiated the
graph one earlier create_graph pass built, that earlier pass is checked too:
the grad it made (gx, the last pass's output, as it is now) against central
differences of its output y with respect to y's leaves, re-running y's
forward on copies as the leaf check does, and when it differs, each class of
y's graph alone (`which_backward`).

What is known of the earlier pass: the graph says that the last pass
differentiated one (`Graph.differentiated_passes`) and which drawn variable
it started from (`Graph.differentiated_from`); y itself is found by the name
the graph shows it under (the user's namespace, right after the cell:
`find_pair`). Where the tracer did not draw it, y is the drawn, named,
non-leaf variable that no other such one is built from, made first.
A weak reference only (a step-17 lesson must still see y freed). Anything
not found or not checkable is said (`FirstPass.reason`), never passed.
"""
import weakref
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from dezero_magic.exc_text import described
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
    grad: str = "gx"                        # the grad it made, from which the last pass started
    passed: Optional[bool] = None           # None: not checked, or differs without a wrong backward
    reason: str = ""                        # why not checked / what differs
    leaf: str = ""                          # the leaf gx is compared as the grad of
    analytic: Optional[np.ndarray] = None
    numerical: Optional[np.ndarray] = None
    rel_error: Optional[float] = None
    waiting: bool = False                   # y's graph has the user's classes: runs on the button
    own_classes: List[str] = field(default_factory=list)
    planned_runs: int = 0
    runs: int = 0
    hidden_lines: int = 0
    which: Optional[object] = None          # which_backward of y's graph, when gx differs

    @property
    def title(self):
        return f"First derivative ({self.output}.backward(create_graph=True))"


class _Pair:
    """Weak references to the earlier pass's output y and the grad gx, or why none was found.
    Pickled (`%store` of a Trace) without them."""

    def __init__(self, y=None, g=None, y_label="y", g_label="gx", why=""):
        self.y = weakref.ref(y) if y is not None else None
        self.g = weakref.ref(g) if g is not None else None
        self.y_label, self.g_label, self.why = y_label, g_label, why

    def __getstate__(self):
        state = dict(self.__dict__)
        state["y"] = state["g"] = None
        state["why"] = state["why"] or "the check was saved and loaded again, without the cell's objects"
        return state


def chained(graph):
    """How many passes in a row the last one ends that each differentiated the pass before's grads (0: none)."""
    return graph.differentiated_passes


def _namespace():
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except Exception:  # noqa: BLE001 - no IPython: nothing to look names up in
        return None
    return getattr(shell, "user_ns", None)


def find_pair(trace, namespace=None):
    """The _Pair of the trace's last two passes, None when the last pass differentiated no earlier one.
    Kept on the trace (`trace.first_pass_pair`): found right after the cell, while the names are the cell's."""
    if hasattr(trace, "first_pass_pair"):
        return trace.first_pass_pair
    pair = _find(trace, _namespace() if namespace is None else namespace)
    trace.first_pass_pair = pair
    return pair


def _find(trace, ns):
    graph = trace.graph
    n = chained(graph) if trace.source == "dezero" and not getattr(trace, "line_magic", False) else 0
    if not n:
        return None
    g = next((y for y in (r() for r in trace.output_refs) if y is not None), None)
    g_label = _start_label(graph)
    if n > 1:
        return _Pair(g_label=g_label, why=(f"the last {n} backward passes each differentiated the grads the pass "
                                           "before made: the check follows one create_graph pass back, not a "
                                           "chain of them"))
    if g is None:
        return _Pair(g_label=g_label, why=f"{g_label} no longer exists")
    candidates = []
    made_by = {o: f for f in graph.functions.values() for o in f.outputs}
    start = graph.started_from()
    recorded = graph.variables.get(graph.differentiated_from)
    for v in ([recorded] if recorded is not None else graph.variables.values()):
        f = made_by.get(v.id)
        if v.leaf or v.id == start or f is None or not v.label.isidentifier() or ns is None:
            continue
        obj = ns.get(v.label)
        creator = getattr(obj, "creator", None)
        if obj is None or obj is g or creator is None or type(creator).__name__ != f.op:
            continue
        candidates.append((f.order, v.label, obj))
    if not candidates:
        return _Pair(g_label=g_label, why=("no name of the cell holds the output of the earlier "
                                           "backward(create_graph=True) any more, so its forward cannot be re-run"))
    graphs = {id(obj): {id(f) for f in (functions(obj, MAX_FUNCTIONS) or ())} for _, _, obj in candidates}
    # y is no part of another candidate's graph (an intermediate `a` of y = a ** 3 is)
    top = [c for c in candidates
           if not any(id(c[2].creator) in graphs[id(o)] for _, _, o in candidates if o is not c[2])]
    order, label, y = min(top or candidates, key=lambda c: c[0])
    return _Pair(y, g, label, g_label)


def _start_label(graph):
    node = graph.variables.get(graph.started_from())
    return node.label if node is not None and node.label else "the output"


def check_first_pass(trace, run_own_code=False):
    """FirstPass of the earlier create_graph pass; None when the last pass differentiated none."""
    pair = find_pair(trace)
    if pair is None:
        return None
    out = FirstPass(output=pair.y_label, grad=pair.g_label)
    if pair.why:
        out.reason = pair.why
        return out
    y, g = pair.y(), pair.g()
    if y is None or g is None:
        gone = pair.y_label if y is None else pair.g_label
        out.reason = f"{gone} no longer exists (a later cell rebound its name)"
        return out
    funcs = functions(y, MAX_FUNCTIONS)
    if funcs is None:
        out.reason = f"{pair.y_label}'s graph has more than {MAX_FUNCTIONS} functions"
        return out
    reachable = {id(x) for f in funcs for x in links(f)[0]}
    leaves = []
    for vid, ref in trace.leaf_refs.items():
        x, node = ref(), trace.graph.variables.get(vid)
        if x is not None and id(x) in reachable and float_leaf(x) is not None:
            leaves.append((node.label if node is not None and node.label else vid, x))
    shape = np.shape(getattr(g, "data", None))
    same = [(label, x) for label, x in leaves if np.shape(x.data) == shape]
    if not same:
        out.reason = f"no float leaf of {pair.y_label}'s graph has the shape of {pair.g_label} {shape}"
        return out
    out.own_classes = own_classes(funcs)
    if out.own_classes and not run_own_code:
        out.waiting = True
        out.planned_runs = 1 + 2 * sum(min(int(np.size(x.data)), MAX_ENTRIES) for _, x in same)
        out.reason = "it re-runs your forward, so it waits for the button below"
        return out
    before = passes()
    with isolated() as hidden:
        _compare(out, y, g, funcs, leaves, same, trace)
    out.runs, out.hidden_lines = passes() - before, hidden.lines
    return out


def _compare(out, y, g, funcs, leaves, same, trace):
    """gx against d(sum y)/dx for each leaf x of gx's shape: passes when it is one of them."""
    base = {id(x): float_leaf(x) for _, x in leaves}
    try:
        with np.errstate(all="ignore"):
            again = evaluate_all(funcs, base).get(id(y), np.asarray(y.data))
    except Exception as exc:  # noqa: BLE001 - a user's forward that fails on a copy
        out.reason = f"re-running {out.output}'s forward raised {described(exc)}"
        return
    tol = tolerance(y, [x for _, x in leaves])
    if not tol.reproduces(rounded(again, y.data), y.data):
        out.reason = (f"re-running {out.output}'s forward does not reproduce it (its data changed since, as "
                      "Newton's method changes x, or a function is random)")
        return
    a_all = np.asarray(getattr(g, "data", g), dtype=np.float64)
    best = None
    for label, x in same:
        data = base[id(x)]
        idx, _ = finite_entries(data, MAX_ENTRIES)
        work = data.copy()
        flat, values = work.reshape(-1), dict(base)
        values[id(x)] = work
        with np.errstate(all="ignore"):
            n = np.array([(lambda s: (s[0] - s[1]) / (2 * EPS))(shifted(funcs, y, values, flat, i, EPS))
                          for i in idx])
        a = a_all.reshape(-1)[idx]
        if not np.isfinite(n).all():
            continue
        scale = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(n), initial=0)), 1e-12)
        rel = float(np.max(np.abs(a - n), initial=0)) / scale
        ok = bool(tol.for_grads(n).close(a, n).all())
        if best is None or (ok, -rel) > (best[0], -best[1]):
            best = (ok, rel, label, a, n)
    if best is None:
        out.reason = f"{out.output} is NaN/Inf at or within h of the point: no central difference exists"
        return
    ok, out.rel_error, out.leaf, out.analytic, out.numerical = best
    if ok:
        out.passed = True
        return
    out.which = which_backward(funcs, trace)
    if out.which.wrong:
        out.passed = False
    else:
        out.reason = (f"{out.grad} is not d{out.output}/d{out.leaf}, yet each backward of {out.output}'s graph "
                      f"is right on its own: {out.grad} may be no grad of {out.output} (a value computed from "
                      "one, as z = gx ** 3 + y of step 36), or the grads were put together wrongly")
