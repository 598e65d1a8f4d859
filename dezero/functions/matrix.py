"""Matrix products (steps 37, 43): matmul, linear, linear_simple."""
import numpy as np

from dezero.core import Function, as_variable
from dezero.functions.tensor import reshape, sum_to, transpose


def _swap_last(x):
    """Transpose of the last two axes (the batched `.T`), as a Variable op."""
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes)


def _check_inner(x_shape, W_shape, name):
    """Error branch of a product: name both shapes and the axes that must agree
    (NumPy says only "mismatch in its core dimension 0 ... (n?,k),(k,m?)->(n?,m?)")."""
    if len(x_shape) and len(W_shape) and x_shape[-1] != W_shape[-2 if len(W_shape) > 1 else 0]:
        k = -2 if len(W_shape) > 1 else 0
        raise ValueError(
            f"{name}: shapes {x_shape} and {W_shape} do not fit: the last axis of x "
            f"({x_shape[-1]}) must equal {'the second-to-last' if k == -2 else 'the only'} axis "
            f"of W ({W_shape[k]}); x (N, in) @ W (in, out). Transpose or reshape one of them, "
            "or build W with in = x.shape[-1]"
        ) from None


def _check_batch(x_shape, W_shape):
    """Error branch of a batched product whose inner axes fit: NumPy's message
    ("could not be broadcast together with remapped shapes ... ->(2,newaxis,newaxis)")
    did not say that the leading (batch) axes were what did not fit."""
    try:
        np.broadcast_shapes(x_shape[:-2], W_shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: shapes {x_shape} and {W_shape} do not fit: their batch axes (all but the last two), "
            f"{x_shape[:-2]} and {W_shape[:-2]}, must broadcast: compared from the right, each pair is equal "
            "or one of them is 1 (a missing axis counts as 1); x (..., n, k) @ W (..., k, m) -> (..., n, m). "
            "Reshape one operand (e.g. add an axis of 1 with F.expand_dims) or give both the same batch axes"
        ) from None


class MatMul(Function):
    """x @ W for operands of at least two dimensions (leading axes broadcast).

    The book's MatMul handles 2-D only (x.dot(W)); this one follows
    numpy.matmul so batched products differentiate too.
    """

    def forward(self, x, W):
        try:  # (free unless raised)
            return x @ W
        except ValueError:
            _check_inner(x.shape, W.shape, "matmul")
            _check_batch(x.shape, W.shape)
            raise

    def backward(self, gy):
        x, W = self.inputs
        gx = sum_to(matmul(gy, _swap_last(W)), x.shape)
        gW = sum_to(matmul(_swap_last(x), gy), W.shape)
        return gx, gW


def matmul(x, W):
    """Matrix product like numpy.matmul; 1-D operands are promoted and squeezed back."""
    x, W = as_variable(x), as_variable(W)
    if x.ndim == 0 or W.ndim == 0:
        raise ValueError(
            f"matmul needs operands of at least one dimension, got shapes {x.shape} and "
            f"{W.shape}; use `*` to multiply by a scalar"
        )
    if x.ndim >= 2 and W.ndim >= 2:
        return MatMul()(x, W)
    # numpy.matmul semantics: a 1-D left operand is a row, a 1-D right one a column.
    x2 = reshape(x, (1,) + x.shape) if x.ndim == 1 else x
    W2 = reshape(W, W.shape + (1,)) if W.ndim == 1 else W
    y = MatMul()(x2, W2)
    shape = y.shape
    if x.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if W.ndim == 1:
        shape = shape[:-1]
    return reshape(y, shape)


class Linear(Function):
    """y = x @ W + b in one Function (step 43's memory-saving version)."""

    def forward(self, x, W, b=None):
        try:  # (free unless raised)
            y = x @ W
        except ValueError:
            _check_inner(x.shape, W.shape, "linear")
            raise
        if b is not None:
            try:
                y = y + b
            except ValueError:
                raise ValueError(
                    f"linear: bias b of shape {b.shape} does not fit x @ W of shape {y.shape}; b "
                    f"needs one value per output, shape ({W.shape[-1]},)"
                ) from None
        return y

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = matmul(gy, W.T)
        gW = matmul(x.T, gy)
        if len(self.inputs) == 2:
            return gx, gW
        b = self.inputs[2]
        return gx, gW, sum_to(gy, b.shape)


def linear(x, W, b=None):
    """Affine map of a batch of rows: x (N, I) @ W (I, O) + b (O,)."""
    x, W = as_variable(x), as_variable(W)
    if x.ndim != 2 or W.ndim != 2:
        raise ValueError(
            f"linear expects x of shape (N, in) and W of shape (in, out), got {x.shape} "
            f"and {W.shape}; reshape x first (e.g. F.flatten or x.reshape(len(x), -1))"
        )
    if b is None:
        return Linear()(x, W)
    return Linear()(x, W, b)


def linear_simple(x, W, b=None):
    """Step 43's first version: matmul then add, keeping the intermediate t."""
    t = matmul(x, W)
    if b is None:
        return t
    y = t + b
    t.data = None  # the book frees t's data: Add's backward does not need it
    return y
