"""Elementwise math Functions (steps 7-9, 27, 35, 37): square, exp, log, sin, cos, tanh, clip."""
import numpy as np

from dezero.core import Function, Variable


class Square(Function):
    def forward(self, x):
        return x**2

    def backward(self, gy):
        (x,) = self.inputs
        return 2 * x * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * y


class Log(Function):
    def forward(self, x):
        return np.log(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy / x


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * cos(x)


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * -sin(x)


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * (1 - y * y)


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def tanh(x):
    return Tanh()(x)


class Clip(Function):
    """x limited to [x_min, x_max]; the grad passes only where x is inside.

    A bound may be None (no bound on that side, as in np.clip and torch.clamp)
    or an array that broadcasts to x's shape (a bound per element)."""

    def __init__(self, x_min, x_max):
        x_min, x_max = _bound(x_min, "x_min"), _bound(x_max, "x_max")
        if x_min is not None and x_max is not None and np.any(x_min > x_max):
            raise ValueError(f"clip needs x_min <= x_max, got x_min={x_min}, x_max={x_max}")
        self.x_min = x_min
        self.x_max = x_max
        self.array_bounds = np.ndim(x_min) > 0 or np.ndim(x_max) > 0

    def forward(self, x):
        if self.array_bounds:
            _check_bounds_fit(x.shape, self.x_min, self.x_max)
        if self.x_min is None and self.x_max is None:
            return x.copy()  # (NumPy < 2.1 refuses x.clip(None, None))
        return x.clip(self.x_min, self.x_max)

    def backward(self, gy):
        (x,) = self.inputs
        lo, hi, data = self.x_min, self.x_max, x.data
        if lo is None:
            if hi is None:
                return gy
            inside = data <= hi
        else:
            inside = data >= lo if hi is None else (data >= lo) & (data <= hi)
        return gy * inside.astype(gy.dtype)


def _bound(b, name):
    if isinstance(b, Variable):  # no grad flows to a bound: say so rather than drop it
        raise TypeError(f"clip's {name} must be a number, an array or None, got a Variable: a bound "
                        f"is a constant, with no gradient; pass its array ({name}=v.data)")
    return b if b is None or np.ndim(b) == 0 else np.asarray(b)


def _check_bounds_fit(shape, x_min, x_max):
    """Array bounds may not widen x (the grad must keep x's shape)."""
    try:
        both = np.broadcast_shapes(shape, np.shape(x_min), np.shape(x_max))
    except ValueError:
        both = None
    if both != shape:
        raise ValueError(f"clip's array bounds must broadcast to x's shape {shape}, got x_min of shape "
                         f"{np.shape(x_min)} and x_max of shape {np.shape(x_max)}; give one bound per "
                         "element of x (or a number, or None for no bound)")


def clip(x, x_min=None, x_max=None):
    return Clip(x_min, x_max)(x)
