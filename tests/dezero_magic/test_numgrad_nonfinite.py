"""The gradient check on data it cannot step: complex numbers, NaN/Inf in the
input or in f. Each says so, none is called a kink, and nothing warns."""
import warnings

import pytest

from dezero_magic.numgrad import check_gradients, derivative_curves
from dezero_magic.stepped_entries import F_NONFINITE
from widget_html import run_traced

COMPLEX = "x = Variable(np.array([1+2j, 3j]), name='x')\ny = F.sum(x * x)\ny.backward()"
INF_INPUT = "x = Variable(np.array([np.inf, 1.0]), name='x')\ny = F.sum(F.exp(x) * x)\ny.backward()"
NAN_SCALAR = "x = Variable(np.array(np.nan), name='x')\ny = F.sum(F.exp(x) * x)\ny.backward()"


def _leaf(check, label="x"):
    return next(leaf for leaf in check.leaves if leaf.label == label)


@pytest.fixture
def no_warnings():
    """No warning from the check itself (the cell's own, exp overflowing, are the cell's to print)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    assert [f"{w.filename}: {w.message}" for w in caught if "dezero_magic" in w.filename] == []


def test_complex_data_is_not_checked_and_says_so(shell, no_warnings):
    check = check_gradients(run_traced(shell, COMPLEX))
    assert check.available, check.reason          # not "the forward does not reproduce the output"
    x = _leaf(check)
    assert x.passed is None and x.reason.startswith("complex data")
    assert x.analytic is not None and x.analytic.dtype.kind == "c"   # shown as it is, never cast
    assert not derivative_curves(run_traced(shell, COMPLEX)).available


def test_a_real_input_with_a_complex_output_is_not_checked(shell, no_warnings):
    check = check_gradients(run_traced(shell, "x = Variable(np.array([1.0, 2.0]), name='x')\n"
                                              "y = F.sum(x * 1j)\ny.backward()"))
    x = _leaf(check)
    assert x.passed is None and "the output is complex" in x.reason and check.unchecked


TO_COMPLEX = """
class ToComplex(dezero.Function):
    def forward(self, x):
        return x * (1 + 1j)
    def backward(self, gy):
        return gy
x = Variable(np.array(2.0), name='x')
y = ToComplex()(x)
y.backward()
"""


def test_curves_of_a_real_scalar_with_a_complex_output_are_not_drawn(shell, no_warnings):
    c = derivative_curves(run_traced(shell, TO_COMPLEX))
    assert not c.available and "the output is complex" in c.reason


def test_an_inf_input_is_not_taken_for_a_kink(shell, no_warnings):
    check = check_gradients(run_traced(shell, INF_INPUT))
    x = _leaf(check)
    assert check.unchecked == F_NONFINITE
    assert x.passed is None and x.kinks == 0 and x.nonfinite == 1 and x.numerical is None
    assert "this input is NaN/Inf (1 of 2 entries)" in x.reason and "f is NaN/Inf at this point" in x.reason
    assert "kink" not in x.reason and "slope" not in x.reason


def test_a_nan_scalar_gets_no_slopes_and_no_plot(shell, no_warnings):
    t = run_traced(shell, NAN_SCALAR)
    x = _leaf(check_gradients(t))
    assert x.passed is None and x.kinks == 0
    assert "no numerical gradient is possible" in x.reason and "slope" not in x.reason
    c = derivative_curves(t)
    assert not c.available and "the input is NaN/Inf" in c.reason and c.xs is None


def test_f_inf_at_a_finite_point_gets_no_plot(shell, no_warnings):
    t = run_traced(shell, "x = Variable(np.array(1000.0), name='x')\ny = F.exp(x)\ny.backward()")
    x = _leaf(check_gradients(t))
    assert x.passed is None and x.kinks == 0 and x.reason == F_NONFINITE
    c = derivative_curves(t)
    assert not c.available and "f is NaN/Inf at this point" in c.reason


def test_nan_entries_of_an_input_are_left_out_and_the_rest_checked(shell, no_warnings):
    x = _leaf(check_gradients(run_traced(shell, "x = Variable(np.array([np.nan, 1.0, 2.0]), name='x')\n"
                                                "y = F.sum(x[1:] ** 2)\ny.backward()")))
    assert x.passed is True and x.checked == 2 and x.nonfinite == 1 and x.kinks == 0
    assert "1 entry not checked: it is NaN/Inf" in x.reason


def test_f_leaving_its_domain_within_h_is_not_a_kink(shell, no_warnings):
    # log at 2e-5: f(x - h) is NaN; that says nothing of backprop, and nothing of a kink
    t = run_traced(shell, "x = Variable(np.array(2e-5), name='x')\ny = F.log(x)\ny.backward()")
    x = _leaf(check_gradients(t))
    assert x.passed is None and x.kinks == 0 and x.nonfinite == 1
    assert "f is NaN/Inf within h of this point" in x.reason and "slope" not in x.reason
    c = derivative_curves(t)
    assert 1 not in c.curves
    assert c.notes and "NaN/Inf within h of the point" in c.notes[0]
    assert not any("cannot differentiate twice" in n for n in c.notes)


def test_one_entry_leaving_the_domain_leaves_the_others_checked(shell, no_warnings):
    x = _leaf(check_gradients(run_traced(shell, "x = Variable(np.array([1.0, 2.0, 3e-5]), name='x')\n"
                                                "y = F.sum(F.log(x))\ny.backward()")))
    assert x.passed is True and x.checked == 2 and x.kinks == 0 and x.nonfinite == 1
    assert "f is NaN/Inf within h of it" in x.reason
