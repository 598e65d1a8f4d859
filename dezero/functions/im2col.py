"""im2col / col2im (step 57): image patches as columns, and back, as Functions.

Array layout: an image batch is (N, C, H, W); the patch tensor ("col") is
(N, C, KH, KW, OH, OW), or with to_matrix=True the matrix (N*OH*OW, C*KH*KW)
whose rows are the flattened patches. Only strided slices are used, so the
same code runs on NumPy and CuPy arrays.
"""
import numbers

import numpy as np

from dezero import cuda
from dezero.core import Function


def _is_int(v):
    # NumPy integers count (np.arange and array values give them); bool is an int to
    # Python but never a size here.
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def pair(x):
    """An int or a pair of ints (any integer type, not bool) -> a pair (height, width) of ints."""
    if _is_int(x):
        return int(x), int(x)
    if isinstance(x, (tuple, list)) and len(x) == 2 and all(_is_int(v) for v in x):
        return int(x[0]), int(x[1])
    kinds = (", ".join(type(v).__name__ for v in x) if isinstance(x, (tuple, list))
             else type(x).__name__)
    raise ValueError(
        f"expected an int or a pair (h, w) of ints, got {x!r} ({kinds}); pass an integer "
        "such as 3 or a pair such as (3, 2): floats and bools are not sizes (int(k) converts)"
    )


def window_pairs(kernel_size, stride, pad, name="im2col"):
    """kernel_size, stride and pad as pairs, checked (see stride_pad_pairs)."""
    kernel = pair(kernel_size)
    _check_at_least(name, "kernel_size", kernel, 1)
    return (kernel,) + stride_pad_pairs(stride, pad, name)


def stride_pad_pairs(stride, pad, name):
    """stride and pad as pairs, checked up front: a zero stride divided by zero and a
    negative pad failed deep inside NumPy, naming neither."""
    stride, pad = pair(stride), pair(pad)
    _check_at_least(name, "stride", stride, 1)
    _check_at_least(name, "pad", pad, 0)
    return stride, pad


def _check_at_least(name, arg, value, low):
    if min(value) < low:
        shown = value[0] if value[0] == value[1] else value
        raise ValueError(
            f"{name}: {arg} must be >= {low} (kernel_size and stride at least 1, pad at "
            f"least 0), got {arg}={shown}"
        )


def get_conv_outsize(input_size, kernel_size, stride, pad):
    return (input_size + pad * 2 - kernel_size) // stride + 1


def get_deconv_outsize(size, k, s, p):
    return s * (size - 1) + k - 2 * p


def _windows(h, w, kernel_size, stride, pad, name):
    """kernel, stride and pad as checked pairs (see window_pairs), and the output
    (height, width): the one check of im2col and col2im, which every call of them
    and of their Functions reaches."""
    (kh, kw), (sh, sw), (ph, pw) = window_pairs(kernel_size, stride, pad, name)
    oh, ow = get_conv_outsize(h, kh, sh, ph), get_conv_outsize(w, kw, sw, pw)
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"a {kh}x{kw} kernel with stride {(sh, sw)} and pad {(ph, pw)} does not fit an "
            f"input of {h}x{w}; use a smaller kernel or more padding"
        )
    return (kh, kw), (sh, sw), (ph, pw), (oh, ow)


def im2col_array(img, kernel_size, stride, pad, to_matrix=True, pad_value=0):
    """Patches of img (N, C, H, W); `pad_value` fills the border (-inf for max pooling)."""
    n, c, h, w = img.shape
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = _windows(h, w, kernel_size, stride, pad, "im2col")
    xp = cuda.get_array_module(img)
    padded = xp.pad(img, ((0, 0), (0, 0), (ph, ph + sh - 1), (pw, pw + sw - 1)),
                    mode="constant", constant_values=pad_value)
    col = xp.empty((n, c, kh, kw, oh, ow), dtype=img.dtype)
    for dy in range(kh):  # one strided copy per kernel offset, not per output pixel
        for dx in range(kw):
            col[:, :, dy, dx] = padded[:, :, dy:dy + sh * oh:sh, dx:dx + sw * ow:sw]
    if to_matrix:
        # columns given, not -1: an empty batch (n = 0) cannot infer them
        col = col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)
    return col


def col2im_array(col, img_shape, kernel_size, stride, pad, to_matrix=True):
    """Adjoint of im2col_array: add every patch entry back onto its pixel."""
    n, c, h, w = img_shape
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = _windows(h, w, kernel_size, stride, pad, "col2im")
    if to_matrix:
        col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    xp = cuda.get_array_module(col)
    img = xp.zeros((n, c, h + 2 * ph + sh - 1, w + 2 * pw + sw - 1), dtype=col.dtype)
    for dy in range(kh):
        for dx in range(kw):
            img[:, :, dy:dy + sh * oh:sh, dx:dx + sw * ow:sw] += col[:, :, dy, dx]
    return img[:, :, ph:h + ph, pw:w + pw]


class Im2col(Function):
    def __init__(self, kernel_size, stride, pad, to_matrix):
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad
        self.to_matrix = to_matrix

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"im2col expects images of shape (N, C, H, W), got {x.shape}")
        self.input_shape = x.shape
        return im2col_array(x, self.kernel_size, self.stride, self.pad, self.to_matrix)

    def backward(self, gy):
        return col2im(gy, self.input_shape, self.kernel_size, self.stride, self.pad,
                      self.to_matrix)


def im2col(x, kernel_size, stride=1, pad=0, to_matrix=True):
    """Patches of x (N, C, H, W) as a differentiable Variable (see the module docstring)."""
    return Im2col(kernel_size, stride, pad, to_matrix)(x)


class Col2im(Function):
    def __init__(self, input_shape, kernel_size, stride, pad, to_matrix):
        self.input_shape = tuple(input_shape)
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad
        self.to_matrix = to_matrix

    def forward(self, x):
        return col2im_array(x, self.input_shape, self.kernel_size, self.stride, self.pad,
                            self.to_matrix)

    def backward(self, gy):
        return im2col(gy, self.kernel_size, self.stride, self.pad, self.to_matrix)


def col2im(x, input_shape, kernel_size, stride=1, pad=0, to_matrix=True):
    return Col2im(input_shape, kernel_size, stride, pad, to_matrix)(x)
