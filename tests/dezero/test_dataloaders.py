"""DataLoader (step 50) and SeqDataLoader (step 60)."""
import numpy as np
import pytest

from dezero import cuda
from dezero.dataloaders import DataLoader, SeqDataLoader
from dezero.datasets import Dataset, SinCurve, Spiral


class Counting(Dataset):
    """data[i] = [i, -i], label[i] = i: every batch shows which items it holds."""

    def __init__(self, n):
        self.n = n
        super().__init__()

    def prepare(self):
        self.data = np.stack([np.arange(self.n), -np.arange(self.n)], axis=1)
        self.label = np.arange(self.n)


def test_one_epoch_covers_every_item_once_with_a_short_last_batch():
    loader = DataLoader(Counting(10), batch_size=4, rng=0)
    batches = list(loader)
    assert [len(t) for _, t in batches] == [4, 4, 2]
    seen = np.concatenate([t for _, t in batches])
    assert sorted(seen.tolist()) == list(range(10))
    assert not np.array_equal(seen, np.arange(10))  # shuffled
    for x, t in batches:
        np.testing.assert_array_equal(x[:, 0], t)
        np.testing.assert_array_equal(x[:, 1], -t)


def test_iterator_protocol_next_reset_and_new_order_each_epoch():
    loader = DataLoader(Counting(6), batch_size=3, rng=1)
    assert len(loader) == 2
    first = np.concatenate([loader.next()[1], next(loader)[1]])
    with pytest.raises(StopIteration):
        loader.next()
    assert loader.iteration == 0  # reset for the next epoch
    second = np.concatenate([t for _, t in loader])
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(6))
    assert not np.array_equal(first, second)


def test_no_shuffle_keeps_order():
    loader = DataLoader(Counting(5), batch_size=2, shuffle=False)
    assert np.concatenate([t for _, t in loader]).tolist() == [0, 1, 2, 3, 4]


def test_default_shuffle_follows_the_global_seed_like_the_book():
    np.random.seed(0)
    a = [t.tolist() for _, t in DataLoader(Counting(8), 3)]
    np.random.seed(0)
    b = [t.tolist() for _, t in DataLoader(Counting(8), 3)]
    assert a == b


def test_transforms_apply_to_batches():
    loader = DataLoader(Spiral(transform=lambda x: x * 0 + 1), batch_size=30)
    x, t = loader.next()
    assert x.shape == (30, 2) and t.shape == (30,)
    assert (x == 1).all()


def test_bad_batch_size():
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(Counting(3), 0)
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(Counting(3), 2.5)


def test_gpu_flags():
    loader = DataLoader(Counting(4), 2)
    loader.to_gpu()
    assert loader.gpu
    if not cuda.gpu_enable:
        with pytest.raises(RuntimeError, match="to_cpu"):
            loader.next()
    loader.to_cpu()
    loader.reset()
    x, _ = loader.next()
    assert isinstance(x, np.ndarray)


def test_seq_loader_rows_walk_their_own_stretch_in_time_order():
    loader = SeqDataLoader(Counting(12), batch_size=3)
    batches = [t for _, t in loader]
    assert len(batches) == 4
    # jump = 12 // 3 = 4: row b reads items 4b, 4b+1, 4b+2, 4b+3
    np.testing.assert_array_equal(np.stack(batches, axis=1),
                                  [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
    # The next epoch starts again from the beginning.
    np.testing.assert_array_equal(loader.next()[1], [0, 4, 8])


def test_seq_loader_on_sincurve_pairs_input_and_next_value():
    ds = SinCurve()
    loader = SeqDataLoader(ds, batch_size=30)
    x, t = loader.next()
    x2, _ = loader.next()
    assert x.shape == (30, 1) and t.shape == (30, 1)
    np.testing.assert_array_equal(t, x2)  # what was predicted is the next input
    with pytest.raises(ValueError, match="larger than the sequence"):
        SeqDataLoader(Counting(3), batch_size=4)


def test_whole_batch_indexing_gives_what_item_by_item_stacking_gives():
    # Spiral without transforms takes the one-fancy-index path; an identity lambda
    # forces the book's item-by-item path. Same order (same seed): same batches.
    fast = DataLoader(Spiral(), 30, rng=3)
    slow = DataLoader(Spiral(transform=lambda x: x), 30, rng=3)
    for (xf, tf), (xs, ts) in zip(fast, slow):
        assert xf.dtype == xs.dtype and tf.dtype == ts.dtype
        np.testing.assert_array_equal(xf, xs)
        np.testing.assert_array_equal(tf, ts)


def test_a_subclass_with_its_own_getitem_is_asked_item_by_item():
    class Doubled(Counting):
        def __getitem__(self, i):
            x, t = super().__getitem__(i)
            return x * 2, t

    x, t = DataLoader(Doubled(4), 4, shuffle=False).next()
    np.testing.assert_array_equal(x[:, 0], 2 * t)
