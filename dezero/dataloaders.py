"""DataLoader (step 50) and SeqDataLoader (step 60): mini-batches from a Dataset.

Both are iterators: `for x, t in loader:` runs one epoch, then the loader resets
itself (reshuffling) so the next `for` runs the next epoch.
"""
import math

import numpy as np

from dezero import cuda
from dezero.datasets import Dataset, _identity


def _gather(dataset, batch_index):
    """(data[batch_index], label[batch_index]) when that is exactly what stacking the
    examples one by one would give (a Dataset with array data and labels, its own
    __getitem__ and no transforms), else None. One fancy index instead of a
    Python loop over the batch: the result is the same, only faster.
    """
    if not (isinstance(dataset, Dataset) and type(dataset).__getitem__ is Dataset.__getitem__
            and dataset.transform is _identity and dataset.target_transform is _identity
            and isinstance(dataset.data, np.ndarray) and isinstance(dataset.label, np.ndarray)):
        return None
    index = np.asarray(batch_index, dtype=np.intp)
    return dataset.data[index], dataset.label[index]


_PASS_PAIRS = ("pass a list of (x, t) pairs, e.g. list(zip(x, t)) for arrays x of inputs and t "
               "of labels, or a dezero.datasets.Dataset (e.g. dezero.datasets.Spiral(), or a "
               "subclass whose prepare() sets self.data and self.label)")


def _is_pair(example):
    return isinstance(example, (tuple, list)) and len(example) == 2


def _not_pairs_error(index, example):
    return TypeError(f"DataLoader needs a dataset whose items are (x, t) pairs, but item {index} "
                     f"is {type(example).__name__} ({example!r:.40}); {_PASS_PAIRS}")


def _check_dataset(dataset):
    """Refuse, before the first batch, datasets whose items are not (x, t) pairs.

    Items are read as example[0], example[1]: a plain array's rows "worked" as
    (column 0, column 1), silently training on the wrong numbers, and (x, t)
    given as a tuple became a dataset of 2 items. One item is looked at (the
    first), so the check costs one __getitem__.
    """
    if isinstance(dataset, cuda.array_types):
        read = ("its rows would be read as (x, t) = (column 0, column 1)" if dataset.ndim >= 2
                else "its items are single numbers")
        raise TypeError(
            f"DataLoader needs a dataset whose items are (x, t) pairs, but got an array of shape "
            f"{dataset.shape}: {read}; {_PASS_PAIRS}")
    if (isinstance(dataset, (tuple, list)) and len(dataset) == 2
            and all(isinstance(part, cuda.array_types) and part.ndim >= 1 for part in dataset)):
        shapes = " and ".join(str(part.shape) for part in dataset)
        raise TypeError(
            f"DataLoader needs a dataset whose items are (x, t) pairs, but got a "
            f"{type(dataset).__name__} of 2 arrays (shapes {shapes}), a dataset of 2 items; for "
            "arrays x of inputs and t of labels pass list(zip(x, t)) (one (x, t) pair per "
            "example) or a dezero.datasets.Dataset")
    if len(dataset):
        example = dataset[0]
        if not _is_pair(example):
            raise _not_pairs_error(0, example)


class DataLoader:
    """Batches of `batch_size` examples, shuffled each epoch when `shuffle` is true.

    `dataset` is a dezero Dataset or a list of (x, t) pairs (its first item is
    checked at construction; an array, or x and t given as a tuple, is refused).
    A batch is `(x, t)`: the examples' data and labels stacked into arrays
    (CuPy arrays after `to_gpu()`). The last batch is smaller when the dataset
    size is not a multiple of batch_size. The shuffle uses the global NumPy RNG,
    as in the book (so np.random.seed makes a run repeatable), unless `rng` (a
    np.random.Generator or an int seed) is given.
    """

    def __init__(self, dataset, batch_size, shuffle=True, gpu=False, rng=None):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        _check_dataset(dataset)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.data_size = len(dataset)
        self.max_iter = math.ceil(self.data_size / self.batch_size)
        self.gpu = gpu
        self.rng = np.random.default_rng(rng) if isinstance(rng, (int, np.integer)) else rng
        self.reset()

    def reset(self):
        """Start a new epoch: iteration 0 and, when shuffling, a fresh order."""
        self.iteration = 0
        if not self.shuffle:
            self.index = np.arange(self.data_size)
        elif self.rng is None:
            self.index = np.random.permutation(self.data_size)
        else:
            self.index = self.rng.permutation(self.data_size)

    def __iter__(self):
        return self

    def _batch(self, batch_index):
        xp = self._array_module()
        whole = _gather(self.dataset, batch_index)
        if whole is not None:
            return whole if xp is np else (xp.asarray(whole[0]), xp.asarray(whole[1]))
        batch = [self.dataset[int(i)] for i in batch_index]
        try:  # (free unless raised)
            x = xp.array([example[0] for example in batch])
            t = xp.array([example[1] for example in batch])
        except (IndexError, TypeError, KeyError) as exc:
            example = batch[0] if batch else None
            if not _is_pair(example):
                raise _not_pairs_error(int(batch_index[0]), example) from exc
            raise
        return x, t

    def _array_module(self):
        if not self.gpu:
            return np
        if not cuda.gpu_enable:
            raise RuntimeError("DataLoader.to_gpu() needs CuPy and a CUDA GPU; call "
                               "to_cpu() to get NumPy batches")
        return cuda.cupy

    def __next__(self):
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        i, size = self.iteration, self.batch_size
        batch = self._batch(self.index[i * size:(i + 1) * size])
        self.iteration += 1
        return batch

    def next(self):
        return self.__next__()

    def __len__(self):
        """Batches per epoch."""
        return self.max_iter

    def to_cpu(self):
        self.gpu = False

    def to_gpu(self):
        self.gpu = True


class SeqDataLoader(DataLoader):
    """Batches for truncated BPTT over one long sequence (step 60), never shuffled.

    The sequence is cut into `batch_size` equal stretches; batch k holds the
    k-th element of each stretch, so row b of consecutive batches walks along
    its own stretch in time order and an RNN's hidden state can carry over.
    As in the book, an epoch has ceil(len / batch_size) batches and the
    stretches are len // batch_size long: when batch_size does not divide the
    length, the last batch wraps (index modulo len), so a few steps are read
    twice and the sequence's last few are never read (999 steps in batches
    of 30: 34 batches, steps 33, 66, ... twice, 991-998 never).
    """

    def __init__(self, dataset, batch_size, gpu=False):
        super().__init__(dataset, batch_size, shuffle=False, gpu=gpu)
        if self.batch_size > self.data_size:
            raise ValueError(f"batch_size {batch_size} is larger than the sequence "
                             f"({self.data_size} steps)")

    def __next__(self):
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        jump = self.data_size // self.batch_size
        batch_index = [(b * jump + self.iteration) % self.data_size
                       for b in range(self.batch_size)]
        batch = self._batch(batch_index)
        self.iteration += 1
        return batch
