"""f and its higher derivatives around a point (the book's step 34), for the
Gradients view's plot. Used by `numgrad.derivative_curves`. No plot when f
or x is NaN/Inf or complex at the point: an axis on [nan, nan], or f's real
part, would be a figure of nothing true.

For dezero's own Functions the graph is replayed on a fresh Variable
(`isolation.copy_function(function)(...)`, so the user's graph is untouched) and
differentiated with `dezero.grad(..., create_graph=True)`; each order is
checked at the point against a central difference of the order below and
left out, with a note saying why, when that check fails (a backward dezero
cannot differentiate) or cannot be made (NaN/Inf near the point). A graph
with the user's own classes (students' classes, a Function subclass typed
into a cell) gets f and a central-difference f': their forward alone runs
again, and only when the user asked for it (see `dezero_magic.isolation`).
"""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from dezero_magic.exc_text import described
from dezero_magic.isolation import copy_function, is_dezero_own
from dezero_magic.reevaluate import links as _links
from dezero_magic.stepped_entries import EPS

MAX_REPLAY_FUNCTIONS = 100   # the plot replays the graph at every point


@dataclass
class Curves:
    """f and its derivatives on `xs` around the point x0 (order 0 is f)."""
    available: bool
    reason: str = ""
    x0: float = 0.0
    xs: Optional[np.ndarray] = None
    curves: dict = field(default_factory=dict)   # order -> values on xs
    analytic: bool = True                        # derivatives by dezero.grad (else numerical)
    hidden_lines: int = 0                        # lines the re-runs printed, kept from the cell's output
    notes: List[str] = field(default_factory=list)


def _replay(funcs, x, y, xv):
    """y recomputed as a new dezero graph from the Variable xv in place of x."""
    new = {id(x): xv}
    for f in funcs:
        ins, outs = _links(f)
        ys = copy_function(f)(*[new.get(id(i), i) for i in ins])
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        for o, v in zip(outs, ys):
            if o is not None:
                new[id(o)] = v
    return new[id(y)]


def _derivatives_at(funcs, x, y, value, max_order):
    """[f, f', f'', ...] at `value` (as many orders as dezero could compute)."""
    import dezero
    from dezero import Variable

    xv = Variable(np.array(value, dtype=np.float64).reshape(np.shape(x.data)))
    cur = _replay(funcs, x, y, xv)
    out = [float(np.asarray(cur.data).reshape(-1)[0])]
    for _ in range(max_order):
        try:
            cur = dezero.grad(cur, xv, create_graph=True)
        except Exception:  # noqa: BLE001 - a backward dezero cannot differentiate ends the orders here
            break
        out.append(float(np.asarray(cur.data).reshape(-1)[0]))
    return out


def _checked_orders(funcs, x, y, x0, max_order):
    """(orders whose value at x0 matches a central difference of the order
    below, orders dezero computed, why the next order is not shown: None
    when every computed order is)."""
    at = _derivatives_at(funcs, x, y, x0, max_order)
    lo = _derivatives_at(funcs, x, y, x0 - EPS, max_order)
    hi = _derivatives_at(funcs, x, y, x0 + EPS, max_order)
    computed = len(at) - 1
    for k in range(1, len(at)):
        why = f"Derivative {k} is not shown: "
        if k - 1 >= min(len(lo), len(hi)):
            return k - 1, computed, why + ("dezero could not compute the one below it within h of the point, "
                                           "so no central difference can check it.")
        numeric = (hi[k - 1] - lo[k - 1]) / (2 * EPS)
        # NaN/Inf compares unequal to everything: it says nothing of the backward
        if not np.isfinite(at[k]):
            return k - 1, computed, why + "dezero gives NaN/Inf for it at the point."
        if not np.isfinite(numeric):
            return k - 1, computed, why + ("the one below it is NaN/Inf within h of the point, so no central "
                                           "difference can check it.")
        if not np.isclose(at[k], numeric, rtol=1e-3, atol=1e-4 * max(1.0, abs(numeric))):
            return k - 1, computed, why + ("at the point it differs from a central difference of the one below "
                                           "(a backward dezero cannot differentiate twice).")
    return computed, computed, None


