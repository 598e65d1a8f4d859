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
    differs: bool = False                   # %dezero NAME: differs, but its grad may be another backward's
    # passed only through the absolute tolerance (some entry misses rtol: a grad near 0, whose
    # relative error may read 1.00e+00): that atol, and the largest |difference| (QA Q21-7)
    within_atol: Optional[float] = None
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
