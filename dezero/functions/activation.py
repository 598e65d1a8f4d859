"""Activation Functions (steps 43, 47): sigmoid, relu, leaky_relu, softmax, log_softmax."""
from dezero import cuda
from dezero.core import Function, Variable, as_variable
from dezero.functions.elementwise import exp

try:
    from numpy.exceptions import AxisError
except ImportError:  # NumPy < 1.25
    from numpy import AxisError


class Sigmoid(Function):
    def forward(self, x):
        xp = cuda.get_array_module(x)
        # tanh form: no overflow in exp for large |x| (the book's choice too)
        return xp.tanh(x * 0.5) * 0.5 + 0.5

    def backward(self, gy):
        y = self.outputs[0]()
        if y is None:  # the caller dropped the output; rebuild it
            y = sigmoid(self.inputs[0])
        return gy * y * (1 - y)


def sigmoid(x):
    return Sigmoid()(x)


def sigmoid_simple(x):
    """Step 43's sigmoid made of Variable ops: 1 / (1 + exp(-x))."""
    x = as_variable(x)
    return 1 / (1 + exp(-x))


class ReLU(Function):
    def forward(self, x):
        xp = cuda.get_array_module(x)
        return xp.maximum(x, 0.0).astype(x.dtype, copy=False)

    def backward(self, gy):
        (x,) = self.inputs
        mask = (x.data > 0).astype(gy.dtype)
        return gy * mask


def relu(x):
    return ReLU()(x)


class LeakyReLU(Function):
    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        xp = cuda.get_array_module(x)
        return xp.where(x > 0, x, x * self.slope).astype(x.dtype, copy=False)

    def backward(self, gy):
        (x,) = self.inputs
        xp = cuda.get_array_module(x.data)
        return gy * xp.where(x.data > 0, 1.0, self.slope).astype(gy.dtype, copy=False)


def leaky_relu(x, slope=0.2):
    return LeakyReLU(slope)(x)


class Softmax(Function):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the max so exp cannot overflow."""

    def __init__(self, axis=1):
        self.axis = axis

    def forward(self, x):
        xp = cuda.get_array_module(x)
        x = _float_scores(x, xp)
        try:  # (free unless raised)
            y = x - x.max(axis=self.axis, keepdims=True)
        except AxisError:
            raise _axis_error("softmax", x, self.axis) from None
        xp.exp(y, out=y)
        y /= y.sum(axis=self.axis, keepdims=True)
        return y

    def backward(self, gy):
        y = self.outputs[0]()
        if y is None:
            y = softmax(self.inputs[0], self.axis)
        gx = y * gy
        return gx - y * gx.sum(axis=self.axis, keepdims=True)


def softmax(x, axis=1):
    return Softmax(axis)(x)


def _axis_error(name, x, axis):
    # NumPy's "axis 1 is out of bounds for array of dimension 1" did not say why axis 1.
    hint = ("; for one sample make it a batch of one, x.reshape(1, -1), or pass axis=0"
            if len(x.shape) == 1 else "")
    return AxisError(f"{name} works along axis={axis} (by default axis=1: the classes of a batch of "
                     f"scores of shape (N, C)), but x has shape {tuple(x.shape)}{hint}")


def softmax_simple(x, axis=1):
    """Step 47's softmax from Variable ops (not shifted: large scores overflow)."""
    y = exp(as_variable(x))
    try:
        return y / y.sum(axis=axis, keepdims=True)
    except AxisError:
        raise _axis_error("softmax_simple", y, axis) from None


def logsumexp(x, axis=1):
    """log(sum(exp(x), axis, keepdims=True)), without overflow.

    On an array (the book's helper, used inside forwards) it returns an
    array; on a Variable it returns a differentiable Variable (the book's
    failed inside NumPy with "loop of ufunc does not support ... Variable").
    """
    if isinstance(x, Variable):
        from dezero.functions.elementwise import log
        from dezero.functions.tensor import sum as sum_

        # The max is a constant shift: logsumexp(x) = m + logsumexp(x - m) for any m,
        # so its grad (softmax) does not depend on it.
        try:
            m = x.data.max(axis=axis, keepdims=True)
        except AxisError:
            raise _axis_error("logsumexp", x, axis) from None
        return m + log(sum_(exp(x - m), axis=axis, keepdims=True))
    xp = cuda.get_array_module(x)
    x = _float_scores(x, xp)
    try:  # (free unless raised)
        m = x.max(axis=axis, keepdims=True)
    except AxisError:
        raise _axis_error("logsumexp", x, axis) from None
    s = xp.exp(x - m).sum(axis=axis, keepdims=True)
    return m + xp.log(s)


def _float_scores(x, xp):
    """Integer scores as floats BEFORE the shift by the max: uint8 [0, 200] - 200 wraps round
    (image data: softmax gave [1, 0]), and exp cannot be written in place into ints."""
    return x if x.dtype.kind in "fc" else x.astype(xp.result_type(x.dtype, xp.float32))


class LogSoftmax(Function):
    def __init__(self, axis=1):
        self.axis = axis

    def forward(self, x):
        try:  # (free unless raised)
            return x - logsumexp(x, self.axis)
        except AxisError:
            raise _axis_error("log_softmax", x, self.axis) from None

    def backward(self, gy):
        y = self.outputs[0]()
        if y is None:
            y = log_softmax(self.inputs[0], self.axis)
        return gy - exp(y) * gy.sum(axis=self.axis, keepdims=True)


def log_softmax(x, axis=1):
    return LogSoftmax(axis)(x)
