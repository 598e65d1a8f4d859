"""What NumPy's functions (np.mean, np.concatenate, np.argmax, ...) do with a
Variable (not in the book).

The book's Variable had no `__array_function__`, so NumPy turned a Variable
into an array of Variable objects: np.concatenate([a, b]) and np.mean(v, axis=0)
quietly gave dtype=object arrays (no gradients; a later F function then
failed far from the cause), np.mean(v) raised "setting an array element
with a sequence", np.argmax(v) "'>' not supported between instances of
'Variable' and 'Variable'", np.allclose(v, 2) "bad operand type for abs()".
Now:

* the ones dezero has a differentiable twin for (np.mean, np.reshape,
  np.trace, ...) give that Variable;
* the ones whose answer carries no gradient (indices, truth values, shapes,
  arrays shaped like v, files saved, text) run on the Variable's array;
* the rest run as before when that gave a Variable or a plain value
  (np.sum(v) calls v.sum), and otherwise raise naming the function and
  what to write instead.

np.array(v), np.asarray(v) and np.asanyarray(v) are not dispatched to
`__array_function__`: they call `__array__`, which refuses (as PyTorch's
np.array(tensor) does for a tensor that requires grad), and so do
matplotlib's plt.plot(v) & co. through `to_numpy`. NumPy had made an array
of Variable objects element by element (recording a GetItem for each),
which plt.plot then failed on with "setting an array element with a
sequence".

Installed on import (dezero.functions imports this module), as numpy_ufuncs
installs `__array_ufunc__`.
"""
import numpy as np

import dezero.functions as F  # (at call time: this module is imported by dezero.functions)
from dezero.core import Variable
from dezero.functions.numpy_ufuncs import VariableTypeError


class _FunctionHook:
    """Variable.__array_function__: the hook for NumPy, None for CuPy (see
    numpy_ufuncs._UfuncHook: CuPy reads the instance's attribute)."""

    __slots__ = ()

    def __get__(self, instance, owner=None):
        return array_function if instance is None else None


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **rest):
    if dtype is not None or out is not None or rest.get("where", True) is not True:
        return None
    return F.mean(a, axis, keepdims)


def _average(a, axis=None, weights=None, returned=False, **rest):
    if returned or rest.get("keepdims", False) or isinstance(weights, Variable):
        return None
    if weights is None:
        return F.mean(a, axis)
    w = np.asarray(weights)
    # NumPy's result type: float weights on int data give floats (cast to the data's int dtype they were 0)
    w = w.astype(np.result_type(a.dtype, w.dtype, np.float16) if a.dtype.kind in "biu" else
                 np.result_type(a.dtype, w.dtype))
    if w.shape != a.shape:
        if not isinstance(axis, (int, np.integer)) or w.shape != (a.shape[axis],):
            return None  # (NumPy's own code then says what does not fit)
        w = w.reshape([-1 if i == axis % a.ndim else 1 for i in range(a.ndim)])
    total = np.broadcast_to(w, a.shape).sum(axis)
    if np.any(total == 0):
        return None  # (NumPy's own code raises its "Weights sum to zero" error)
    return F.sum(a * w, axis) / total


def _reshape(a, shape=None, order="C", **rest):
    shape = rest.get("newshape") if shape is None else shape
    if order != "C" or shape is None or rest.get("copy") is not None:
        return None
    return F.reshape(a, (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape))


def _ravel(a, order="C"):
    return _reshape(a, (-1,), order)


def _broadcast_to(array, shape, subok=False):
    return F.broadcast_to(array, (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape))


def _expand_dims(a, axis):
    return F.expand_dims(a, axis) if isinstance(axis, (int, np.integer)) else None


def _clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **rest):  # noqa: A002 - NumPy's names
    low, high = (a_min if a_min is not None else min), (a_max if a_max is not None else max)
    if out is not None or rest or isinstance(low, Variable) or isinstance(high, Variable):
        return None
    # None: no bound on that side; array bounds: one per element. Inverted bounds: F.clip's
    # ValueError (NumPy gives a_max everywhere).
    return F.clip(a, low, high)


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if dtype is not None or out is not None:
        return None
    # (NumPy's own errors for a 1-d array or axes that do not fit; n: the diagonal's length)
    n = np.diagonal(a.data, offset, axis1, axis2).shape[-1]
    axis1, axis2 = axis1 % a.ndim, axis2 % a.ndim
    if (axis1, axis2) != (a.ndim - 2, a.ndim - 1):
        a = F.transpose(a, [i for i in range(a.ndim) if i not in (axis1, axis2)] + [axis1, axis2])
    rows, cols = np.arange(n) + max(-offset, 0), np.arange(n) + max(offset, 0)
    return F.sum(a[..., rows, cols], axis=-1)


