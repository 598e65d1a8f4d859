"""Shape-changing Functions (steps 38-40): reshape, transpose, sum, sum_to, broadcast_to,
expand_dims, flatten."""
import numpy as np

from dezero.core import Function, as_variable
from dezero.shapes import reshape_sum_backward, sum_to_array


def _as_shape(shape):
    """A shape as a tuple: one int is a 1-d shape, as in NumPy (x.reshape(3))."""
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


class Reshape(Function):
    def __init__(self, shape):
        self.shape = _as_shape(shape)

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.x_shape)


def reshape(x, shape):
    shape = _as_shape(shape)
    if x.shape == shape:
        return as_variable(x)
    return Reshape(shape)(x)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        inv_axes = tuple(np.argsort([ax % len(self.axes) for ax in self.axes]))
        return transpose(gy, inv_axes)


def transpose(x, axes=None):
    return Transpose(axes)(x)


class Sum(Function):
    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        gy = reshape_sum_backward(gy, self.x_shape, self.axis, self.keepdims)
        return broadcast_to(gy, self.x_shape)


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)


class SumTo(Function):
    def __init__(self, shape):
        self.shape = _as_shape(shape)

    def forward(self, x):
        self.x_shape = x.shape
        return sum_to_array(x, self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.x_shape)


def sum_to(x, shape):
    shape = _as_shape(shape)
    if x.shape == shape:
        return as_variable(x)
    return SumTo(shape)(x)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = _as_shape(shape)

    def forward(self, x):
        self.x_shape = x.shape
        try:  # (free unless raised)
            return np.broadcast_to(x, self.shape)
        except ValueError:
            # NumPy's "input operand has more dimensions than allowed by the axis remapping" named no shape
            raise ValueError(
                f"broadcast_to cannot broadcast an array of shape {x.shape} to shape {self.shape}: the "
                "target needs at least the input's axes (aligned from the right, each input axis 1 or "
                "equal to the target's), e.g. (2, 3) or (4, 1, 3) for an input (1, 3)") from None

    def backward(self, gy):
        return sum_to(gy, self.x_shape)


def broadcast_to(x, shape):
    shape = _as_shape(shape)
    if x.shape == shape:
        return as_variable(x)
    return BroadcastTo(shape)(x)


def expand_dims(x, axis):
    """Insert an axis of length 1 at `axis` (negative counts from the end, as in NumPy)."""
    x = as_variable(x)
    ndim = x.ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"expand_dims axis {axis} is out of range for a {x.ndim}-d input")
    shape = list(x.shape)
    shape.insert(axis % ndim, 1)
    return reshape(x, tuple(shape))


def flatten(x):
    """Keep the first (batch) axis, flatten the rest: (N, ...) -> (N, -1)."""
    x = as_variable(x)
    if x.ndim == 0:
        raise ValueError("flatten needs at least one (batch) axis, got a 0-d input")
    return reshape(x, (x.shape[0], -1))
