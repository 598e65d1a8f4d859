"""Value previews: cheap snapshots of arrays taken while the cell runs, and
the short strings drawn on nodes.

Snapshots are taken in the hot path (every traced forward call), so they
copy at most `SNAPSHOT_ITEMS` elements and never keep the user's array
alive; formatting into text happens later, only for nodes that are drawn.
"""
import math

import numpy as np

from dezero_magic.naming import printable

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


# Variable(None) (the book allows it; a student's forward without `return`
# makes one): drawn as "None", never an unpacking error in the hot path.
_NO_DATA = ((), "None", None, 0)


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
        return _NO_DATA
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


DIGITS = 4          # significant digits of a preview, unless more are needed (see `_distinct`)
_MAX_DIGITS = 15    # beyond: str, the shortest text that reads back as the same number (16-17 digits)


_TEXT_CHARS = 16    # a non-number's text in a preview: a student's `variable(-0.25)` fits whole


def _brief(text):
    """`text` cut to _TEXT_CHARS, the cut marked: a dropped `)` would misread."""
    return text if len(text) <= _TEXT_CHARS else text[:_TEXT_CHARS - 1] + "…"


def _text_of(x):
    """str(x) of an element of the user's (a student's object's __str__ may
    raise), printable: a lone surrogate in a string array broke the widgets."""
    try:
        return printable(str(x))
    except Exception:  # noqa: BLE001 - shown by its type, not lost with the graph
        return f"<{type(x).__name__}>"


def shape_text(shape):
    """A shape as Python writes a tuple: (), (3,), (2, 3) (the book's DOT labels too)."""
    return str(tuple(int(n) for n in shape))


def format_number(x, digits=DIGITS):
    """One number as previews write it: `digits` significant digits, `1.000` for
    a value rounded to 1 but not 1, `nan`/`inf`, ints and bools exact."""
    if not isinstance(x, float):  # tolist()'s floats and np.float64 skip these checks
        if isinstance(x, (bool, np.bool_)):
            return str(bool(x))
        if isinstance(x, (int, np.integer)):
            return str(int(x))
        if isinstance(x, (complex, np.complexfloating)):
            return f"{complex(x) + 0j:.{digits}g}"  # + 0j turns a -0.0 part into 0.0
        if not isinstance(x, np.floating):
            return _brief(_text_of(x))  # strings, bytes, dates, objects: shown as they are, briefly
        x = float(x)
    if x == 0:
        x = 0.0  # -0.0 (a ReLU mask times a negative) would read "-0", as if it were below zero
    text = f"{x:.{digits}g}"  # NaN and Inf come out as "nan", "inf", "-inf"
    if "." not in text and "n" not in text and float(text) != x:
        # A rounded value written like an integer ("1" for a grad of 0.9999999) would claim
        # an exactness it lacks; numpy's trailing zeros ("1.000") say "rounded", same width.
        text = f"{x:#.{digits}g}"
        if text.endswith("."):
            # 8103.08 would read "8103.": one more digit says "not an integer" plainly.
            text = f"{x:#.{digits + 1}g}"
    return text


def _digits_apart(values, real=True):
    """Significant digits at which the closest two different numbers of `values`
    differ (1.00001, 1.00002: 6); rounding at a boundary may need one more."""
    if not real:  # complex: both parts must be told apart
        values = [v for x in values for v in (float(x.real), float(x.imag))]
    elif type(values[0]) is not float:  # np.longdouble: its arithmetic on inf warns in the cell
        values = [float(v) for v in values]
    finite = sorted([v for v in set(values) if v - v == 0])  # (inf - inf and nan - nan are nan)
    need = DIGITS
    for a, b in zip(finite, finite[1:]):
        if a and b:  # a 0 is written "0", apart from any other number
            ratio = max(-a, b) / (b - a)  # largest magnitude over the gap: the digits they share
            if ratio != math.inf:
                need = max(need, math.floor(math.log10(ratio)) + 1)
    return need


def _distinct(values, read=float):
    """Preview texts of `values` (a few numbers shown side by side) that read as
    different numbers wherever the values differ: DIGITS significant digits, or
    the fewest more that tell them apart ([1.00001 1.00002] is no [1 1]), or
    Python's shortest round-trip text beyond 15; every element shown is written
    at the same precision. `read` parses a text back (float, complex):
    "1" and "1.000" read alike. Each NaN is its own object on both sides, so
    a set counts NaNs alike whether taken of values or of readings."""
    texts = [format_number(v) for v in values]
    wanted = len(set(values))
    if len(set(map(read, texts))) == wanted:
        return texts
    # Computed, not searched: a converged array ([0.7538 0.7538 0.7538]) differs only
    # around the 16th digit, and trying digits one by one would slow a draw by half.
    digits = _digits_apart(values, read is float)
    while digits <= _MAX_DIGITS:  # rounding at a boundary can still need one more
        texts = [format_number(v, digits) for v in values]
        if len(set(map(read, texts))) == wanted:
            return texts
        digits += 1
    zero = 0.0 if read is float else 0j  # adding it turns -0.0 (or a -0.0 part) into 0.0
    return [str(v + zero) for v in values]  # (str, not repr: np.longdouble's repr names its type)


def format_snapshot(snap, items=4):
    """A one-line preview: `2`, `[1 2 3]`, `(10,) [0 0.3333 …]`, `(2, 2) [1 2 3 4]`.

    The shape is written as numpy's tuple whenever the elements alone would
    hide it (cut, or more than one axis): a bare `10` would read as a value.
    Numbers have 4 significant digits, with trailing zeros when a rounded value
    would read as an integer (`1.000` for 0.9999999, `1` only for exactly 1),
    and more digits when elements shown side by side would read alike though
    they differ (`[1.00001 1.00002]`). A lone scalar is not stretched to full
    precision: `1.000` already says it is not exactly 1, and a node stays short."""
    if snap is None:
        return ""
    if snap.head is None:
        return snap.dtype
    flat = snap.head.reshape(-1)
    if snap.shape == ():
        return format_number(flat[0])
    if flat.dtype.kind in "fc" and min(items, flat.size) > 1:  # ints and bools are exact already
        shown = " ".join(_distinct(flat[:items].tolist(), float if flat.dtype.kind == "f" else complex))
    else:
        shown = " ".join(format_number(v) for v in flat[:items])
    more = " …" if snap.size > items else ""
    text = f"[{shown}{more}]"
    if snap.size > items or len(snap.shape) > 1:
        text = f"{shape_text(snap.shape)} {text}"
    return text
