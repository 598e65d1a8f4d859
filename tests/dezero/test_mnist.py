"""The MNIST loader on small IDX files written here; no network is used."""
import gzip
import struct

import numpy as np
import pytest

from dezero import mnist
from dezero.datasets import MNIST


def idx_bytes(array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.astype(mnist._IDX_DTYPES[type_code]).tobytes()


def write_split(folder, train, n=5, size=4, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, size, size)).astype(np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in zip(mnist.FILES[train], (images, labels)):
        raw = idx_bytes(array)
        if gz:
            (folder / name).write_bytes(gzip.compress(raw))
        else:
            (folder / name[:-3]).write_bytes(raw)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("train", [True, False])
def test_loads_gzip_and_plain_files(tmp_path, gz, train):
    images, labels = write_split(tmp_path, train, gz=gz)
    got_images, got_labels = mnist.load_mnist(train, cache_dir=tmp_path, download=False)
    assert got_images.shape == (5, 1, 4, 4) and got_images.dtype == np.uint8
    np.testing.assert_array_equal(got_images[:, 0], images)
    np.testing.assert_array_equal(got_labels, labels)


@pytest.mark.parametrize("type_code", sorted(mnist._IDX_DTYPES))
def test_read_idx_every_type_and_native_byte_order(tmp_path, type_code):
    array = np.arange(-3, 9).reshape(3, 2, 2)
    if type_code == 0x08:
        array = array + 3
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(array, type_code))
    got = mnist.read_idx(path)
    np.testing.assert_array_equal(got, array)
    assert got.dtype.isnative and got.flags.writeable


def test_dataset_default_transform_and_tile(tmp_path):
    images, labels = write_split(tmp_path, True, n=6, size=3)
    ds = MNIST(train=True, cache_dir=tmp_path, download=False)
    assert len(ds) == 6
    x, t = ds[2]
    assert x.dtype == np.float32 and x.shape == (9,)
    np.testing.assert_allclose(x, images[2].ravel() / 255.0, rtol=1e-6)
    assert t == labels[2]
    assert ds.tile(2, 3, rng=np.random.default_rng(0)).shape == (6, 9)
    assert MNIST.labels()[7] == "7"


def test_cache_dir_from_the_environment(tmp_path, monkeypatch):
    write_split(tmp_path / "env", False)
    monkeypatch.setenv(mnist.CACHE_ENV, str(tmp_path / "env"))
    assert mnist.resolve_cache_dir() == tmp_path / "env"
    assert len(MNIST(train=False, download=False)) == 5
    monkeypatch.delenv(mnist.CACHE_ENV)
    assert mnist.resolve_cache_dir().name == ".dezero"


def test_downloads_missing_files_from_the_mirror(tmp_path):
    # A file:// "mirror" exercises the download path without a network.
    images, labels = write_split(tmp_path / "mirror", True)
    cache = tmp_path / "cache"
    got, got_labels = mnist.load_mnist(True, cache_dir=cache, url=(tmp_path / "mirror").as_uri())
    np.testing.assert_array_equal(got[:, 0], images)
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.FILES[True])


def test_offline_error_says_which_files_to_put_where(tmp_path):
    cache = tmp_path / "cache"
    unreachable = (tmp_path / "no-such-mirror").as_uri()
    with pytest.raises(mnist.MNISTUnavailableError) as info:
        MNIST(train=True, cache_dir=cache, url=unreachable)
    message = str(info.value)
    for name in mnist.FILES[True]:
        assert name in message
    assert str(cache) in message and "DEZERO_CACHE_DIR" in message and "failed" in message
    assert not any(p.suffix == ".part" for p in cache.glob("*"))  # no half-written files


def test_download_off_lists_only_the_missing_file(tmp_path):
    write_split(tmp_path, False)
    (tmp_path / mnist.FILES[False][1]).unlink()
    with pytest.raises(mnist.MNISTUnavailableError, match="t10k-labels") as info:
        mnist.load_mnist(False, cache_dir=tmp_path, download=False)
    assert "t10k-images" not in str(info.value) and "download=False" in str(info.value)


def test_bad_files_get_clear_errors(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(mnist.IDXFormatError, match="not an IDX file"):
        mnist.read_idx(path)
    path.write_bytes(idx_bytes(np.zeros((4, 2, 2), np.uint8))[:-3])
    with pytest.raises(mnist.IDXFormatError, match="truncated"):
        mnist.read_idx(path)
    path.write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(mnist.IDXFormatError, match="gzip"):
        mnist.read_idx(path)
    path.write_bytes(idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(mnist.IDXFormatError, match="labels file"):
        mnist.load_images(path)
    path.write_bytes(idx_bytes(np.zeros((4, 2, 2), np.uint8)))
    with pytest.raises(mnist.IDXFormatError, match="images file"):
        mnist.load_labels(path)


def test_image_and_label_counts_must_agree(tmp_path):
    write_split(tmp_path, True, n=5)
    (tmp_path / mnist.FILES[True][1]).write_bytes(
        gzip.compress(idx_bytes(np.zeros(4, np.uint8))))
    with pytest.raises(mnist.IDXFormatError, match="5 images but"):
        mnist.load_mnist(True, cache_dir=tmp_path, download=False)


def test_show_draws_the_tile(tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    write_split(tmp_path, False, n=4, size=3)
    ds = MNIST(train=False, cache_dir=tmp_path, download=False)
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gca().get_images()[0].get_array()))
    ds.show(2, 2, rng=np.random.default_rng(1))
    plt.close("all")
    np.testing.assert_array_equal(shown[0], ds.tile(2, 2, rng=np.random.default_rng(1)))
