import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert format_snapshot(snap) == "(1000,) [-500 -499 -498 -497 …]"


def test_snapshot_is_a_copy_not_a_view():
    data = np.array([1.0, 2.0])
    snap = snapshot(data)
    data[0] = 99
    assert format_snapshot(snap) == "[1 2]"


def test_a_matrix_shows_its_shape_even_when_it_is_small():
    assert format_snapshot(snapshot(np.array([[1.0, 2.0], [3.0, 4.0]]))) == "(2, 2) [1 2 3 4]"
    assert format_snapshot(snapshot(np.arange(10.0) / 3)) == "(10,) [0 0.3333 0.6667 1 …]"
    assert format_snapshot(snapshot(np.array([1.0, 2.0, 3.0]))) == "[1 2 3]"   # nothing hidden


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


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["f8", "f4", "f2", "i8", "i1", "u8", "u1", "?", "c16"]),
       st.lists(st.sampled_from([0.0, -0.0, 1.5, -7.25, 3e38, np.nan, np.inf, -np.inf, 255.0, -128.0, 1e300]),
                min_size=1, max_size=SNAPSHOT_ITEMS))
def test_small_measure_matches_numpy(dtype, values):
    # Snapshots of a few numbers are measured in plain Python; numpy is the reference.
    with np.errstate(all="ignore"):
        head = np.array(values).astype(dtype)
    snap = snapshot(head)
    finite = np.isfinite(head)
    # (as float: numpy's abs of the most negative int overflows; the snapshot's does not)
    expected = np.abs(head[finite] if head.dtype.kind == "c" else head[finite].astype(np.float64))
    assert snap.nonfinite == (not bool(finite.all()))
    if expected.size:
        assert snap.absmax == float(expected.max())
    else:
        assert snap.absmax is None
    assert snap.dtype == str(head.dtype)


def test_most_negative_int_has_a_positive_absmax():
    small = snapshot(np.array([-128, 5], dtype=np.int8))
    big = snapshot(np.r_[np.zeros(40, dtype=np.int8), np.int8(-128)])
    assert small.absmax == 128.0 and big.absmax == 128.0


def test_elements_that_differ_never_preview_alike():
    # QA: [1.00001, 1.00002] was shown as [1 1] -- a student comparing values saw them equal.
    assert format_snapshot(snapshot(np.array([1.00001, 1.00002]))) == "[1.00001 1.00002]"
    assert format_snapshot(snapshot(np.array([1.0, 1.00001]))) == "[1 1.00001]"  # not "[1 1.000]"
    assert format_snapshot(snapshot(np.array([0.1 + 0.2, 0.3]))) == "[0.30000000000000004 0.3]"
    assert format_snapshot(snapshot(np.array([1.00001, 1.00002], dtype=np.float32))) == "[1.00001 1.00002]"
    # Only as many digits as telling them apart takes.
    assert format_snapshot(snapshot(np.array([1 / 3, 1 / 3 + 1e-6, 0.7]))) == "[0.333333 0.333334 0.7]"
    # The shown elements are compared, equal ones stay short, a cut array keeps its shape.
    assert format_snapshot(snapshot(np.ones(4))) == "[1 1 1 1]"
    assert format_snapshot(snapshot(np.array([np.nan, np.nan, 2.0]))) == "[nan nan 2]"
    assert format_snapshot(snapshot(1 + np.arange(6) * 1e-7)) == "(6,) [1 1.0000001 1.0000002 1.0000003 …]"
    assert format_snapshot(snapshot(np.array([1 + 1j, 1 + 1.00001j]))) == "[1+1j 1+1.00001j]"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=2, max_size=4)
       | st.lists(st.floats(0.999, 1.001, width=64), min_size=2, max_size=4))
def test_different_shown_elements_read_as_different_numbers(values):
    texts = format_snapshot(snapshot(np.array(values))).strip("[]").split(" ")
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if a != b and not (np.isnan(a) and np.isnan(b)):
                assert float(texts[i]) != float(texts[j]), (values, texts)


def test_a_rounded_value_never_reads_as_an_exact_integer():
    # A lone scalar keeps 4 significant digits (a node stays short), but trailing zeros say it was rounded.
    assert format_snapshot(snapshot(np.array(0.9999999))) == "1.000"
    assert format_snapshot(snapshot(np.array(1.00001))) == "1.000"
    assert format_snapshot(snapshot(np.array(-2.0000000000131024))) == "-2.000"
    assert format_snapshot(snapshot(np.array(10000.4))) == "1.000e+04"
    assert format_snapshot(snapshot(np.array(1.0))) == "1"  # exact: as before
    assert format_snapshot(snapshot(np.array(1e4))) == "1e+04"
    assert format_snapshot(snapshot(np.array(2.5))) == "2.5"
    assert format_snapshot(snapshot(np.array(np.inf))) == "inf"
    assert format_snapshot(snapshot(np.array(3, dtype=np.int64))) == "3"
    # four digits before the point leave no room for trailing zeros: one more digit, no bare "8103."
    assert format_snapshot(snapshot(np.array(8103.08))) == "8103.1"
    assert format_snapshot(snapshot(np.array(999.9999))) == "1000.0"


def test_negative_zero_is_written_as_zero():
    # QA: a ReLU mask times a negative grad gave 'grad (3, 4) [-2 -2 -0 -0 …]'.
    assert format_snapshot(snapshot(np.array([-2.0, -2.0, -0.0, -0.0, 1.0]))) == "(5,) [-2 -2 0 0 …]"
    assert format_snapshot(snapshot(np.array(-0.0, dtype=np.float32))) == "0"
    assert format_snapshot(snapshot(np.array([-0.0 - 0.0j, 1j]))) == "[0+0j 0+1j]"
    # Only zero changes: a tiny negative keeps its sign.
    assert format_snapshot(snapshot(np.array([-0.0, -1e-300]))) == "[0 -1e-300]"
    # Beside numbers that need all their digits (Python's shortest text is used there).
    assert format_snapshot(snapshot(np.array([-0.0, 0.1 + 0.2, 0.3]))) == "[0.0 0.30000000000000004 0.3]"
