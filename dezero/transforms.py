"""Preprocessing for datasets (step 49): small callables chained with Compose.

Each transform takes one example (an ndarray) and returns a new one; a Dataset
applies `transform` to the data and `target_transform` to the label. The book's
image transforms built on PIL (Resize, CenterCrop, ...) are left out so that
`dezero` keeps needing NumPy alone.
"""
import numpy as np


class Compose:
    """Apply `transforms` one after another: Compose([Flatten(), ToFloat()])."""

    def __init__(self, transforms=()):
        transforms = list(transforms)
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose takes callables, got {t!r}; pass e.g. "
                                "Compose([Flatten(), Normalize(0.0, 255.0)])")
        self.transforms = transforms

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        return f"Compose({self.transforms!r})"


class Normalize:
    """(x - mean) / std, with a scalar or one value per channel (axis 0, as in CHW images)."""

    def __init__(self, mean=0.0, std=1.0):
        self.mean = mean
        self.std = std

    def _per_channel(self, value, x):
        if np.isscalar(value):
            return value
        value = np.asarray(value, dtype=x.dtype)
        if value.ndim != 1 or (len(value) not in (1, len(x))):
            raise ValueError(f"Normalize got {value.size} values for an example with "
                             f"{len(x)} channels (shape {x.shape}); give one value, or one "
                             "per channel along axis 0")
        # One value per channel, broadcast over the remaining axes.
        return value.reshape((len(value),) + (1,) * (x.ndim - 1))

    def __call__(self, x):
        return (x - self._per_channel(self.mean, x)) / self._per_channel(self.std, x)

    def __repr__(self):
        return f"Normalize(mean={self.mean!r}, std={self.std!r})"


class Flatten:
    """A 1-d copy of the example (an MNIST image (1, 28, 28) becomes (784,))."""

    def __call__(self, x):
        return x.flatten()

    def __repr__(self):
        return "Flatten()"


class AsType:
    """Cast the example to `dtype`."""

    def __init__(self, dtype=np.float32):
        self.dtype = dtype

    def __call__(self, x):
        return x.astype(self.dtype)

    def __repr__(self):
        return f"{type(self).__name__}({np.dtype(self.dtype).name})"


class ToFloat(AsType):
    """Cast to float32 (the book's alias of AsType)."""

    def __init__(self, dtype=np.float32):
        super().__init__(dtype)


class ToInt(AsType):
    """Cast to the platform's default integer type."""

    def __init__(self, dtype=np.int_):
        super().__init__(dtype)
