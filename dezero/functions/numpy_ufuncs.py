"""What NumPy's ufuncs do with a Variable (not in the book).

`ndarray + v` gave a Variable through __array_priority__ and Variable.__radd__,
and still does; np.exp(v) failed with "loop of ufunc does not support argument
0 of type Variable which has no callable exp method" and now names F.exp.
Installed on import (dezero.functions imports this module), as
arithmetic.setup_variable installs the operators.
"""
import numpy as np

from dezero.core import Variable


class VariableTypeError(TypeError):
    """A NumPy function or ufunc refused a Variable (numpy_functions names the
    function the user called when NumPy's own code met the refusal inside)."""


class _UfuncHook:
    """Variable.__array_ufunc__. NumPy reads it from the class and gets the
    hook; CuPy reads it from the instance and gets None, so `cupy_array + v`
    still calls v.__radd__ (given a hook, CuPy would run its own kernel on
    the Variable and fail)."""

    __slots__ = ()

    def __get__(self, instance, owner=None):
        return array_ufunc if instance is None else None


# NumPy's operator ufuncs and the Variable methods that do the same; symbols of the others.
_OPERATOR_UFUNCS = {getattr(np, n): (f"__{m}__", f"__r{m}__", symbol) for n, m, symbol in (
    ("add", "add", "+"), ("subtract", "sub", "-"), ("multiply", "mul", "*"), ("true_divide", "truediv", "/"),
    ("power", "pow", "**"), ("matmul", "matmul", "@"))}
_SYMBOLS = {np.floor_divide: "//", np.remainder: "%", np.bitwise_and: "&", np.bitwise_or: "|",
            np.bitwise_xor: "^", np.left_shift: "<<", np.right_shift: ">>", np.invert: "~"}
# (NumPy gets `v < 3` as np.greater(3, v): the operator written is not known)
_COMPARISONS = (np.less, np.less_equal, np.greater, np.greater_equal)


def array_ufunc(variable, ufunc, method, *inputs, **kwargs):
    """A ufunc met a Variable. Arithmetic goes to Variable's operators, as
    __array_priority__ made `ndarray + v` do; in place on an array (`arr -=
    v`), which had quietly rebound arr to a Variable (`x.data -= lr * x.grad`
    made x.data one, caught only at the next operation), raises on that
    line; other ufuncs raise naming the F function (NumPy said "loop of
    ufunc does not support argument 0 ...")."""
    ops = _OPERATOR_UFUNCS.get(ufunc)
    if ops is not None and method == "__call__" and len(inputs) == 2:
        out = kwargs.pop("out", None)
        if out is not None:
            raise VariableTypeError(_in_place(ops[2]))
        if not kwargs:
            a, b = inputs
            return getattr(a, ops[0])(b) if isinstance(a, Variable) else getattr(b, ops[1])(a)
    elif method == "__call__" and not kwargs:
        if ufunc is np.negative:
            return -inputs[0]
        if ufunc is np.equal or ufunc is np.not_equal:  # `arr == v` was Python's `is` (NumPy deferred)
            return (inputs[0] is inputs[1]) == (ufunc is np.equal)
    raise VariableTypeError(_refusal(ufunc, method))


def _in_place(symbol):
    return (f"`array {symbol}= v` with a dezero Variable v: the result is a Variable, and a numpy array "
            "cannot hold it (it used to replace the array quietly). To update a Variable by its grad, "
            f"use the grad's array: `x.data -= lr * x.grad.data` (x.grad is a Variable); to compute with "
            f"Variables, write it out of place: `y = y {symbol} v`")


def _refusal(ufunc, method):
    import dezero.functions as F

    if method == "__call__" and ufunc in _COMPARISONS:
        return ("comparisons (<, <=, >, >=) do not work on a dezero Variable: compare its array, v.data "
                "(e.g. `x.data > 0`)")
    if method != "__call__":  # (np.prod(v) and the like are named as called by numpy_functions)
        public = f"np.{ufunc.__name__}.{method}"
        return (f"{public} does not work on a dezero Variable: use {public}(v.data) for a plain array (no "
                "gradients), or build it from dezero.functions (F.sum, F.max, ...) for one with gradients")
    name = ufunc.__name__
    symbol = _SYMBOLS.get(ufunc)
    what = f"`{symbol}` (np.{name}) does not work on a dezero Variable" if symbol else \
        f"np.{name} does not work on a dezero Variable"
    if callable(getattr(F, name, None)):
        return (f"{what}: use F.{name}(v) (import dezero.functions as F), which is differentiable, or "
                f"np.{name}(v.data) for a plain array without gradients")
    return (f"{what}: use its array, v.data, instead (a plain ndarray: no gradients), or build the "
            "operation from dezero.functions (F) if you need its gradient")


Variable.__array_ufunc__ = _UfuncHook()
