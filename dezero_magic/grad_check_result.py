"""What the Gradients check (`numgrad`) reports: a `LeafGrad` per leaf (its
value, backprop's grad, the numerical one, and the verdict or why there is
none) inside a `GradCheck` (the table, or why it is not available). Plain
data: `widgets.gradients_tab` turns it into the tab.
"""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from dezero_magic.grad_tolerance import Tolerance


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
    rounded: int = 0                        # entries left out: their nudge is lost in sum(output)'s rounding
    differs: bool = False                   # %dezero NAME: differs, but its grad may be another backward's
    # passed only through the absolute tolerance (some entry misses rtol: a grad near 0, whose
    # relative error may read 1.00e+00): that atol (QA Q21-7); see `near_zero_pass`
    within_atol: Optional[float] = None
    # the largest |difference| of the checked entries; with `within_atol`, of those entries only
    # that passed through atol alone ("difference D within atol A" is about them, QA S22-1)
    abs_error: Optional[float] = None


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
    line_magic: bool = False                # %dezero NAME: the grads are whatever the last backward left
    own_classes: List[str] = field(default_factory=list)  # the user's classes in the graph (their code re-runs)
    waiting: bool = False                   # not run yet: it re-runs the user's own classes, when they ask
    planned_runs: int = 0                   # forward passes that check would make (about)
    runs: int = 0                           # forward passes this check made (counted)
    hidden_lines: int = 0                   # lines the re-runs printed, kept from the cell's output
    which: Optional[object] = None          # a leaf FAILed: each class's backward checked alone (which_backward)
    which_pending: bool = False             # ... but not yet: `find_which` runs it (bounded by counts, not time)
    tolerance: Tolerance = field(default_factory=Tolerance)  # what "pass" means (looser for float16 data)


def near_zero_pass(tol, analytic, numerical, largest):
    """(within_atol, abs_error) of a leaf that passed: `tol`'s atol and the largest
    |difference| among the entries that passed through atol alone (they miss rtol:
    grads near 0), so that "difference D within atol A" speaks of those entries and
    is true; it gave the largest difference of all, from an entry that passed on rtol
    (2.7e-05 "within atol 1e-5", QA S22-1). (None, `largest`) when every entry is
    within rtol alone, or when those entries differ by more than atol (atol plus
    rtol times the grad passed them: "within atol" would be false)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    rtol_alone = np.isclose(a, n, rtol=tol.rtol, atol=0.0)
    if rtol_alone.all():
        return None, largest
    near_zero = float(np.max(np.abs(a - n)[~rtol_alone]))
    return (tol.atol, near_zero) if near_zero <= tol.atol else (None, largest)