def _linalg_trace(x, offset=0, dtype=None):
    return _trace(x, offset, -2, -1, dtype)


def _trapezoid(y, x=None, dx=1.0, axis=-1):
    if not isinstance(y, Variable) or isinstance(x, Variable) or isinstance(dx, Variable) or np.ndim(dx) != 0:
        return None
    np.trapezoid(y.data, x, dx, axis)  # (NumPy's own errors for an axis or sample points that do not fit)
    along = axis % y.ndim
    widths = dx if x is None else np.diff(np.asarray(x), axis=axis if np.ndim(x) > 1 else -1)
    if np.ndim(widths) == 1 and y.ndim > 1:  # a 1-d x: the sample points along `axis`
        widths = np.expand_dims(widths, [i for i in range(y.ndim) if i != along])
    left = tuple(slice(None, -1) if i == along else slice(None) for i in range(y.ndim))
    right = tuple(slice(1, None) if i == along else slice(None) for i in range(y.ndim))
    return F.sum((y[left] + y[right]) * (widths / 2.0), axis)


def _nansum(a, axis=None, dtype=None, out=None, keepdims=False, **rest):
    if dtype is not None or out is not None or rest or np.isnan(a.data).any():
        return None  # (with NaNs: refused, with a hint; it had summed them, giving nan)
    return F.sum(a, axis, keepdims)


def _dot(a, b, out=None):
    if out is not None:
        return None
    # (a list holding Variables: np.asarray refuses it, a TypeError, and the general way names np.dot)
    a, b = (x if isinstance(x, Variable) else np.asarray(x) for x in (a, b))
    shapes = a.shape, b.shape
    if not all(shapes):
        return a * b  # (a number times an array)
    if max(len(s) for s in shapes) > 2:
        return None  # (n-d: refused, as before)
    if shapes[0][-1] != shapes[1][0]:
        return None  # (NumPy's own error: "shapes ... not aligned")
    if len(shapes[0]) == 2 and len(shapes[1]) == 2:
        return F.matmul(a, b)
    if len(shapes[0]) == 1 and len(shapes[1]) == 2:
        return F.sum(F.reshape(a, (-1, 1)) * b, axis=0)
    return F.sum(a * b, axis=-1)  # (1-d . 1-d, 2-d . 1-d)


# np function -> the dezero twin; a twin returns None for a call it cannot
# take (a keyword it does not have), which then goes the general way.
_TWINS = {np.mean: _mean, np.average: _average, np.reshape: _reshape, np.ravel: _ravel,
          np.broadcast_to: _broadcast_to, np.expand_dims: _expand_dims, np.clip: _clip, np.dot: _dot,
          np.trace: _trace, np.linalg.trace: _linalg_trace, np.trapezoid: _trapezoid, np.nansum: _nansum}

# Answers that carry no gradient: computed on the Variables' arrays.
_ON_DATA = {getattr(np, name) for name in (
    "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero", "count_nonzero", "searchsorted",
    "isclose", "allclose", "array_equal", "array_equiv", "any", "all", "shape", "ndim", "size", "iscomplexobj",
    "isrealobj", "result_type", "may_share_memory", "shares_memory",
    "zeros_like", "ones_like", "empty_like", "full_like", "save", "savez", "savez_compressed", "savetxt",
    "histogram", "bincount", "unique", "digitize", "isin", "lexsort", "iscomplex", "isreal",
    "array2string", "array_str", "array_repr") if hasattr(np, name)} | {np.linalg.matrix_rank}

# What to write instead, where there is something to say beyond v.data.
_HINTS = {
    "std": "for a differentiable one, build it: F.mean((v - F.mean(v)) ** 2) ** 0.5",
    "var": "for a differentiable one, build it: F.mean((v - F.mean(v)) ** 2)",
    "where": "for a differentiable one, multiply by a mask: v * (v.data > 0)",
    "concatenate": "dezero has no differentiable concatenate: keep the parts as separate Variables",
    "stack": "dezero has no differentiable stack: keep the parts as separate Variables",
    "nansum": "for a differentiable one, sum the entries that are not NaN: F.sum(v[~np.isnan(v.data)])",
}


def _data(arg, copy=False):
    """`arg` with Variables (also inside a list or tuple) replaced by their arrays (copies, if `copy`)."""
    if isinstance(arg, Variable):
        return arg.data.copy() if copy and arg.data is not None else arg.data
    if isinstance(arg, (list, tuple)) and any(isinstance(a, Variable) for a in arg):
        return type(arg)(_data(a, copy) for a in arg)
    return arg


