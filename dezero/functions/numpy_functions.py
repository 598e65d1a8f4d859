"""What NumPy's functions (np.mean, np.concatenate, np.argmax, ...) do with a
Variable (not in the book).

The book's Variable had no `__array_function__`, so NumPy turned a Variable
into an array of Variable objects: np.concatenate([a, b]) and np.mean(v, axis=0)
quietly gave dtype=object arrays (no gradients; a later F function then
failed far from the cause), np.mean(v) raised "setting an array element
with a sequence", np.argmax(v) "'>' not supported between instances of
'Variable' and 'Variable'", np.allclose(v, 2) "bad operand type for abs()".
Now:

* the ones dezero has a differentiable twin for (np.mean, np.reshape, ...)
  give that Variable;
* the ones whose answer carries no gradient (indices, truth values, shapes,
  arrays shaped like v, files saved) run on the Variable's array;
* the rest run as before when that gave a Variable or a plain value
  (np.sum(v) calls v.sum, np.trace(v) adds Variables), and otherwise raise
  naming the function and what to write instead.

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
    if out is not None or rest or low is None or high is None:
        return None
    if not all(np.ndim(b) == 0 and np.isrealobj(b) and not isinstance(b, Variable) for b in (low, high)):
        return None  # (array bounds: NumPy's own way)
    low, high = float(low), float(high)
    if low > high:
        return None  # (NumPy gives a_max everywhere; F.clip refuses)
    return F.clip(a, low, high)


def _dot(a, b, out=None):
    if out is not None or np.ndim(a) != 2 or np.ndim(b) != 2:
        return None  # (1-d dots still run through Variable arithmetic, as before)
    return F.matmul(a, b)


# np function -> the dezero twin; a twin returns None for a call it cannot
# take (a keyword it does not have), which then goes the general way.
_TWINS = {np.mean: _mean, np.average: _average, np.reshape: _reshape, np.ravel: _ravel,
          np.broadcast_to: _broadcast_to, np.expand_dims: _expand_dims, np.clip: _clip, np.dot: _dot}

# Answers that carry no gradient: computed on the Variables' arrays.
_ON_DATA = {getattr(np, name) for name in (
    "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero", "count_nonzero", "searchsorted",
    "isclose", "allclose", "array_equal", "array_equiv", "any", "all", "shape", "ndim", "size", "iscomplexobj",
    "isrealobj", "result_type", "may_share_memory", "shares_memory",
    "zeros_like", "ones_like", "empty_like", "full_like", "save", "savez", "savez_compressed", "savetxt",
    "histogram", "bincount", "unique", "digitize") if hasattr(np, name)}

# What to write instead, where there is something to say beyond v.data.
_HINTS = {
    "std": "for a differentiable one, build it: F.mean((v - F.mean(v)) ** 2) ** 0.5",
    "var": "for a differentiable one, build it: F.mean((v - F.mean(v)) ** 2)",
    "where": "for a differentiable one, multiply by a mask: v * (v.data > 0)",
    "concatenate": "dezero has no differentiable concatenate: keep the parts as separate Variables",
    "stack": "dezero has no differentiable stack: keep the parts as separate Variables",
}


def _data(arg):
    """`arg` with Variables (also inside a list or tuple) replaced by their arrays."""
    if isinstance(arg, Variable):
        return arg.data
    if isinstance(arg, (list, tuple)) and any(isinstance(a, Variable) for a in arg):
        return type(arg)(_data(a) for a in arg)
    return arg


def _on_data(func, args, kwargs):
    """`func` called with the Variables' arrays in their place."""
    return func(*[_data(a) for a in args], **{k: _data(v) for k, v in kwargs.items()})


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
    if isinstance(first, (list, tuple)):
        example = f", e.g. {name}([a.data, b.data])"
    else:
        example = f", e.g. {name}(v.data{', ...' if len(args) > 1 else ''})" if isinstance(first, Variable) else ""
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
    except VariableTypeError as exc:
        # NumPy's own code for `func` met a refusal (np.linalg.norm calls np.sqrt): named as called
        why = "NumPy computes it with operations that take no Variable"
        raise VariableTypeError(refusal(func, why, args)) from exc
    except (TypeError, ValueError) as exc:
        try:  # the same call on the arrays: failing too, it is the call's own mistake (axis=5, say)
            _on_data(func, args, kwargs)
        except Exception:  # noqa: BLE001 - any failure on plain arrays: NumPy's own message is the one
            raise exc from None
        raise VariableTypeError(refusal(func, f"NumPy said: {exc}", args)) from exc
    if _holds_variables(result):
        raise VariableTypeError(refusal(func, "NumPy made an array of Variable objects, dtype=object, which has "
                                              "no gradients and which dezero functions cannot take", args))
    return result


Variable.__array_function__ = _FunctionHook()
