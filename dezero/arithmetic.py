"""Arithmetic Functions and the Variable operators (steps 20-22, 40).

Each backward sums over broadcast axes (step 40), so `Variable + ndarray`
of different shapes differentiates correctly.
"""
import numpy as np

from dezero.config import Config
from dezero.core import Function, Variable, as_array, foreign_variable_error, numpy_defaults_only
from dezero.cuda import array_types, get_array_module

_ndarray = np.ndarray


def _grad(data):
    """Wrap a grad computed on raw arrays (0-d results come back as NumPy
    scalars, as in Function.__call__)."""
    return Variable(data if type(data) is _ndarray else as_array(data))


def _unbroadcast(gx, shape):
    if gx.data.shape == shape:  # the common case: no broadcast happened
        return gx
    from dezero.functions.tensor import sum_to

    return sum_to(gx, shape)


class Add(Function):
    def forward(self, x0, x1):
        self.x0_shape, self.x1_shape = x0.shape, x1.shape
        return x0 + x1

    def backward(self, gy):
        return _unbroadcast(gy, self.x0_shape), _unbroadcast(gy, self.x1_shape)


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        if Config.enable_backprop:  # create_graph: the grads are graphs too
            return _unbroadcast(gy * x1, x0.shape), _unbroadcast(gy * x0, x1.shape)
        # No graph wanted: the same array math without a Function call per
        # product (the hot path of every backward).
        g = gy.data
        return (_unbroadcast(_grad(g * x1.data), x0.data.shape),
                _unbroadcast(_grad(g * x0.data), x1.data.shape))


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        if Config.enable_backprop:
            return -gy
        return _grad(-gy.data)


class Sub(Function):
    def forward(self, x0, x1):
        self.x0_shape, self.x1_shape = x0.shape, x1.shape
        return x0 - x1

    def backward(self, gy):
        neg_gy = -gy if Config.enable_backprop else _grad(-gy.data)
        return _unbroadcast(gy, self.x0_shape), _unbroadcast(neg_gy, self.x1_shape)


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        if Config.enable_backprop:
            gx0 = gy / x1
            gx1 = gy * (-x0 / x1**2)
        else:
            g, a, b = gy.data, x0.data, x1.data
            gx0 = _grad(g / b)
            gx1 = _grad(g * (-a / b**2))
        return _unbroadcast(gx0, x0.shape), _unbroadcast(gx1, x1.shape)


class Pow(Function):
    """x ** c for a constant c, as in the book (step 20)."""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        try:
            return x**self.c
        except TypeError:  # (a try costs nothing until it raises)
            error = foreign_variable_error(self.c)
            if error is not None:
                raise error from None
            raise

    def backward(self, gy):
        (x,) = self.inputs
        c = self.c
        if (type(c) in (int, float) or isinstance(c, np.number)) and c == 0:
            # x ** 0 is constant: its grad is 0, not 0 * x ** -1 (NaN at x = 0, where
            # the 3rd derivative of x ** 2 is taken in the book's step 33-35 idioms).
            return gy * 0.0 if Config.enable_backprop else _grad(gy.data * 0.0)
        if Config.enable_backprop:
            return c * x ** (c - 1) * gy
        # The same operations, in the same order and with the constant given
        # the same dtype as `_operand` gives it, on raw arrays.
        p = x.data ** _weak(c - 1)  # (c - 1 of a 0-d array c is an np.float64: as pow() takes it)
        p = p if type(p) is _ndarray else as_array(p)
        if type(c) in (int, float) and p.dtype.kind == "f":
            # A Python number next to a float array computes in the array's
            # dtype (NumPy 2's weak scalars), as _constant's 0-d array of that
            # dtype does: same bits, one array fewer a step.
            return _grad(p * c * gy.data)
        return _grad(p * _constant(c, p) * gy.data)


class PowVar(Function):
    """x0 ** x1 where the exponent is a Variable too (not in the book).

    `constant`: the index of an input that was a plain array or number
    (`x ** np.array([2., 3.])`, `2 ** x`): nothing can read its grad, so none
    is computed -- the exponent's needs log(x0), which warned "invalid value
    encountered in log" for a negative base the user never took the log of."""

    def __init__(self, constant=None):
        self.constant = constant

    def forward(self, x0, x1):
        return x0**x1

    def backward(self, gy):
        x0, x1 = self.inputs
        gx0 = gx1 = None
        if self.constant != 0:
            base = x0
            zero = (x0.data == 0) & (x1.data == 0)
            if zero.any():
                base = x0 + zero.astype(x0.dtype)  # 0 * 0 ** -1 was NaN; d(a ** 0)/da is 0 (torch: 0)
            gx0 = _unbroadcast(gy * x1 * base ** (x1 - 1), x0.shape)
        if self.constant != 1:
            gx1 = _unbroadcast(self._exponent_grad(gy), x1.shape)
        return gx0, gx1

    def _exponent_grad(self, gy):
        from dezero.functions import log

        x0, x1 = self.inputs
        y = self.outputs[0]()
        y = y if y is not None else x0**x1
        zero = x0.data == 0
        if zero.any():
            # d(0 ** b)/db is 0 for b > 0 (torch says so too); y * log(x0) made it 0 * -inf = NaN.
            # log(1) = 0 where the base is 0; the added mask is a constant: higher orders hold.
            x0 = x0 + zero.astype(x0.dtype)
        return gy * y * log(x0)


