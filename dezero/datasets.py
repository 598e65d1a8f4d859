"""Datasets (steps 48-49, 51, 59-60): Dataset, Spiral, SinCurve and MNIST.

A Dataset holds `data` and `label` arrays that `prepare()` fills, and returns
`(transform(data[i]), target_transform(label[i]))` for an integer index.

The book's downloaded datasets beyond MNIST (ImageNet labels, CIFAR10,
CIFAR100, Shakespear) are left out: this package downloads nothing (MNIST
reads files you give it, see `dezero.mnist`); asking for one raises an
ImportError saying so (`__getattr__` at the end), and so do
`hasattr(dezero.datasets, "CIFAR10")` and `getattr(dezero.datasets,
"CIFAR10", None)` (see dezero.not_shipped).
"""
import numpy as np

from dezero import mnist
from dezero.not_shipped import not_shipped_getattr
from dezero.transforms import Compose, Flatten, Normalize, ToFloat


def _identity(x):
    return x


class Dataset:
    """Base class: subclasses fill `self.data` (and `self.label`, or leave it None) in prepare()."""

    def __init__(self, train=True, transform=None, target_transform=None):
        self.train = train
        self.transform = _identity if transform is None else transform
        self.target_transform = _identity if target_transform is None else target_transform
        for name in ("transform", "target_transform"):
            if not callable(getattr(self, name)):
                raise TypeError(f"{name} must be callable (e.g. dezero.transforms.Normalize()), "
                                f"got {getattr(self, name)!r}")
        self.data = None
        self.label = None
        self.prepare()

    def __getitem__(self, index):
        # One example at a time, as in the book; DataLoader does the batching.
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"{type(self).__name__} takes one integer index, got {index!r}; "
                            "use a DataLoader for batches")
        if self.label is None:
            return self.transform(self.data[index]), None
        return self.transform(self.data[index]), self.target_transform(self.label[index])

    def __len__(self):
        if self.data is None:
            raise TypeError(f"{type(self).__name__}.prepare() did not set self.data")
        return len(self.data)

    def prepare(self):
        """Fill self.data and self.label; a subclass's job."""


def get_spiral(train=True, seed=None):
    """The book's three-armed spiral: x float32 (300, 2), t int (300,), shuffled.

    The book seeds the *global* NumPy RNG (np.random.seed(1984), 2020 for the
    test split) and so silently resets every later np.random call of the
    user's. Here the same seed drives a local RandomState, whose stream is the
    one np.random.seed would give: the points are the book's, bit for bit, and
    the global RNG is left alone. `seed` overrides the split's seed.
    """
    if seed is None:
        seed = 1984 if train else 2020
    rng = np.random.RandomState(seed)
    num_data, num_class = 100, 3
    rate = np.arange(num_data) / num_data
    xs, ts = [], []
    for j in range(num_class):
        # One randn per point, drawn in the book's order (class by class).
        theta = j * 4.0 + 4.0 * rate + rng.randn(num_data) * 0.2
        xs.append(np.stack([rate * np.sin(theta), rate * np.cos(theta)], axis=1))
        ts.append(np.full(num_data, j))
    x = np.concatenate(xs).astype(np.float32)
    t = np.concatenate(ts).astype(np.int_)
    indices = rng.permutation(num_data * num_class)
    return x[indices], t[indices]


class Spiral(Dataset):
    """get_spiral() as a Dataset (step 49)."""

    def prepare(self):
        self.data, self.label = get_spiral(self.train)


class SinCurve(Dataset):
    """1,000 samples of sin(x) on [0, 2*pi] with uniform noise in [-0.05, 0.05] (train)
    or cos(x) without noise (test); data[i] is y[i] and label[i] is y[i+1] (step 59).

    The book draws the noise from the global RNG, unseeded; here a local
    np.random.default_rng(seed) makes the curve the same on every run.
    """

    def __init__(self, train=True, transform=None, target_transform=None, seed=0):
        self.seed = seed
        super().__init__(train, transform, target_transform)

    def prepare(self):
        num_data = 1000
        x = np.linspace(0, 2 * np.pi, num_data)
        if self.train:
            noise = np.random.default_rng(self.seed).uniform(-0.05, 0.05, size=x.shape)
            y = np.sin(x) + noise
        else:
            y = np.cos(x)
        self.data = y[:-1][:, np.newaxis]
        self.label = y[1:][:, np.newaxis]


class MNIST(Dataset):
    """The MNIST digits (step 51): 60,000 train or 10,000 test 28x28 images.

    data is uint8 (N, 1, 28, 28), label uint8 (N,); the default transform
    flattens each image to 784 float32 values in [0, 1]. The files are read
    from (or downloaded into) a cache directory: see dezero.mnist for where,
    and for the error raised when offline.
    """

    def __init__(self, train=True,
                 transform=Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)]),
                 target_transform=None, *, cache_dir=None, url=None, download=True):
        self._source = dict(cache_dir=cache_dir, url=url, download=download)
        super().__init__(train, transform, target_transform)

    def prepare(self):
        self.data, self.label = mnist.load_mnist(self.train, **self._source)

    def tile(self, row=10, col=10, rng=None):
        """A (row*H, col*W) uint8 mosaic of randomly chosen images, for show()."""
        rng = np.random.default_rng() if rng is None else rng
        _, _, h, w = self.data.shape
        picks = self.data[rng.integers(0, len(self.data), row * col), 0]
        return picks.reshape(row, col, h, w).transpose(0, 2, 1, 3).reshape(row * h, col * w)

    def show(self, row=10, col=10, rng=None):
        """Draw tile(row, col) with matplotlib (imported only here)."""
        import matplotlib.pyplot as plt

        plt.imshow(self.tile(row, col, rng), cmap="gray", interpolation="nearest")
        plt.axis("off")
        plt.show()

    @staticmethod
    def labels():
        return {i: str(i) for i in range(10)}


# (ImportError, so hasattr() and getattr(..., default) of these names raise too: see dezero.not_shipped)
__getattr__ = not_shipped_getattr(__name__, ("ImageNet", "CIFAR10", "CIFAR100", "Shakespear"), (
    "the book's datasets beyond MNIST (ImageNet labels, CIFAR10, CIFAR100, Shakespear) are downloads, and this "
    "package downloads nothing but MNIST (see the dezero.datasets docstring). Load the data yourself into NumPy "
    "arrays and wrap them in a subclass of dezero.datasets.Dataset (fill self.data and self.label in "
    "prepare()); for step 58, the book's VGG16 class can be typed into a cell and run without ImageNet"))
