"""A grad fitted to the input it is for, by the backward engine
(`dezero.backprop`): a grad of another shape is refused, naming the
Function whose backward returned it; a float input gets its grad in its own
dtype, as PyTorch gives it (NumPy's promotion made `float32_x *
float64_array` float64, and x.grad with it)."""
import numpy as np

from dezero.config import Config
from dezero.core import Function, Variable


def check_shapes(f, inputs, gxs):
    for i, (x, gx) in enumerate(zip(inputs, gxs)):
        if gx is not None and x.data is not None and np.shape(gx) != x.data.shape:
            raise ValueError(
                f"{type(f).__name__}.backward returned a grad of shape {np.shape(gx)} for "
                f"input {i} of shape {x.data.shape}; each grad must have its input's "
                "shape (sum over broadcast axes, e.g. with dezero.functions.sum_to)"
            )


def fit_grad(f, inputs, gxs, data, gx):
    """A grad whose shape or dtype is not its input's: a shape is refused; a float input gets it in
    its own dtype, as in torch (NumPy made `float32_x * float64_array` float64, and x.grad with it).
    An int input keeps its float grad: cast, it would be rounded away."""
    g = gx.data
    if g.shape != data.shape:
        check_shapes(f, inputs, gxs)
    if g.dtype != data.dtype and data.dtype.kind == "f" and g.dtype.kind in "biuf":
        return CastGrad(data.dtype)(gx) if Config.enable_backprop else Variable(g.astype(data.dtype))
    return gx


def fitted(fitted, inputs, gxs, x, cast):
    """`gxs` (what the step hooks hear) with `cast` in the first place of x whose grad is not yet
    replaced and is not of x's dtype: a tracer compares x.grad with what it heard, and a cast one
    looked kept from a past pass. (The engine goes through the inputs in order, so that is the
    place being cast, also for `x + x` and for a grad returned as an array, wrapped before the cast.)"""
    fitted = list(gxs) if fitted is None else fitted
    for j, (xj, gj) in enumerate(zip(inputs, gxs)):
        if xj is x and fitted[j] is gj and gj is not None and \
                np.asarray(getattr(gj, "data", gj)).dtype != x.data.dtype:
            fitted[j] = cast
            break
    return fitted


class CastGrad(Function):
    """A grad cast to its input's dtype under create_graph, in the grads' graph so that it can be
    differentiated again (drawn as "CastGrad": its name says what it is, as none of the user's
    calls made it); its backward hands gy back, and the engine casts that to the dtype it came from."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy
