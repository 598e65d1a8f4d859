"""Batch normalization (the book's step 52 extras): batch_norm.

The book ships it misspelled as `batch_nrom`; here it is `batch_norm`.
"""
import os
import sys
import warnings

from dezero import cuda
from dezero.config import Config
from dezero.core import Function, Variable
from dezero.functions.reduction import average
from dezero.functions.tensor import sum


def _to_rows(x):
    """(N, C, H, W) -> (N*H*W, C) so every layout normalises per channel."""
    n, c, h, w = x.shape
    return x.transpose(0, 2, 3, 1).reshape(-1, c)


def _from_rows(x, shape):
    """Inverse of _to_rows; works on arrays and on Variables (for the backward)."""
    n, c, h, w = shape
    return x.reshape((n, h, w, c)).transpose(0, 3, 1, 2)


class BatchNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, per feature (axis 1).

    Train mode normalises with the batch's statistics and updates the
    running `mean` and `var` arrays in place (var with the unbiased batch
    variance); test mode uses the running ones. Fixed from the book: its
    backward always used the train-mode formula, wrong in test mode, where
    y is an affine map of x; and it treated the batch statistics as
    constants, so second derivatives were wrong.
    """

    def __init__(self, mean, var, decay, eps):
        self.avg_mean = mean
        self.avg_var = var
        self.decay = decay
        self.eps = eps
        self.inv_std = None
        self.train = Config.train

    def forward(self, x, gamma, beta):
        if x.ndim not in (2, 4):
            raise ValueError(
                f"batch_norm expects x of shape (N, C) or (N, C, H, W), got {x.shape}"
            )
        xp = cuda.get_array_module(x)
        rows = _to_rows(x) if x.ndim == 4 else x
        _check_per_channel(x.shape, gamma=gamma, beta=beta, mean=self.avg_mean, var=self.avg_var)
        if self.train:
            if rows.shape[0] == 1:
                _warn_single_value(x.shape)
            mean = rows.mean(axis=0)
            var = rows.var(axis=0)
            inv_std = 1 / xp.sqrt(var + self.eps)
            m = rows.size // gamma.size
            adjust = m / max(m - 1.0, 1.0)  # unbiased variance for the running average
            self.avg_mean *= self.decay
            self.avg_mean += (1 - self.decay) * mean
            self.avg_var *= self.decay
            self.avg_var += (1 - self.decay) * adjust * var
        else:
            mean = self.avg_mean
            inv_std = 1 / xp.sqrt(self.avg_var + self.eps)
        self.mean = mean
        self.inv_std = inv_std.astype(x.dtype, copy=False)
        y = (rows - mean) * self.inv_std * gamma + beta
        y = y.astype(x.dtype, copy=False)
        return _from_rows(y, x.shape) if x.ndim == 4 else y

    def backward(self, gy):
        x, gamma, _ = self.inputs
        shape = gy.shape
        if gy.ndim == 4:  # Variable ops, so the backward stays differentiable
            gy, x = _to_rows(gy), _to_rows(x)
        if self.train:
            # Batch statistics rebuilt from x with Variable ops (the book keeps
            # them as constants), so the second derivative is exact too.
            xmu = x - average(x, axis=0)
            inv_std = (average(xmu * xmu, axis=0) + self.eps) ** -0.5
            xc = xmu * inv_std
        else:
            inv_std = self.inv_std  # running statistics: constants
            xc = (x - self.mean) * inv_std
        gbeta = sum(gy, axis=0)
        ggamma = sum(xc * gy, axis=0)
        if self.train:
            n = len(gy)
            gx = (gy - gbeta / n - xc * ggamma / n) * (gamma * inv_std)
        else:
            gx = gy * (gamma * inv_std)
        if len(shape) == 4:
            gx = _from_rows(gx, shape)
        return gx, ggamma, gbeta


def _check_per_channel(shape, **arrays):
    """NumPy's "operands could not be broadcast together with shapes (4,) (3,) (4,)" did not say
    that gamma, beta, mean and var hold one entry per channel (axis 1 of x)."""
    c = shape[1]
    bad = [f"{name} {a.shape}" for name, a in arrays.items() if a.shape != (c,)]
    if bad:
        raise ValueError(f"batch_norm needs gamma, beta, mean and var of shape ({c},): x.shape[1] = {c} "
                         f"entries, one per channel of x {shape}; got {', '.join(bad)}")


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # .../dezero/


def _first_level_outside_dezero():
    """The `stacklevel` (for a warn in the caller) of the first frame outside
    the dezero package: the user's line, whether batch_norm was called
    directly or through L.BatchNorm (and Function.__call__ in between)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def _warn_single_value(shape):
    """Kept as the book does (a warning, not PyTorch's error), but said: with one value per
    channel the batch variance is 0, so every output is beta, silently."""
    warnings.warn(
        f"batch_norm in train mode got one value per channel (x of shape {shape}): the batch "
        "variance is 0, so every output equals beta. For a single example, run the model "
        "under `with dezero.test_mode():` (it uses the running mean and var); to train, "
        "use batches of 2 or more",
        RuntimeWarning, stacklevel=_first_level_outside_dezero(),
    )


def batch_norm(x, gamma, beta, mean, var, decay=0.9, eps=2e-5):
    """Batch normalisation; `mean` and `var` are the running arrays, updated in train mode."""
    # The running statistics may come as arrays (the book) or Variables holding them.
    mean = mean.data if isinstance(mean, Variable) else mean
    var = var.data if isinstance(var, Variable) else var
    if not (isinstance(mean, cuda.array_types) and isinstance(var, cuda.array_types)):
        raise TypeError(
            "batch_norm needs the running mean and var as arrays it can update in place, "
            f"got {type(mean).__name__} and {type(var).__name__}"
        )
    return BatchNorm(mean, var, decay, eps)(x, gamma, beta)