def curves_for(funcs, x, y, x0, xs, max_order, evaluate):
    """Curves for the scalar function y(x) on xs."""
    from dezero import Function, Variable
    from dezero.config import using_config

    shape = np.shape(x.data)
    result = Curves(True, x0=x0, xs=xs)

    def f_at(v):
        try:
            return float(np.asarray(evaluate(funcs, y, {id(x): np.full(shape, v, dtype=np.float64)})).reshape(-1)[0])
        except Exception:  # noqa: BLE001 - outside the function's domain: a gap in the curve
            return np.nan

    with np.errstate(all="ignore"):
        result.curves[0] = np.array([f_at(v) for v in xs])
        dezero_classes = all(isinstance(f, Function) for f in funcs)
        dezero_graph = isinstance(x, Variable) and dezero_classes and all(is_dezero_own(f) for f in funcs)
        if dezero_graph and len(funcs) <= MAX_REPLAY_FUNCTIONS:
            with using_config("enable_backprop", True):
                try:
                    good, _, why = _checked_orders(funcs, x, y, x0, max_order)
                except Exception as exc:  # noqa: BLE001 - the plot of f alone is still right
                    good, why = 0, f"Derivatives not shown: replaying the graph raised {described(exc)}."
                if why:
                    result.notes.append(why)
                elif good < max_order:
                    result.notes.append(f"Derivatives beyond order {good} are not shown: dezero could not "
                                        "compute them (create_graph).")
                for k in range(1, good + 1):
                    result.curves[k] = np.full(len(xs), np.nan)
                for i, v in enumerate(xs):
                    try:
                        values = _derivatives_at(funcs, x, y, v, good)
                    except Exception:  # noqa: BLE001 - outside the domain: a gap in the curves
                        continue
                    for k in range(1, min(good, len(values) - 1) + 1):
                        result.curves[k][i] = values[k]
        else:
            result.analytic = False
            result.curves[1] = np.array([(f_at(v + EPS) - f_at(v - EPS)) / (2 * EPS) for v in xs])
            if not dezero_classes:
                why = "your own classes: dezero.grad cannot differentiate them"
            elif not dezero_graph:
                why = "your own Function classes: dezero.grad would run their backward again, many times"
            else:
                why = f"more than {MAX_REPLAY_FUNCTIONS} functions"
            result.notes.append(f"f' by central difference ({why}).")
    return result


def curves_around(funcs, x, y, points, max_order, evaluate):
    """Curves of y(x) on `points` points around x's value (x and y: scalars)."""
    data = np.asarray(x.data)
    why = no_curve(data, np.asarray(y.data))
    if why:
        return Curves(False, f"The plot is not available because {why}.")
    x0 = float(data.reshape(-1)[0])
    width = 2.0 * max(1.0, abs(x0))
    xs = np.linspace(x0 - width, x0 + width, points)
    if not np.isfinite(xs).all():
        return Curves(False, "The plot is not available because the range around the point overflows.")
    return curves_for(funcs, x, y, x0, xs, max_order, evaluate)


def no_curve(data, out):
    """Why f cannot be drawn around this scalar input ("" when it can)."""
    if out.dtype.kind not in "biufc":
        # Variable(None): a student's forward without `return` (the other tabs say so too)
        return ("the output holds no number (its data is None: did a forward forget `return`?)"
                if out.ndim == 0 and out.item() is None else "the output is not numeric")
    if data.dtype.kind != "f":
        return "the input is complex" if data.dtype.kind == "c" else "the input is not floating point"
    if np.iscomplexobj(out):
        return "the output is complex"
    if not np.isfinite(data).all():
        return "the input is NaN/Inf"
    return "" if np.isfinite(out).all() else "f is NaN/Inf at this point"
