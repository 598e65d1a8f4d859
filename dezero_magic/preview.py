"""Value previews: cheap snapshots of arrays taken while the cell runs, and
the short strings drawn on nodes.

Snapshots are taken in the hot path (every traced forward call), so they
copy at most `SNAPSHOT_ITEMS` elements and never keep the user's array
alive; formatting into text happens later, only for nodes that are drawn.
"""
import math

import numpy as np

SNAPSHOT_ITEMS = 16


_DTYPE_NAMES = {}


class Snapshot:
    """Shape, dtype, bytes and the first few elements of an array.

    For arrays of at most `SNAPSHOT_ITEMS` elements `head` is the whole
    array and max |x| / NaN-Inf are computed from it only when asked (the
    hot path stays a copy); larger arrays are measured when taken (two
    reductions, no temporary).
    """

    __slots__ = ("shape", "_dtype", "nbytes", "head", "size", "_absmax", "_nonfinite", "_measured")

    def __init__(self, shape, dtype, nbytes, head, size, absmax=None, nonfinite=False, measured=False):
        self.shape = shape
        self._dtype = dtype
        self.nbytes = nbytes
        self.head = head          # small ndarray copy (whole array when size <= SNAPSHOT_ITEMS)
        self.size = size
        self._absmax = absmax
        self._nonfinite = nonfinite
        self._measured = measured

    @property
    def dtype(self):
        dtype = self._dtype
        name = _DTYPE_NAMES.get(dtype)
        if name is None:
            name = _DTYPE_NAMES[dtype] = str(dtype)  # numpy's str(dtype) is slow Python code
        return name

    @property
    def complete(self):
        return self.head is not None and self.head.size == self.size

    def _measure(self):
        if not self._measured:
            self._measured = True
            head = self.head
            if head is None or not head.size:
                return
            if head.dtype.kind in "fiub":
                # At most SNAPSHOT_ITEMS numbers: plain Python beats numpy's per-call cost.
                values = head.ravel().tolist()
                finite = [abs(v) for v in values if math.isfinite(v)]
                self._nonfinite = len(finite) < len(values)
                self._absmax = float(max(finite)) if finite else None
            elif head.dtype.kind == "c":
                finite = np.isfinite(head)
                self._nonfinite = not bool(finite.all())
                vals = np.abs(head[finite])
                self._absmax = float(vals.max()) if vals.size else None

    @property
    def absmax(self):
        self._measure()
        return self._absmax

    @property
    def nonfinite(self):
        self._measure()
        return self._nonfinite


def snapshot(data):
    """Snapshot of `data` (an ndarray, a number, or anything else)."""
    if data is None:
        return None
    if type(data) is not np.ndarray:
        try:
            data = np.asarray(data)
        except Exception:  # noqa: BLE001 - a GPU array or an odd object: keep its type only
            return Snapshot((), type(data).__name__, 0, None, 0, measured=True)
    size = data.size
    if size <= SNAPSHOT_ITEMS:
        return Snapshot(data.shape, data.dtype, data.nbytes, data.copy(), size)
    head = data.reshape(-1)[:SNAPSHOT_ITEMS].copy()
    absmax, nonfinite = None, False
    if data.dtype.kind in "fiu":
        lo, hi = data.min(), data.max()
        absmax = max(abs(float(lo)), abs(float(hi)))  # as floats: abs(int8(-128)) overflows
        if not math.isfinite(absmax):
            nonfinite = True
            finite = np.abs(data[np.isfinite(data)])
            absmax = float(finite.max()) if finite.size else None
    return Snapshot(data.shape, data.dtype, data.nbytes, head, size, absmax, nonfinite, measured=True)


def summarise(data):
    """The hot-path summary of `data`: a tuple of atoms (shape, dtype, head
    bytes, size) that the cyclic GC untracks, so millions of them cost no
    collector time. It copies at most `SNAPSHOT_ITEMS` elements and measures
    nothing; `from_summary` turns it into a `Snapshot` when a node is drawn.
    """
    if type(data) is np.ndarray:
        size = data.size
        if size <= SNAPSHOT_ITEMS:
            return (data.shape, data.dtype, data.tobytes(), size)
        flat = data.ravel() if data.flags.c_contiguous else data.flat  # ravel: a view here
        return (data.shape, data.dtype, flat[:SNAPSHOT_ITEMS].tobytes(), size)
    if data is None:
        return None
    try:
        arr = np.asarray(data) if isinstance(data, (np.generic, int, float, complex, bool)) else None
    except Exception:  # noqa: BLE001 - an odd scalar: keep its type only
        arr = None
    if arr is None:
        return ((), type(data).__name__, None, 0)
    return summarise(arr)


def from_summary(summary, live=None):
    """A `Snapshot` from `summarise`'s tuple. `live` is the array itself when
    it still exists: then max |x| and NaN/Inf of a large array are measured
    on all of it (else on the recorded head only)."""
    if summary is None:
        return None
    shape, dtype, head, size = summary
    if head is None or isinstance(dtype, str) or dtype.hasobject or not dtype.itemsize:
        return Snapshot(shape, dtype, 0, None, 0, measured=True)
    head = np.frombuffer(head, dtype=dtype)
    nbytes = size * dtype.itemsize
    if (size > SNAPSHOT_ITEMS and type(live) is np.ndarray and live.shape == shape
            and live.dtype == dtype):
        big = snapshot(live)
        return Snapshot(shape, dtype, nbytes, head, size, big.absmax, big.nonfinite, measured=True)
    return Snapshot(shape, dtype, nbytes, head, size)


def data_of(obj):
    """The array inside a Variable-like object; an ndarray (whose `.data` is a
    raw buffer) or a number is returned as it is."""
    if obj is None or isinstance(obj, (np.ndarray, np.generic, int, float, complex)):
        return obj
    return getattr(obj, "data", obj)


def _fmt_number(x):
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        return f"{complex(x):.4g}"
    if not isinstance(x, (float, np.floating)):
        return str(x)[:12]  # strings, bytes, dates: shown as they are, briefly
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.4g}"


def format_snapshot(snap, items=4):
    """A one-line preview: `2`, `[1 2 3]`, `(10,) [0 0.3333 …]`, `(2, 2) [1 2 3 4]`.

    The shape is written as numpy's tuple whenever the elements alone would
    hide it (cut, or more than one axis): a bare `10` would read as a value."""
    if snap is None:
        return ""
    if snap.head is None:
        return snap.dtype
    flat = snap.head.reshape(-1)
    if snap.shape == ():
        return _fmt_number(flat[0])
    shown = " ".join(_fmt_number(v) for v in flat[:items])
    more = " …" if snap.size > items else ""
    text = f"[{shown}{more}]"
    if snap.size > items or len(snap.shape) > 1:
        text = f"{tuple(int(n) for n in snap.shape)} {text}"
    return text