def _on_data(func, args, kwargs, copy=False):
    """`func` called with the Variables' arrays in their place."""
    return func(*[_data(a, copy) for a in args], **{k: _data(v, copy) for k, v in kwargs.items()})


def _holds_variables(result):
    if isinstance(result, np.ndarray):
        return result.dtype == object and any(isinstance(e, Variable) for e in result.flat)
    if isinstance(result, (list, tuple)):
        return any(_holds_variables(r) for r in result)
    return False


def _name(func):
    module = getattr(func, "__module__", "") or ""
    prefix = "np." + module.split(".", 1)[1] + "." if module.startswith("numpy.") and \
        module.split(".")[1] in ("linalg", "testing", "fft", "random") else "np."
    return prefix + func.__name__


def refusal(func, why, args=()):
    """The TypeError message for np function `func` given a Variable (in `args`)."""
    name = _name(func)
    first = args[0] if args else None
    rest = ", ..." if len(args) > 1 else ""   # (the call's other arguments, as they were)
    if isinstance(first, (list, tuple)):
        example = f", e.g. {name}([a.data, b.data]{rest})"
    else:
        example = f", e.g. {name}(v.data{rest})" if isinstance(first, Variable) else ""
    short = func.__name__
    if callable(getattr(F, short, None)):
        fix = (f"F.{short}(v) (import dezero.functions as F) is differentiable, with the options it has "
               f"(help(F.{short}))")
    else:
        fix = _HINTS.get(short, "or build it from dezero.functions (F) if you need its gradient")
    return (f"{name} does not work on a dezero Variable ({why}). For plain values (no gradients) pass "
            f"the arrays (v.data for a Variable v){example}; {fix}")


def array_function(variable, func, types, args, kwargs):
    """NumPy function `func` met a Variable (see the module docstring)."""
    twin = _TWINS.get(func)
    if twin is not None:
        try:
            result = twin(*args, **kwargs)
        except TypeError:
            result = None  # (arguments the twin does not take: the general way says what was wrong)
        if result is not None:
            return result
    if func in _ON_DATA:
        return _on_data(func, args, kwargs)
    implementation = getattr(func, "_implementation", None)
    if implementation is None:
        return NotImplemented
    try:
        result = implementation(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        refused = isinstance(exc, VariableTypeError)
        try:  # the same call on the arrays: failing too, it is the call's own mistake (axis=5, say)
            _on_data(func, args, kwargs, copy=True)   # (copies: np.copyto(v, ...) wrote into v.data, then raised)
        except Exception as mistake:  # noqa: BLE001 - any failure on plain arrays: NumPy's own message is the one
            # (a refusal met before NumPy checked the call, e.g. in np.asarray: the arrays' error says it)
            raise (mistake if refused else exc) from None
        if not refused:
            why = f"NumPy said: {exc}"
        elif str(exc) == NOT_AN_ARRAY:  # NumPy's own code for `func` began with np.asarray(v)
            why = "NumPy converts it to an array first, and a Variable is not one"
        else:  # it met a ufunc's refusal (np.linalg.norm calls np.sqrt)
            why = "NumPy computes it with operations that take no Variable"
        raise VariableTypeError(refusal(func, why, args)) from exc
    if _holds_variables(result):
        raise VariableTypeError(refusal(func, "NumPy made an array of Variable objects, dtype=object, which has "
                                              "no gradients and which dezero functions cannot take", args))
    return result


NOT_AN_ARRAY = (
    "np.array(v) / np.asarray(v) of a dezero Variable (also plt.plot(v), plt.scatter(v, ...) and others that "
    "convert with NumPy): a Variable is not a NumPy array, and a NumPy array has no graph. Pass its array, "
    "v.data (no gradients): np.array(v.data), plt.plot(x.data, y.data); for a list of Variables, their arrays: "
    "np.array([a.data, b.data]); to compute with gradients, use dezero.functions (F) on the Variables, and for "
    "the sum of a list of Variables, with its graph, Python's sum(vs) instead of np.sum(vs)")


def _not_an_array(self, *_args, **_kwargs):
    """Variable.__array__ (dtype, copy) and Variable.to_numpy(): refused (see the module docstring).
    to_numpy too: matplotlib calls an input's to_numpy() before it walks it element by element (each
    element a GetItem in the graph) and converts it with np.asarray."""
    raise VariableTypeError(NOT_AN_ARRAY)


Variable.__array_function__ = _FunctionHook()
Variable.__array__ = Variable.to_numpy = _not_an_array