_OPERANDS = (Variable,) + array_types


def _operand(x, like):
    """Constants become Variables of the same array module and a fitting dtype."""
    if type(x) is Variable or isinstance(x, _OPERANDS):
        return x
    return Variable(_constant(x, like.data if isinstance(like, Variable) else like))


def _constant(x, data):
    """The array a constant `x` becomes next to the array `data`."""
    if isinstance(x, array_types):
        return x
    if type(data) is np.ndarray:
        xp = np
    else:
        xp = get_array_module(data) if isinstance(data, array_types) else np
    # NumPy 2 no longer lets a 0-d array take the other operand's dtype, so
    # `float32_var * 2.0` would turn float64; give real Python numbers the
    # variable's floating dtype (as NumPy 1 and the book behaved).
    if (isinstance(x, (int, float)) and not isinstance(x, bool)
            and isinstance(data, array_types) and data.dtype.kind == "f"):
        return xp.asarray(x, dtype=data.dtype)
    arr = as_array(x, xp)
    if not isinstance(arr, array_types):
        try:
            arr = xp.asarray(arr)
        except TypeError:  # a list holding Variables: np.asarray refuses them (numpy_functions.NOT_AN_ARRAY)
            arr = None
    if arr is None or arr.dtype.kind not in "biufc":
        error = foreign_variable_error(x)
        if error is not None:
            raise error
        held = " (it holds Variables: combine them one by one, e.g. sum(vs) for their sum)" if arr is None else ""
        raise TypeError(
            f"a Variable cannot be combined with {type(x).__name__} {x!r:.40}{held}; "
            "use a number, a numeric ndarray or a Variable"
        )
    return arr


def add(x0, x1):
    return Add()(x0, _operand(x1, x0))


def mul(x0, x1):
    return Mul()(x0, _operand(x1, x0))


def neg(x):
    return Neg()(x)


def sub(x0, x1):
    return Sub()(x0, _operand(x1, x0))


def rsub(x0, x1):
    return Sub()(_operand(x1, x0), x0)


def div(x0, x1):
    return Div()(x0, _operand(x1, x0))


def rdiv(x0, x1):
    return Div()(_operand(x1, x0), x0)


def pow(x, c):
    if isinstance(c, (Variable, np.ndarray)) and not (isinstance(c, np.ndarray) and c.ndim == 0):
        return PowVar(None if isinstance(c, Variable) else 1)(x, c)
    return Pow(_weak(c))(x)


def _weak(c):
    """np.float64 (a float subclass) as a Python float, as _constant takes it for `*`:
    NumPy 2 made float32 ** np.float64 a float64 array, float32 ** 2.0 stays float32."""
    return float(c) if type(c) is not float and isinstance(c, float) else c


def rpow(x, c):
    return PowVar(None if isinstance(c, Variable) else 0)(_operand(c, x), x)


def setup_variable():
    """Give Variable its operators (the book's step 21 setup_variable)."""
    Variable.__add__ = add
    Variable.__radd__ = add
    Variable.__mul__ = mul
    Variable.__rmul__ = mul
    Variable.__neg__ = neg
    Variable.__sub__ = sub
    Variable.__rsub__ = rsub
    Variable.__truediv__ = div
    Variable.__rtruediv__ = rdiv
    Variable.__pow__ = pow
    Variable.__rpow__ = rpow
    Variable.__getitem__ = _getitem
    Variable.__matmul__ = _matmul
    Variable.__rmatmul__ = _rmatmul
    # The book's names for x @ W: `dot`, and `matmaul`, as its setup_variable spells it
    # (kept, so code typed from the book runs; `matmul` is the right spelling).
    Variable.matmul = Variable.dot = Variable.matmaul = _matmul
    Variable.max = _max
    Variable.min = _min


def _getitem(self, slices):
    from dezero.functions import get_item

    return get_item(self, slices)


def _max(self, axis=None, keepdims=False, **numpy_kwargs):
    from dezero.functions import max as max_

    if numpy_kwargs:
        numpy_defaults_only("max", numpy_kwargs)
    return max_(self, axis, keepdims)


def _min(self, axis=None, keepdims=False, **numpy_kwargs):
    from dezero.functions import min as min_

    if numpy_kwargs:
        numpy_defaults_only("min", numpy_kwargs)
    return min_(self, axis, keepdims)


def _matmul(self, other):
    from dezero.functions import matmul

    return matmul(self, other)


def _rmatmul(self, other):
    from dezero.functions import matmul

    return matmul(other, self)
