"""Dataset, Spiral, SinCurve and the transforms (steps 48-49, 59)."""
import numpy as np
import pytest

from dezero import transforms as T
from dezero.datasets import Dataset, SinCurve, Spiral, get_spiral


def _book_spiral(train):
    """The book's get_spiral, verbatim in spirit: global seed, one randn per point."""
    np.random.seed(1984 if train else 2020)
    x = np.zeros((300, 2), dtype=np.float32)
    t = np.zeros(300, dtype=np.int_)
    for j in range(3):
        for i in range(100):
            rate = i / 100
            theta = j * 4.0 + 4.0 * rate + np.random.randn() * 0.2
            x[100 * j + i] = np.array([rate * np.sin(theta), rate * np.cos(theta)])
            t[100 * j + i] = j
    indices = np.random.permutation(300)
    return x[indices], t[indices]


@pytest.mark.parametrize("train", [True, False])
def test_spiral_is_the_books_data_bit_for_bit(train):
    state = np.random.get_state()
    try:
        want_x, want_t = _book_spiral(train)
    finally:
        np.random.set_state(state)
    x, t = get_spiral(train)
    assert x.dtype == np.float32 and x.shape == (300, 2)
    assert t.shape == (300,) and np.issubdtype(t.dtype, np.integer)
    np.testing.assert_array_equal(x, want_x)
    np.testing.assert_array_equal(t, want_t)


def test_spiral_leaves_the_global_rng_alone():
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    Spiral(train=True)
    get_spiral(train=False)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_spiral_splits_and_seed_differ():
    assert not np.array_equal(get_spiral(True)[0], get_spiral(False)[0])
    assert not np.array_equal(get_spiral(True)[0], get_spiral(True, seed=7)[0])
    np.testing.assert_array_equal(get_spiral(True, seed=7)[0], get_spiral(True, seed=7)[0])


def test_spiral_dataset_items_and_classes():
    ds = Spiral()
    assert len(ds) == 300
    x, t = ds[5]
    np.testing.assert_array_equal(x, ds.data[5])
    assert t == ds.label[5]
    assert np.bincount(ds.label).tolist() == [100, 100, 100]
    radius = np.linalg.norm(ds.data, axis=1)
    assert radius.max() < 1.0 and radius.min() == 0.0


def test_transforms_are_applied_per_item():
    ds = Spiral(transform=lambda x: x * 2, target_transform=lambda t: t + 10)
    x, t = ds[0]
    np.testing.assert_array_equal(x, ds.data[0] * 2)
    assert t == ds.label[0] + 10


def test_bad_index_and_bad_transform_say_what_to_do():
    ds = Spiral()
    with pytest.raises(TypeError, match="DataLoader"):
        ds[0:3]
    with pytest.raises(TypeError, match="callable"):
        Spiral(transform="normalize")
    assert ds[np.int64(3)][1] == ds.label[3]  # NumPy integers are integers


def test_dataset_without_labels_and_unprepared_subclass():
    class Unlabelled(Dataset):
        def prepare(self):
            self.data = np.arange(4)

    assert Unlabelled()[2] == (2, None)

    class Empty(Dataset):
        pass

    with pytest.raises(TypeError, match="did not set self.data"):
        len(Empty())


def test_sincurve_train_and_test():
    train, test = SinCurve(train=True), SinCurve(train=False)
    assert len(train) == 999 and train.data.shape == (999, 1) and train.label.shape == (999, 1)
    # label is the next step's value
    np.testing.assert_array_equal(train.label[:-1], train.data[1:])
    x = np.linspace(0, 2 * np.pi, 1000)
    noise = train.data[:, 0] - np.sin(x[:-1])
    assert np.abs(noise).max() <= 0.05 and noise.std() > 0.02  # noisy, within the book's range
    np.testing.assert_allclose(test.data[:, 0], np.cos(x[:-1]))


def test_sincurve_is_deterministic_and_leaves_global_rng_alone():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    a = SinCurve()
    assert np.random.rand() == expected
    np.testing.assert_array_equal(a.data, SinCurve().data)
    assert not np.array_equal(a.data, SinCurve(seed=1).data)


def test_compose_normalize_flatten_astype():
    img = np.arange(2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 3)
    f = T.Compose([T.ToFloat(), T.Normalize(mean=[1.0, 2.0], std=[2.0, 4.0]), T.Flatten()])
    out = f(img)
    want = ((img.astype(np.float32) - np.array([1.0, 2.0]).reshape(2, 1, 1))
            / np.array([2.0, 4.0]).reshape(2, 1, 1)).ravel()
    assert out.dtype == np.float32 and out.shape == (12,)
    np.testing.assert_allclose(out, want)
    assert T.Normalize(0.0, 255.0)(np.float32(255.0) * np.ones(3, np.float32)).tolist() == [1.0] * 3
    assert T.ToInt()(np.array([1.7])).dtype == np.int_
    assert T.Compose()(img) is img


def test_transform_errors():
    with pytest.raises(TypeError, match="callables"):
        T.Compose([T.Flatten(), 3])
    with pytest.raises(ValueError, match="one per channel"):
        T.Normalize(mean=[0.0, 0.0, 0.0])(np.zeros((2, 4, 4)))


def test_book_import_paths():
    import dezero
    import dezero.dataloaders
    import dezero.datasets

    assert dezero.DataLoader is dezero.dataloaders.DataLoader
    assert dezero.datasets.Spiral is Spiral
    assert dezero.datasets.get_spiral is get_spiral
    assert dezero.transforms.Normalize is T.Normalize
