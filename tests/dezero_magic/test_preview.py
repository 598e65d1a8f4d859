import numpy as np

from dezero_magic.preview import SNAPSHOT_ITEMS, data_of, format_snapshot, snapshot


def test_scalar_preview_and_bytes():
    snap = snapshot(np.array(2.5))
    assert format_snapshot(snap) == "2.5"
    assert snap.shape == () and snap.dtype == "float64" and snap.nbytes == 8
    assert snap.absmax == 2.5 and not snap.nonfinite


def test_large_array_is_truncated_but_measured():
    data = np.arange(1000, dtype=np.float32) - 500
    snap = snapshot(data)
    assert snap.head.size == SNAPSHOT_ITEMS and snap.size == 1000
    assert snap.absmax == 500 and snap.nbytes == 4000
    assert format_snapshot(snap) == "1000 [-500 -499 -498 -497 …]"


def test_snapshot_is_a_copy_not_a_view():
    data = np.array([1.0, 2.0])
    snap = snapshot(data)
    data[0] = 99
    assert format_snapshot(snap) == "[1 2]"


def test_nonfinite_is_flagged_and_excluded_from_absmax():
    snap = snapshot(np.array([1.0, np.nan, -3.0, np.inf]))
    assert snap.nonfinite and snap.absmax == 3.0
    assert "nan" in format_snapshot(snap) and "inf" in format_snapshot(snap)
    big = snapshot(np.r_[np.full(100, 2.0), np.nan])
    assert big.nonfinite and big.absmax == 2.0


def test_data_of_does_not_take_an_ndarray_buffer():
    arr = np.array([1.0])
    assert data_of(arr) is arr

    class Box:
        data = arr

    assert data_of(Box()) is arr
    assert snapshot(None) is None
