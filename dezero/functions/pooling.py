"""Pooling (step 57): max pooling (`pooling`) and average pooling, on (N, C, H, W)."""
import numpy as np

from dezero import cuda
from dezero.core import Function, as_variable
from dezero.functions.im2col import (
    col2im, col2im_array, get_conv_outsize, im2col, im2col_array, pair, window_pairs,
)
from dezero.functions.reduction import max as max_
from dezero.functions.tensor import broadcast_to, reshape, transpose


def _windows(x, kernel_size, stride, pad, pad_value=0):
    """x (N, C, H, W) -> (N, C, KH*KW, OH, OW): one axis per pooling window's entries."""
    if x.ndim != 4:
        raise ValueError(f"pooling expects images of shape (N, C, H, W), got {x.shape}")
    col = im2col_array(x, kernel_size, stride, pad, to_matrix=False, pad_value=pad_value)
    n, c, kh, kw, oh, ow = col.shape
    return col.reshape(n, c, kh * kw, oh, ow)


class Pooling(Function):
    """Max over each window. Fixed from the book: the border is padded with
    -inf, not 0, so padding can never win the max of negative inputs. A pad
    as large as the kernel is refused: a window would hold padding only, its
    max -inf. (PyTorch refuses more, any pad over half the kernel; a smaller
    pad that a student's code used gives finite numbers and still runs.)"""

    def __init__(self, kernel_size, stride=1, pad=0):
        self.kernel_size, self.stride, self.pad = window_pairs(kernel_size, stride, pad, "pooling")
        (kh, kw), (ph, pw) = self.kernel_size, self.pad
        if ph >= kh or pw >= kw:
            raise ValueError(
                f"pooling: pad must be smaller than the kernel size, got pad={pad} with "
                f"kernel_size={kernel_size} (a window would hold padding only, and its max is -inf); "
                "use a smaller pad (at most half the kernel, as PyTorch asks) or a larger kernel"
            )

    def forward(self, x):
        pad_value = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        col = _windows(x, self.kernel_size, self.stride, self.pad, pad_value)
        self.indexes = col.argmax(axis=2)
        return col.max(axis=2)

    def backward(self, gy):
        return Pooling2DGrad(self)(gy)


class Pooling2DGrad(Function):
    """Scatter gy to the argmax of each window (and add overlaps), as a Function."""

    def __init__(self, pool):
        self.pool = pool
        self.input_shape = pool.inputs[0].shape
        self.dtype = pool.inputs[0].dtype

    def forward(self, gy):
        xp = cuda.get_array_module(gy)
        p = self.pool
        kh, kw = pair(p.kernel_size)
        n, c, oh, ow = gy.shape
        positions = xp.arange(kh * kw).reshape(1, 1, -1, 1, 1)
        hit = positions == p.indexes[:, :, None]  # one-hot over the window axis
        gcol = (hit * gy[:, :, None]).astype(gy.dtype, copy=False)
        gcol = gcol.reshape(n, c, kh, kw, oh, ow)
        return col2im_array(gcol, self.input_shape, p.kernel_size, p.stride, p.pad,
                            to_matrix=False)

    def backward(self, ggx):
        return Pooling2DWithIndexes(self.pool)(ggx)


class Pooling2DWithIndexes(Function):
    """Pick, from each window of its input, the entry the forward max chose."""

    def __init__(self, pool):
        self.pool = pool

    def forward(self, x):
        xp = cuda.get_array_module(x)
        p = self.pool
        col = _windows(x, p.kernel_size, p.stride, p.pad)
        return xp.take_along_axis(col, p.indexes[:, :, None], axis=2)[:, :, 0]

    def backward(self, gy):
        return Pooling2DGrad(self.pool)(gy)


def pooling(x, kernel_size, stride=1, pad=0):
    """Max pooling of x (N, C, H, W) with a kernel_size window (int or (kh, kw))."""
    return Pooling(kernel_size, stride, pad)(x)


def pooling_simple(x, kernel_size, stride=1, pad=0):
    """Step 57's max pooling from im2col, reshape and max (zero padding, as the book)."""
    x = as_variable(x)
    n, c, h, w = x.shape
    (kh, kw), _, _ = window_pairs(kernel_size, stride, pad, "pooling_simple")
    col = im2col(x, kernel_size, stride, pad, to_matrix=True)  # (N*OH*OW, C*KH*KW)
    y = max_(reshape(col, (-1, kh * kw)), axis=1)
    oh = get_conv_outsize(h, kh, pair(stride)[0], pair(pad)[0])
    ow = get_conv_outsize(w, kw, pair(stride)[1], pair(pad)[1])
    return transpose(reshape(y, (n, oh, ow, c)), (0, 3, 1, 2))


class AveragePooling(Function):
    """Mean over each window; padded entries count as zeros (PyTorch's default
    count_include_pad=True). Fixed from the book: it swapped KH and KW and
    divided gy in place."""

    def __init__(self, kernel_size, stride=1, pad=0):
        self.kernel_size, self.stride, self.pad = window_pairs(kernel_size, stride, pad,
                                                               "average_pooling")

    def forward(self, x):
        self.input_shape = x.shape
        return _windows(x, self.kernel_size, self.stride, self.pad).mean(axis=2)

    def backward(self, gy):
        kh, kw = pair(self.kernel_size)
        n, c, oh, ow = gy.shape
        share = reshape(gy * (1.0 / (kh * kw)), (n, c, 1, 1, oh, ow))
        gcol = broadcast_to(share, (n, c, kh, kw, oh, ow))
        return col2im(gcol, self.input_shape, self.kernel_size, self.stride, self.pad,
                      to_matrix=False)


def average_pooling(x, kernel_size, stride=1, pad=0):
    return AveragePooling(kernel_size, stride, pad)(x)
