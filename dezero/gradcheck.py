"""Numerical differentiation (step 4) and a gradient checker that ships with dezero."""
import numpy as np

from dezero.backprop import grad as _grad
from dezero.core import Variable, as_array, as_variable


def numerical_diff(f, x, eps=1e-4):
    """Central difference of a one-input function at `x` (step 4): a Variable."""
    x = as_variable(x)
    # as_array: a 0-d array minus a float is a NumPy scalar, which Variable rejects.
    x0 = Variable(as_array(x.data - eps))
    x1 = Variable(as_array(x.data + eps))
    y0 = f(x0)
    y1 = f(x1)
    return (y1.data - y0.data) / (2 * eps)


def numerical_grad(f, *inputs, eps=1e-4):
    """Central-difference grads of sum(f(*inputs)) with respect to each input.

    Returns a list of arrays shaped like the inputs. Inputs are evaluated in
    float64 so that `eps` is meaningful.
    """
    arrays = [np.array(as_variable(x).data, dtype=np.float64) for x in inputs]

    def value():
        out = f(*[Variable(a.copy()) for a in arrays])
        outs = out if isinstance(out, (list, tuple)) else [out]
        return float(np.sum([np.sum(o.data) for o in outs]))

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        flat, gflat = a.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            fp = value()
            flat[i] = orig - eps
            fm = value()
            flat[i] = orig
            gflat[i] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


class GradientCheckError(AssertionError):
    """Raised by `gradient_check`; its message shows inputs and both grads."""


def gradient_check(f, *inputs, rtol=1e-4, atol=1e-5, eps=1e-4):
    """Compare backprop grads of sum(f(*inputs)) with numerical ones.

    Returns True, or raises GradientCheckError naming the input, the values,
    the numerical and the analytic gradients.
    """
    xs = [Variable(np.array(as_variable(x).data, dtype=np.float64)) for x in inputs]
    try:
        num = numerical_grad(f, *xs, eps=eps)
    except (TypeError, ValueError, IndexError) as exc:
        if len(inputs) > 1 and hasattr(exc, "add_note"):
            # The book's helper passed extra arguments through; this one differentiates them all
            # (labels become float Variables): the error alone would not say so.
            exc.add_note("gradient_check differentiates every argument after f (each becomes a float64 "
                         "Variable); pass the others (labels, sizes) through a lambda, e.g. "
                         "gradient_check(lambda x: F.softmax_cross_entropy(x, t), x)")
        raise
    out = f(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = None
    from dezero.functions import sum as sum_

    for o in outs:
        s = sum_(o)
        total = s if total is None else total + s
    analytic = _grad(total, xs)
    for i, (x, n, a) in enumerate(zip(xs, num, analytic)):
        a = np.asarray(a.data)
        if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            raise GradientCheckError(
                f"gradient check failed for input {i} of {getattr(f, '__name__', f)!s}\n"
                f"  input:      {np.array2string(x.data, precision=6)}\n"
                f"  numerical:  {np.array2string(n, precision=6)}\n"
                f"  analytic:   {np.array2string(a, precision=6)}\n"
                f"  max |diff|: {np.max(np.abs(a - n)) if a.shape == n.shape else 'shape mismatch'}"
            )
    return True
