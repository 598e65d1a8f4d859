"""The entries of a leaf that the Gradients check (`numgrad`) steps: real
floating-point data only, finite entries only, spread evenly over a big
array; and the words for why none could be stepped (the leaf or f NaN/Inf,
complex data or output). Pure NumPy. Also what every central difference of
the check uses (the step and the tolerances, here for `numgrad` and
`which_backward` alike), and how an entry's index is written.
"""
import numpy as np

EPS = 1e-4                 # central-difference step, as dezero.numerical_diff
RTOL, ATOL = 1e-4, 1e-5    # as dezero.gradient_check

F_NONFINITE = "f is NaN/Inf at this point, so no numerical gradient is possible"
COMPLEX_OUTPUT = "the output is complex, and this check compares real numbers only"


def float_leaf(x):
    """A float64 copy of x's data; None for data with no real gradient to
    step (ints, bools, complex: casting complex to real would drop its imaginary part)."""
    data = np.asarray(x.data)
    if data.dtype.kind != "f":
        return None
    return data.astype(np.float64)


def not_float(data):
    """Why a leaf whose data is not floating point is not checked."""
    if data.dtype.kind == "c":
        return f"complex data ({data.dtype}): this check steps and compares real numbers only"
    # (not "has no gradient": the row shows the grad dezero gave it, and its backward may be right)
    return f"{data.dtype} data cannot hold the nudge of h = {EPS:g} that the numerical check makes"


def finite_entries(data, count):
    """(entries to check, spread evenly over the finite ones; how many entries are NaN/Inf)."""
    # min and max carry any NaN or Inf: no full-size temporary for the common, finite case
    if data.size == 0 or (np.isfinite(data.min()) and np.isfinite(data.max())):
        return entries(data.size, count), 0
    finite = np.flatnonzero(np.isfinite(data))
    return finite[entries(finite.size, count)], data.size - finite.size


def nothing_to_step(unchecked, bad, size):
    """Why no entry of a float leaf was checked, when f or the leaf is NaN/Inf (or f complex)."""
    if not bad:
        return unchecked
    some = f" ({bad} of {size} entries)" if size > 1 else ""
    if not unchecked:   # f is finite, and every entry of this input is NaN/Inf
        return f"this input is NaN/Inf{some}, so no numerical gradient is possible"
    if unchecked == F_NONFINITE:
        return f"this input is NaN/Inf{some} and f is NaN/Inf at this point, so no numerical gradient is possible"
    return unchecked


def unusable(out):
    """Why no central difference is possible at all for this output ("" when one is)."""
    if np.iscomplexobj(out):
        return COMPLEX_OUTPUT
    with np.errstate(all="ignore"):
        if not np.isfinite(loss(out)):
            return F_NONFINITE
    return ""


def entries(size, count):
    """`count` flat indices spread evenly over an array of `size` (all when it is small)."""
    if size <= count:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, count).round().astype(int))


def loss(out):
    """backward() seeds ones: the grads are those of sum(output)."""
    return float(np.sum(out))


def entry_index(shape, flat):
    """The index of flat entry `flat` of an array of `shape`, as written in brackets: "2,3", or "7" in 1-d
    (and "0" for a 0-d array's one entry)."""
    if len(shape) <= 1:
        return str(int(flat))
    return ",".join(str(int(k)) for k in np.unravel_index(flat, shape))
