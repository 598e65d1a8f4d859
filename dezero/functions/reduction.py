"""Reductions besides sum (steps 39, 52): average/mean, max, min."""
import numpy as np

from dezero.core import Function, as_variable
from dezero.functions.tensor import broadcast_to, sum
from dezero.shapes import reshape_sum_backward


def average(x, axis=None, keepdims=False):
    """Mean over `axis` (all axes by default), made of sum and a scale."""
    x = as_variable(x)
    y = sum(x, axis, keepdims)
    if x.size == 0:
        raise ValueError(f"average of an empty array (shape {x.shape}) is undefined")
    # A scale of x's own dtype, so float32 stays float32; an int mean is a float64, as NumPy's
    # (int64(1 / 3) was 0: the mean of [1, 2, 3] came out 0).
    scale = y.data.dtype.type if y.data.dtype.kind in "fc" else np.float64
    return y * scale(y.size / x.size)


mean = average


class Max(Function):
    """max over `axis`; the grad is shared among the positions holding the max.

    The book gives each tied position the full grad (so ties count it
    twice); splitting it evenly, as torch.amax does, keeps sum(grad) = gy.
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def _reduce(self, x):
        return x.max(axis=self.axis, keepdims=self.keepdims)

    def forward(self, x):
        return self._reduce(x)

    def backward(self, gy):
        (x,) = self.inputs
        y = self._reduce(x.data)
        y = reshape_sum_backward(y, x.shape, self.axis, self.keepdims)
        hit = x.data == y
        if x.dtype.kind == "f":
            # A NaN max is held by the NaN entries (NaN != NaN: no position matched, the
            # share was 0 / 0 = NaN everywhere); torch gives the grad to the NaN too.
            hit |= (y != y) & (x.data != x.data)
        hit = hit.astype(gy.dtype)
        share = hit / hit.sum(axis=self.axis, keepdims=True)
        gy = reshape_sum_backward(gy, x.shape, self.axis, self.keepdims)
        return broadcast_to(gy, x.shape) * share


class Min(Max):
    def _reduce(self, x):
        return x.min(axis=self.axis, keepdims=self.keepdims)


def max(x, axis=None, keepdims=False):
    return Max(axis, keepdims)(x)


def min(x, axis=None, keepdims=False):
    return Min(axis, keepdims)(x)
