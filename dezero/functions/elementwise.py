"""Elementwise math Functions (steps 7-9, 27, 35, 37): square, exp, log, sin, cos, tanh, clip."""
import numpy as np

from dezero.core import Function


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
    """x limited to [x_min, x_max]; the grad passes only where x is inside."""

    def __init__(self, x_min, x_max):
        if x_min > x_max:
            raise ValueError(f"clip needs x_min <= x_max, got x_min={x_min}, x_max={x_max}")
        self.x_min = x_min
        self.x_max = x_max

    def forward(self, x):
        return x.clip(self.x_min, self.x_max)

    def backward(self, gy):
        (x,) = self.inputs
        inside = (x.data >= self.x_min) & (x.data <= self.x_max)
        return gy * inside.astype(gy.dtype)


def clip(x, x_min, x_max):
    return Clip(x_min, x_max)(x)
