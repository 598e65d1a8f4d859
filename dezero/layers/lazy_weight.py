"""The lazy weight init that Linear (steps 44-45) and the conv layers (step 57) share.

W is drawn as in the book, randn * scale from the global `numpy.random`
(`cupy.random` on the GPU), as soon as the input size is known: at
construction when it is given, otherwise from axis 1 of the first input.
Each layer states only W's shape and scale.
"""
import inspect

import numpy as np

from dezero import cuda
from dezero.core import Parameter
from dezero.layers.base import Layer, layer_size


class LazyWeightLayer(Layer):
    """A Layer with W, drawn once its input size is known, and a zero bias b (or None).

    Subclasses set `in_attr` (the attribute holding the input size, None
    until known), `out_attr` (the one holding the output size), `in_axis`
    (the axis of W that counts inputs) and define `_weight_shape()` and
    `_fan_in()`; their `__init__` sets their own attributes and `dtype`, then
    calls `_add_params`, which checks the sizes.
    """

    def _weight_shape(self):
        """W's shape from the layer's sizes; None on in_axis while the input size is unknown."""
        raise NotImplementedError

    def _fan_in(self):
        """The inputs each output sums over: W's randn draw is scaled by sqrt(1 / this)."""
        raise NotImplementedError

    def _add_params(self, out_size, nobias):
        if not isinstance(nobias, (bool, np.bool_)):
            raise self._nobias_error(nobias)
        # Checked here: a float or negative size failed only at the first call, in NumPy's words.
        name = type(self).__name__
        out_size = layer_size(name, self.out_attr, out_size)
        setattr(self, self.out_attr, out_size)
        if getattr(self, self.in_attr) is not None:
            setattr(self, self.in_attr, layer_size(name, self.in_attr, getattr(self, self.in_attr)))
        self.W = Parameter(None, name="W")
        if getattr(self, self.in_attr) is not None:
            self._init_W()
        if nobias:
            self.b = None
        else:
            self.b = Parameter(np.zeros(out_size, dtype=self.dtype), name="b")

    def _nobias_error(self, nobias):
        # PyTorch's Linear(in, out) typed here put `out` into nobias: a truthy int made a
        # layer without bias and out_size = in, silently.
        params = list(inspect.signature(type(self).__init__).parameters.values())[1:]
        shown = ", ".join(p.name if p.default is p.empty else f"{p.name}={_show(p.default)}"
                          for p in params)
        return TypeError(
            f"{type(self).__name__}({shown}): nobias must be True or False, got {nobias!r}. "
            f"The output size comes first; {self.in_attr} is last and usually left out (the "
            f"first input gives it).{self._swapped_sizes_hint(nobias)}"
        )

    def _swapped_sizes_hint(self, nobias):
        """Extra advice for the nobias error (a layer may know the likely slip)."""
        return ""

    def _init_W(self, xp=np):
        shape, scale = self._weight_shape(), np.sqrt(1 / self._fan_in())
        # Scaled in the layer's dtype, as NumPy 1 did for the book: under NumPy 2 a float64
        # scale made the product float64, and the cast back moved 1 in 4 float32 weights by 1 ulp.
        W_data = xp.random.randn(*shape).astype(self.dtype) * xp.asarray(scale, dtype=self.dtype)
        self.W.data = W_data.astype(self.dtype, copy=False)

    def _unbuilt_shape(self, name):
        # load_weights checks an unbuilt W against this: the file sets only the input size.
        return self._weight_shape() if name == "W" else None

    def _weights_loaded(self):
        # An unbuilt layer that load_weights filled: its input size was left None. The
        # file's W takes the layer's dtype, as a built layer's does.
        if getattr(self, self.in_attr) is None and self.W.data is not None:
            self.W.data = self.W.data.astype(self.dtype, copy=False)
            setattr(self, self.in_attr, int(self.W.shape[self.in_axis]))

    def _fits(self, x):
        """Draw W from the first input; afterwards whether x's axis 1 matches W's
        input count (False: the layer raises, saying what to do)."""
        if self.W.data is None:
            setattr(self, self.in_attr, x.shape[1])
            self._init_W(cuda.get_array_module(x))
            return True
        return x.shape[1] == self.W.shape[self.in_axis]


def _show(default):
    """A default as the user would type it: np.float32, not <class 'numpy.float32'>."""
    if isinstance(default, type) and default.__module__ == "numpy":
        return "np." + default.__name__
    return repr(default)
