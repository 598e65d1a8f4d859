"""What NumPy's ufuncs do with a Variable (not in the book).

`ndarray + v` gave a Variable through __array_priority__ and Variable.__radd__,
and still does; np.exp(v) failed with "loop of ufunc does not support argument
0 of type Variable which has no callable exp method" and now names F.exp.
Installed on import (dezero.functions imports this module), as
arithmetic.setup_variable installs the operators.
"""
import numpy as np

from dezero.core import Variable


class _UfuncHook:
    """Variable.__array_ufunc__. NumPy reads it from the class and gets the
    hook; CuPy reads it from the instance and gets None, so `cupy_array + v`
    still calls v.__radd__ (given a hook, CuPy would run its own kernel on
    the Variable and fail)."""

    __slots__ = ()

    def __get__(self, instance, owner=None):
        return array_ufunc if instance is None else None


# NumPy's operator ufuncs and the Variable methods that do the same; symbols of the others.
_OPERATOR_UFUNCS = {getattr(np, n): (f"__{m}__", f"__r{m}__") for n, m in (
    ("add", "add"), ("subtract", "sub"), ("multiply", "mul"), ("true_divide", "truediv"),
    ("power", "pow"), ("matmul", "matmul"))}
_SYMBOLS = {np.less: "<", np.less_equal: "<=", np.greater: ">", np.greater_equal: ">=",
            np.floor_divide: "//", np.remainder: "%", np.bitwise_and: "&", np.bitwise_or: "|",
            np.bitwise_xor: "^", np.left_shift: "<<", np.right_shift: ">>", np.invert: "~"}


def array_ufunc(variable, ufunc, method, *inputs, **kwargs):
    """A ufunc met a Variable. Arithmetic goes to Variable's operators, as
    __array_priority__ made `ndarray + v` do (`arr += v` rebinds arr to the
    result, as before: `out` is arr itself); other ufuncs raise naming the F
    function (NumPy said "loop of ufunc does not support argument 0 ...")."""
    ops = _OPERATOR_UFUNCS.get(ufunc)
    if ops is not None and method == "__call__" and len(inputs) == 2:
        out = kwargs.pop("out", None)
        if not kwargs and (out is None or (len(out) == 1 and out[0] is inputs[0])):
            a, b = inputs
            return getattr(a, ops[0])(b) if isinstance(a, Variable) else getattr(b, ops[1])(a)
    elif method == "__call__" and not kwargs:
        if ufunc is np.negative:
            return -inputs[0]
        if ufunc is np.equal or ufunc is np.not_equal:  # `arr == v` was Python's `is` (NumPy deferred)
            return (inputs[0] is inputs[1]) == (ufunc is np.equal)
    import dezero.functions as F

    name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
    symbol = _SYMBOLS.get(ufunc) if method == "__call__" else None
    what = f"`{symbol}` (np.{name}) does not work on a dezero Variable" if symbol else \
        f"np.{name} does not work on a dezero Variable"
    if method == "__call__" and callable(getattr(F, name, None)):
        raise TypeError(f"{what}: use F.{name}(v) (import dezero.functions as F), which is "
                        f"differentiable, or np.{name}(v.data) for a plain array without gradients")
    raise TypeError(f"{what}: use its array, v.data, instead (a plain ndarray: no gradients), or "
                    "build the operation from dezero.functions (F) if you need its gradient")


Variable.__array_ufunc__ = _UfuncHook()
