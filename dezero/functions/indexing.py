"""Indexing Functions (steps 47, 59): get_item with scatter-add backward, embed_id."""
import numpy as np

from dezero import cuda
from dezero.core import Function, Variable, as_variable


def _plain_index(slices, xp=np):
    """Index arrays given as Variables become their data (they are not
    differentiated); NumPy index arrays move to `xp` (CuPy wants its own)."""

    def plain(s):
        s = s.data if isinstance(s, Variable) else s
        if xp is not np and isinstance(s, np.ndarray):
            s = xp.asarray(s)
        return s

    if isinstance(slices, tuple):
        return tuple(plain(s) for s in slices)
    return plain(slices)


class GetItem(Function):
    """x[slices]: basic slicing and fancy indexing, as NumPy does."""

    def __init__(self, slices):
        self.slices = slices

    def forward(self, x):
        return x[self.slices]

    def backward(self, gy):
        (x,) = self.inputs
        return GetItemGrad(self.slices, x.shape)(gy)


class GetItemGrad(Function):
    """Scatter-add of gy into zeros shaped like x: the backward of GetItem.

    np.add.at, not `gx[slices] = gy`, so that an index repeated in fancy
    indexing accumulates its grads. Its own backward is get_item again, so
    the scatter is differentiable (higher-order grads through indexing).
    """

    def __init__(self, slices, in_shape):
        self.slices = slices
        self.in_shape = in_shape

    def forward(self, gy):
        xp = cuda.get_array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        cuda.add_at(gx, self.slices, gy)
        return gx

    def backward(self, ggx):
        return get_item(ggx, self.slices)


def get_item(x, slices):
    x = as_variable(x)
    return GetItem(_plain_index(slices, cuda.get_array_module(x)))(x)


def embed_id(x, W):
    """Rows of the embedding matrix W picked by the integer ids x (step 59's EmbedID)."""
    W = as_variable(W)
    ids = _plain_index(x, cuda.get_array_module(W))
    if not isinstance(ids, (int, np.integer)):
        ids = cuda.get_array_module(W.data).asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(
                f"embed_id needs integer ids, got dtype {ids.dtype}; convert with x.astype(int)"
            )
    _check_id_range(ids, W.shape[0])
    return get_item(W, ids)


def _check_id_range(ids, in_size):
    """A negative id picked a row from the end (-1 gave the last) and one past the end
    failed inside NumPy's indexing; PyTorch's embedding refuses both."""
    xp = cuda.get_array_module(ids)
    ids = xp.asarray(ids)
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= in_size):
        bad = cuda.as_numpy(ids[(ids < 0) | (ids >= in_size)])
        raise ValueError(
            f"embed_id: ids must be in [0, in_size) (in_size = number of rows of W = "
            f"W.shape[0] = {in_size}); got {bad[:5].tolist()}"
        )
