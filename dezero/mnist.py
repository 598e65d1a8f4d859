"""MNIST files: download into a cache directory and read the IDX format.

The four files are the standard ones (`train-images-idx3-ubyte.gz`, ...). They are
looked for in the cache directory — the `cache_dir` argument, else the
environment variable DEZERO_CACHE_DIR, else ~/.dezero — either gzip'd as
published or unpacked without the `.gz` suffix. A missing file is downloaded
from `url` (argument, else DEZERO_MNIST_URL, else DEFAULT_URL); when that
fails (offline), MNISTUnavailableError says which files to put where.
"""
import gzip
import os
import pathlib

import numpy as np

# A public mirror of the original files (the original site often refuses downloads).
DEFAULT_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
CACHE_ENV = "DEZERO_CACHE_DIR"
URL_ENV = "DEZERO_MNIST_URL"

FILES = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
IMAGES_MAGIC = 0x00000803  # 2051: unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # 2049: unsigned bytes, 1 dimension

# IDX type codes (third byte of the magic number) -> big-endian dtypes.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file (or not the one expected)."""


class MNISTUnavailableError(RuntimeError):
    """MNIST files are missing and could not be downloaded."""


def resolve_cache_dir(path=None):
    """The folder the dataset files live in: `path`, $DEZERO_CACHE_DIR or ~/.dezero."""
    if path is None:
        path = os.environ.get(CACHE_ENV) or pathlib.Path.home() / ".dezero"
    return pathlib.Path(path).expanduser()


def _read_bytes(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:  # gzip'd whatever the name says
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise IDXFormatError(f"{path}: a damaged gzip file ({e}); delete it and let it "
                                 "be downloaded again") from e
    return raw


def read_idx(path):
    """Read an IDX file (plain or gzip'd) into an ndarray of the shape its header gives."""
    path = pathlib.Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise IDXFormatError(f"{path}: not an IDX file (magic number {raw[:4].hex() or 'empty'}"
                             "); expected 0000 then a type code and the number of dimensions")
    dtype, ndim = np.dtype(_IDX_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(f"{path}: truncated header ({len(raw)} bytes, {ndim} dimensions "
                             f"need {header})")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise IDXFormatError(f"{path}: header says shape {shape} ({expected} bytes in all) "
                             f"but the file has {len(raw)} bytes; it is truncated or damaged")
    data = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def _magic(path):
    raw = _read_bytes(path)[:4]
    return int.from_bytes(raw, "big") if len(raw) == 4 else None


def load_images(path):
    """Images as uint8 (N, 1, rows, cols), the book's layout (one channel)."""
    magic = _magic(path)
    if magic != IMAGES_MAGIC:
        raise IDXFormatError(f"{path}: magic number {magic} is not {IMAGES_MAGIC} (MNIST "
                             "images); is this a labels file?")
    images = read_idx(path)
    return images.reshape(images.shape[0], 1, *images.shape[1:])


def load_labels(path):
    """Labels as a uint8 vector (N,)."""
    magic = _magic(path)
    if magic != LABELS_MAGIC:
        raise IDXFormatError(f"{path}: magic number {magic} is not {LABELS_MAGIC} (MNIST "
                             "labels); is this an images file?")
    return read_idx(path)


def _local_copy(directory, name):
    """The cached file for `name`, gzip'd or unpacked, or None."""
    for candidate in (directory / name, directory / name[: -len(".gz")]):
        if candidate.is_file():
            return candidate
    return None


def _download(url, target, timeout):
    # urllib is imported here so that `import dezero` stays cheap.
    import urllib.request

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, \
                open(partial, "wb") as f:
            while True:
                block = response.read(1 << 16)
                if not block:
                    break
                f.write(block)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)  # a file is either complete or absent


def fetch(train=True, cache_dir=None, url=None, download=True, timeout=30.0):
    """Paths (images, labels) of the train or test split, downloading what is missing."""
    directory = resolve_cache_dir(cache_dir)
    base = url or os.environ.get(URL_ENV) or DEFAULT_URL
    if not base.endswith("/"):
        base += "/"
    names = FILES[bool(train)]
    paths, failures = [], []
    for name in names:
        path = _local_copy(directory, name)
        if path is None and download:
            try:
                _download(base + name, directory / name, timeout)
                path = directory / name
            except (OSError, ValueError) as e:  # URLError is an OSError; ValueError: bad URL
                failures.append(f"{name}: {e}")
        paths.append(path)
    if None in paths:
        missing = [n for n, p in zip(names, paths) if p is None]
        how = (f"downloading from {base} failed ({'; '.join(failures)})" if failures
               else "downloading is switched off (download=False)")
        raise MNISTUnavailableError(
            f"MNIST {'train' if train else 'test'} files are missing and {how}. Put "
            f"{', '.join(missing)} into {directory} (gzip'd as published, or unpacked without "
            f"the .gz suffix), or point ${CACHE_ENV} / cache_dir= at a folder that holds them, "
            f"or ${URL_ENV} / url= at another mirror."
        )
    return tuple(paths)


def load_mnist(train=True, cache_dir=None, url=None, download=True):
    """(images uint8 (N, 1, H, W), labels uint8 (N,)) of the train or test split."""
    images_path, labels_path = fetch(train, cache_dir, url, download)
    images, labels = load_images(images_path), load_labels(labels_path)
    if len(images) != len(labels):
        raise IDXFormatError(f"{images_path} holds {len(images)} images but {labels_path} "
                             f"holds {len(labels)} labels; one of them is from another set")
    return images, labels
