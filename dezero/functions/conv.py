"""Convolution (step 57): conv2d, deconv2d (transposed convolution), conv2d_simple.

Weights: conv2d W is (OC, C, KH, KW), deconv2d W is (C, OC, KH, KW), as in
the book (and PyTorch's conv2d / conv_transpose2d).
"""
from dezero import cuda
from dezero.core import Function, as_variable
from dezero.functions.im2col import (
    col2im_array, get_conv_outsize, get_deconv_outsize, im2col, im2col_array, pair,
    stride_pad_pairs, window_pairs,
)
from dezero.functions.matrix import linear
from dezero.functions.tensor import reshape, transpose


def _check(x, W, name, w_in_axis, b=None):
    if x.ndim != 4 or W.ndim != 4:
        raise ValueError(
            f"{name} expects x (N, C, H, W) and a 4-d W, got {x.shape} and {W.shape}"
        )
    if x.shape[1] != W.shape[w_in_axis]:
        raise ValueError(
            f"{name}: x has {x.shape[1]} channels but W expects {W.shape[w_in_axis]} "
            f"(W.shape[{w_in_axis}]); W has shape {W.shape}"
        )
    if min(W.shape[2:]) < 1:
        raise ValueError(f"{name}: W's kernel (W.shape[2:]) must be at least 1x1, W has shape "
                         f"{W.shape}")
    oc_axis = 1 - w_in_axis
    if b is not None and b.shape != (W.shape[oc_axis],):
        # Before, NumPy's "operands could not be broadcast together with shapes
        # (1,3,3,2) (3,)", or (for a bias that did broadcast) a failure in backward.
        raise ValueError(
            f"{name}: b must hold one bias per output channel, shape ({W.shape[oc_axis]},) "
            f"(W.shape[{oc_axis}] of W {W.shape}), got shape {b.shape}"
        )


class Conv2d(Function):
    def __init__(self, stride=1, pad=0):
        self.stride, self.pad = stride_pad_pairs(stride, pad, "conv2d")

    def forward(self, x, W, b=None):
        _check(x, W, "conv2d", 1, b)
        xp = cuda.get_array_module(x)
        kh, kw = W.shape[2:]
        col = im2col_array(x, (kh, kw), self.stride, self.pad, to_matrix=False)
        y = xp.tensordot(col, W, ((1, 2, 3), (1, 2, 3)))  # (N, OH, OW, OC)
        if b is not None:
            y = y + b
        return xp.ascontiguousarray(y.transpose(0, 3, 1, 2))

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = deconv2d(gy, W, None, self.stride, self.pad, outsize=x.shape[2:])
        gW = Conv2DGradW(self)(x, gy)
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, gy.sum(axis=(0, 2, 3))


def conv2d(x, W, b=None, stride=1, pad=0):
    f = Conv2d(stride, pad)
    return f(x, W) if b is None else f(x, W, b)


class Deconv2d(Function):
    def __init__(self, stride=1, pad=0, outsize=None):
        self.stride, self.pad = stride_pad_pairs(stride, pad, "deconv2d")
        self.outsize = outsize

    def forward(self, x, W, b=None):
        _check(x, W, "deconv2d", 0, b)
        xp = cuda.get_array_module(x)
        (sh, sw), (ph, pw) = self.stride, self.pad
        _, oc, kh, kw = W.shape
        n, _, h, w = x.shape
        if self.outsize is None:
            out_h, out_w = get_deconv_outsize(h, kh, sh, ph), get_deconv_outsize(w, kw, sw, pw)
            if out_h <= 0 or out_w <= 0:  # NumPy gave an empty image here, silently
                raise ValueError(
                    f"deconv2d: pad {self.pad} is too large for an input of {h}x{w} with kernel "
                    f"{(kh, kw)} and stride {self.stride}: the output would be "
                    f"{out_h}x{out_w}; use a smaller pad (output = stride * (size - 1) + "
                    "kernel - 2 * pad)"
                )
        else:
            out_h, out_w = pair(tuple(self.outsize))
            if (get_conv_outsize(out_h, kh, sh, ph), get_conv_outsize(out_w, kw, sw, pw)) != (h, w):
                raise ValueError(
                    f"deconv2d outsize {(out_h, out_w)} is not one whose convolution gives the "
                    f"input size {(h, w)} with kernel {(kh, kw)}, stride {self.stride}, "
                    f"pad {self.pad}"
                )
        gcol = xp.tensordot(W, x, (0, 1))  # (OC, KH, KW, N, H, W)
        gcol = xp.rollaxis(gcol, 3)  # (N, OC, KH, KW, H, W)
        y = col2im_array(gcol, (n, oc, out_h, out_w), (kh, kw), self.stride, self.pad,
                         to_matrix=False)
        if b is not None:
            y = y + b.reshape((1, b.size, 1, 1))
        return y

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = conv2d(gy, W, None, self.stride, self.pad)
        gW = Conv2DGradW(self)(gy, x)
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, gy.sum(axis=(0, 2, 3))


def deconv2d(x, W, b=None, stride=1, pad=0, outsize=None):
    """Transposed convolution: the adjoint of conv2d with the same W, stride and pad."""
    f = Deconv2d(stride, pad, outsize)
    return f(x, W) if b is None else f(x, W, b)


class Conv2DGradW(Function):
    """The grad of a convolution's kernel, as a Function so it is differentiable again."""

    def __init__(self, conv):
        W = conv.inputs[1]
        self.kernel_size = W.shape[2:]
        self.stride, self.pad = conv.stride, conv.pad

    def forward(self, x, gy):
        xp = cuda.get_array_module(x)
        col = im2col_array(x, self.kernel_size, self.stride, self.pad, to_matrix=False)
        return xp.tensordot(gy, col, ((0, 2, 3), (0, 4, 5)))  # (OC, C, KH, KW)

    def backward(self, ggW):
        x, gy = self.inputs
        gx = deconv2d(gy, ggW, None, self.stride, self.pad, outsize=x.shape[2:])
        ggy = conv2d(x, ggW, None, self.stride, self.pad)
        return gx, ggy


def conv2d_simple(x, W, b=None, stride=1, pad=0):
    """Step 57's conv2d from im2col + linear (uses more memory; same result)."""
    x, W = as_variable(x), as_variable(W)
    n, c, h, w = x.shape
    oc, c, kh, kw = W.shape
    (kh, kw), (sh, sw), (ph, pw) = window_pairs((kh, kw), stride, pad, "conv2d_simple")
    oh, ow = get_conv_outsize(h, kh, sh, ph), get_conv_outsize(w, kw, sw, pw)
    col = im2col(x, (kh, kw), stride, pad, to_matrix=True)
    y = linear(col, transpose(reshape(W, (oc, -1))), b)
    return transpose(reshape(y, (n, oh, ow, oc)), (0, 3, 1, 2))
