"""BatchNorm layer (the book's step 52 extras).

Its running `avg_mean` / `avg_var` are Parameters, as in the book, so they
move with `to_gpu()` and are written by `save_weights`; they never get a
grad, so optimizers leave them to `F.batch_norm`, which updates them in
train mode and uses them under `dezero.test_mode()`.
"""
from dezero import cuda
from dezero.core import Parameter
from dezero.functions import batch_norm
from dezero.layers.base import Layer, layer_input


class BatchNorm(Layer):
    """Normalise each feature (axis 1) of (N, C) or (N, C, H, W) inputs; sizes are lazy."""

    def __init__(self, decay=0.9, eps=2e-5):
        super().__init__()
        self.decay = decay
        self.eps = eps
        self.avg_mean = Parameter(None, name="avg_mean")
        self.avg_var = Parameter(None, name="avg_var")
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")

    def _init_params(self, x):
        xp = cuda.get_array_module(x)
        size = x.shape[1]
        if self.avg_mean.data is None:
            self.avg_mean.data = xp.zeros(size, dtype=x.dtype)
        if self.avg_var.data is None:
            self.avg_var.data = xp.ones(size, dtype=x.dtype)
        if self.gamma.data is None:
            self.gamma.data = xp.ones(size, dtype=x.dtype)
        if self.beta.data is None:
            self.beta.data = xp.zeros(size, dtype=x.dtype)

    def forward(self, x):
        x = layer_input(self, x)
        if self.avg_mean.data is None:
            self._init_params(x)
        return batch_norm(x, self.gamma, self.beta, self.avg_mean.data, self.avg_var.data,
                          decay=self.decay, eps=self.eps)
