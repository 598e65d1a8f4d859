"""Convolution layers (step 57): Conv2d and Deconv2d, with lazy input channels.

Kernels are drawn from the global `numpy.random` (`cupy.random` on the GPU)
as in the book, scaled by sqrt(1 / (in_channels * KH * KW)).
"""
import numpy as np

from dezero.functions import conv2d, deconv2d
from dezero.functions.im2col import pair, window_pairs
from dezero.layers.base import layer_input
from dezero.layers.lazy_weight import LazyWeightLayer


class _ConvBase(LazyWeightLayer):
    """Shared parts: W's shape and scale from the channels and kernel, the input check."""

    # in_axis: the axis of W that counts input channels
    in_attr, out_attr, in_axis = "in_channels", "out_channels", 1

    def __init__(self, out_channels, kernel_size, stride=1, pad=0, nobias=False, dtype=np.float32,
                 in_channels=None):
        super().__init__()
        # Checked here, not at the first call: a zero kernel divided by zero in W's scale.
        window_pairs(kernel_size, stride, pad, type(self).__name__)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.pad = pad
        self.dtype = dtype
        self._add_params(out_channels, nobias)

    def _weight_shape(self):
        c, oc = self.in_channels, self.out_channels
        kh, kw = pair(self.kernel_size)
        return (oc, c, kh, kw) if self.in_axis == 1 else (c, oc, kh, kw)

    def _fan_in(self):
        kh, kw = pair(self.kernel_size)
        return self.in_channels * kh * kw

    def _check_input(self, x):
        """x as an array or Variable (a list becomes an array), checked against the layer."""
        x = layer_input(self, x)
        if x.ndim != 4:
            raise ValueError(
                f"{type(self).__name__} expects images (N, C, H, W), got shape {x.shape}; "
                "add the missing axes, e.g. x.reshape(N, 1, H, W) for grey images"
            )
        if not self._fits(x):
            raise ValueError(
                f"{type(self).__name__} has {self.W.shape[self.in_axis]} input channels but got "
                f"an input with {x.shape[1]} (shape {x.shape})"
            )
        return x


class Conv2d(_ConvBase):
    """2-D convolution; W is (out_channels, in_channels, KH, KW)."""

    in_axis = 1

    def forward(self, x):
        x = self._check_input(x)
        return conv2d(x, self.W, self.b, self.stride, self.pad)


class Deconv2d(_ConvBase):
    """2-D transposed convolution; W is (in_channels, out_channels, KH, KW)."""

    in_axis = 0

    def forward(self, x):
        x = self._check_input(x)
        return deconv2d(x, self.W, self.b, self.stride, self.pad)
