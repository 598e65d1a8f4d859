"""Fully connected layers: Linear (steps 44-45, lazy input size) and EmbedID (step 59).

Weights are drawn from the global `numpy.random` (or `cupy.random` on the GPU)
as in the book, so `np.random.seed(0)` before building a model reproduces its
initial weights.
"""
import numpy as np

from dezero.core import Parameter
from dezero.functions import embed_id, linear
from dezero.layers.base import Layer, layer_input, layer_size
from dezero.layers.lazy_weight import LazyWeightLayer


class Linear(LazyWeightLayer):
    """y = x @ W + b, with W of shape (in_size, out_size).

    `in_size=None` leaves W uninitialised until the first input fixes it.
    W is randn * sqrt(1 / in_size) (the book's Xavier-like init), b zeros.
    """

    in_attr, out_attr, in_axis = "in_size", "out_size", 0

    def __init__(self, out_size, nobias=False, dtype=np.float32, in_size=None):
        super().__init__()
        self.in_size = in_size
        self.out_size = out_size
        self.dtype = dtype
        self._add_params(out_size, nobias)

    def _weight_shape(self):
        return (self.in_size, self.out_size)

    def _fan_in(self):
        return self.in_size

    def _swapped_sizes_hint(self, nobias):
        if isinstance(nobias, (int, np.integer)):  # Linear(3, 5) meant in 3, out 5
            return (f" For {self.out_size} inputs and {nobias} outputs write "
                    f"Linear({nobias}, in_size={self.out_size}) or just Linear({nobias}).")
        return ""

    def forward(self, x):
        x = layer_input(self, x)
        if x.ndim != 2:
            raise ValueError(f"Linear expects a batch of rows (N, in_size), got shape {x.shape}; "
                             + rows_advice(x))
        if not self._fits(x):
            raise ValueError(
                f"Linear has in_size {self.W.shape[0]} but got an input with {x.shape[1]} "
                f"features (shape {x.shape}); build a new Linear for this input size"
            )
        return linear(x, self.W, self.b)


def rows_advice(x):
    """How to make x a batch of rows. A 1-D x is most likely one example: flattening it
    (the advice given for every shape before) made one example of 3 features 3 examples of
    1 feature, and a lazy layer then kept in_size 1 for good."""
    if x.ndim <= 1:
        return "for one example write x.reshape(1, -1) (a batch of 1 row)"
    return "flatten each example first, e.g. F.flatten(x) or x.reshape(len(x), -1)"


class EmbedID(Layer):
    """A lookup table: row `x` of W (in_size, out_size) for each integer id in x.

    Not in the book: a `dtype` argument (float32 by default like every other
    layer; the book's table is float64).
    """

    def __init__(self, in_size, out_size, dtype=np.float32):
        super().__init__()
        in_size = layer_size("EmbedID", "in_size", in_size)
        out_size = layer_size("EmbedID", "out_size", out_size)
        self.W = Parameter(np.random.randn(in_size, out_size).astype(dtype), name="W")

    def forward(self, x):
        return embed_id(x, self.W)
