"""`dezero.functions_conv`, kept for the book's import path only.

The book keeps its convolution code (steps 55-58) in this module and
re-exports it from `dezero.functions`; here it lives in
`dezero.functions.conv`, `dezero.functions.pooling` and
`dezero.functions.im2col`, and this module holds no code of its own: it
re-exports the same objects under the book's names, so
`from dezero.functions_conv import conv2d` works and is `F.conv2d`.
"""
from dezero.functions.conv import Conv2d, Conv2DGradW, Deconv2d, conv2d, conv2d_simple, deconv2d  # noqa: F401
from dezero.functions.im2col import Col2im, Im2col, col2im, im2col  # noqa: F401
from dezero.functions.pooling import (  # noqa: F401
    AveragePooling, Pooling, Pooling2DGrad, Pooling2DWithIndexes, average_pooling, pooling, pooling_simple,
)
from dezero.utils import get_conv_outsize, get_deconv_outsize, pair  # noqa: F401
