"""The tolerances of the Gradients check (`numgrad`), fitted to the precision
of the graph's data: dezero.gradient_check's (rtol 1e-4, atol 1e-5) for
float32 and float64, looser ones for float16, whose rounding alone misses
those (its eps is 2**-10: sum(exp(x) * 2) at x = [1, 2] is 20.22 in float16,
20.2147 exactly, and backprop's float16 grads are off by as much).

The reference stays exact: the numerical grads are central differences of
the graph re-run in float64. Only the comparisons loosen, to what the
recorded numbers can hold: the re-run is rounded to the output's dtype before
it is compared with the output, and backprop's grads, which err by about eps
of the largest grad (the numbers a grad sums), get an absolute tolerance
scaled to the leaf's largest numerical grad.
"""
from dataclasses import dataclass, replace

import numpy as np

from dezero_magic.preview import data_of
from dezero_magic.stepped_entries import ATOL, RTOL

# The tolerance at a low precision, in its eps: 16 eps (1.6% for float16).
# A float16 MLP's grads missed by at most 1e-3 of their scale (measured),
# a chain of a few dozen roundings stays within it, and a wrong backward
# (a factor, a sign, a transposed term) misses by far more.
ROUNDINGS = 16
# The absolute part, in eps of the leaf's largest grad: 4 eps (0.4% for float16), four times
# the 1e-3 measured; 16 let a factor-2 error pass on an entry 100 times below the largest.
ABS_ROUNDINGS = 4
REPRODUCE_RTOL, REPRODUCE_ATOL = 1e-4, 1e-6   # the re-run against the output, at float32/float64


@dataclass(frozen=True)
class Tolerance:
    rtol: float = RTOL
    atol: float = ATOL
    dtype: str = ""   # the low precision compared at ('' at dezero.gradient_check's tolerances)
    eps: float = 0.0  # its eps

    def for_grads(self, numerical):
        """This tolerance for one leaf's grads: at a low precision, its absolute part scaled
        to the largest finite entry of `numerical` (the leaf's numerical grads checked)."""
        if not self.dtype:
            return self
        return replace(self, atol=max(ATOL, ABS_ROUNDINGS * self.eps * _largest(numerical)))

    def close(self, analytic, numerical):
        """Entrywise: backprop's grad within tolerance of the numerical one (NaN never is)."""
        return np.isclose(analytic, numerical, rtol=self.rtol, atol=self.atol)

    def reproduces(self, again, recorded):
        """Whether the re-run `again` (float64) gives the recorded output; `again` rounded to
        the output's dtype first (`rounded`), so a float16 output that overflowed to inf,
        say, is reproduced by the 70000.0 the re-run gives."""
        if np.shape(again) != np.shape(recorded):
            return False
        if not self.dtype:
            rtol, atol = REPRODUCE_RTOL, REPRODUCE_ATOL
        else:
            rtol, atol = self.rtol, max(REPRODUCE_ATOL, self.rtol * _largest(recorded))
        return bool(np.allclose(again, recorded, rtol=rtol, atol=atol, equal_nan=True))

    def text(self):
        """How the table's grads were compared (a sentence, or three at a low precision)."""
        if not self.dtype:
            return f"Pass: equal within rtol {sci(RTOL)}, atol {sci(ATOL)}."
        tol = f"{self.rtol:.3g}"
        return (f"This graph holds {self.dtype} data, so the grads were compared at {self.dtype} precision "
                f"(its rounding alone misses rtol {sci(RTOL)}). Pass: equal within rtol {tol} ({ROUNDINGS} "
                f"\u00d7 {self.dtype}'s eps {self.eps:.3g}) and atol {ABS_ROUNDINGS * self.eps:.3g} \u00d7 the "
                f"largest numerical grad among the leaf's checked entries (at least {sci(ATOL)}), so an entry "
                "far below that largest one is checked loosely. The numerical grads themselves are computed "
                "in float64.")


def tolerance(y, variables):
    """The Tolerance for the output `y` and the leaves `variables`: that of the lowest
    precision among the output's data and the leaves' data and grads."""
    arrays = [getattr(y, "data", None)]
    for x in variables:
        arrays += [getattr(x, "data", None), data_of(getattr(x, "grad", None))]
    # (dtype only: no array is converted; a Python float has none, and is float64)
    dtypes = {a.dtype for a in arrays if isinstance(getattr(a, "dtype", None), np.dtype)}
    lowest = max((d for d in dtypes if d.kind == "f"), key=lambda d: np.finfo(d).eps, default=None)
    if lowest is None or ROUNDINGS * float(np.finfo(lowest).eps) <= RTOL:   # float32, float64
        return Tolerance()
    eps = float(np.finfo(lowest).eps)
    return Tolerance(rtol=ROUNDINGS * eps, atol=ROUNDINGS * eps, dtype=lowest.name, eps=eps)


def rounded(again, recorded):
    """The re-run `again` rounded to the recorded output's float dtype, as the graph computed it
    (an overflow becomes the inf it was); `again` itself when the output is no real float array."""
    recorded = np.asarray(recorded)
    again = np.asarray(again)
    if recorded.dtype.kind != "f" or again.dtype.kind not in "fiub" or again.dtype == recorded.dtype:
        return again
    with np.errstate(over="ignore", invalid="ignore"):
        return again.astype(recorded.dtype)


def _largest(a):
    """The largest finite |entry| of a (0 when none is)."""
    a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        return 0.0
    with np.errstate(all="ignore"):
        finite = np.abs(a[np.isfinite(a)]).astype(np.float64)
    return float(finite.max(initial=0.0))


def sci(v):
    """A tolerance as the tab writes it: 1e-4, 1e-5 (a float16 one: 0.0039)."""
    if v != float(f"{v:.0e}"):   # not one significant digit
        return f"{v:.2g}"
    return f"{v:.0e}".replace("e-0", "e-")   # 1e-4, as the table always wrote it
