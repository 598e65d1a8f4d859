"""QA session 22 (S22-1): on a big output a nudge of h is lost in the rounding of
sum(output); the Gradients check said those entries were "not differentiable there"
(a kink) for the smooth x ** 8, and a FAIL for a scalar, instead of naming the
rounding. And "difference D within atol A" gave the largest difference of all (an
entry that passed on rtol), above that atol."""
import numpy as np
import pytest

from dezero_magic.grad_check_result import near_zero_pass
from dezero_magic.grad_tolerance import Tolerance
from dezero_magic.numgrad import check_gradients
from dezero_magic.widgets.gradients_tab import _result, _summary
from widget_html import run_traced


def _x(shell, cell):
    check = check_gradients(run_traced(shell, cell))
    assert check.available, check.reason
    return next(leaf for leaf in check.leaves if leaf.label == "x")


def test_a_smooth_function_on_a_million_entries_is_not_called_a_kink(shell):
    x = _x(shell, "np.random.seed(0)\nx = Variable(np.random.randn(1000000), name='x')\ny = x ** 8\ny.backward()")
    assert x.kinks == 0 and x.rounded >= 1 and x.passed is True, (x.reason, x.kinks, x.rounded)
    assert "not differentiable" not in x.reason and "kink" not in x.reason
    assert "by less than the sum's rounding error" in x.reason and "~1e8" in x.reason
    shown = _result(x)
    assert "not differentiable" not in shown and "rounding error" in shown
    # the pass's own words: the difference shown is within the atol it names
    if x.within_atol is not None:
        assert x.abs_error <= x.within_atol


def test_a_scalar_whose_nudge_is_lost_in_a_huge_output_is_not_a_fail(shell):
    # y = x + 1e20: a nudge of 1e-4 is far below 1e20's rounding (16384), the numerical grad reads 0
    x = _x(shell, "x = Variable(np.array(1.0), name='x')\ny = x + 1e20\ny.backward()")
    assert x.passed is None and x.kinks == 0 and x.rounded == 1, (x.passed, x.reason)
    assert x.reason.startswith("a nudge of h changed sum(output) (its |entries| add up to ~1e20)")
    assert "not differentiable" not in _result(x) and "FAIL" not in _result(x)


def test_a_cell_whose_only_leaf_is_lost_in_rounding_says_so_under_the_table(shell):
    check = check_gradients(run_traced(shell, "x = Variable(np.array(1.0), name='x')\ny = x + 1e20\ny.backward()"))
    said = _summary(check)
    assert said.startswith("Nothing was checked: the output is too large for a nudge of h"), said


def test_a_kink_on_a_big_output_is_still_a_kink(shell):
    # relu at 0 beside an output summing to 3e6: its slopes' gap (1) is far above that sum's rounding
    x = _x(shell, "x = Variable(np.array([-1.0, 0.0, 2.0]), name='x')\ny = F.relu(x) + 1e6\ny.backward()")
    assert x.passed is True and x.kinks == 1 and x.rounded == 0
    assert x.reason.startswith("1 entry not checked: not differentiable there")


def test_a_wrong_backward_on_a_big_output_still_fails(shell):
    cell = """
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        return 2 * x * gy
x = Variable(np.linspace(1.0, 3.0, 1000), name='x')
y = Cube()(x) + 1e6
y.backward()
"""
    check = check_gradients(run_traced(shell, cell), run_own_code=True)
    x = next(leaf for leaf in check.leaves if leaf.label == "x")
    assert x.passed is False and x.rounded == 0 and x.kinks == 0


def test_within_atol_speaks_of_the_entry_near_zero_not_the_largest_difference(shell):
    # entry 3.0: grad 17496, the central difference errs by ~1.4e-4 (passes on rtol);
    # entry 1e-3: grad ~8e-21, passes through atol alone by a difference far below 1e-5
    x = _x(shell, "x = Variable(np.array([3.0, 1e-3]), name='x')\ny = x ** 8\ny.backward()")
    assert x.passed is True and x.within_atol == pytest.approx(1e-5)
    assert x.abs_error <= x.within_atol, x.abs_error
    assert x.rel_error > 0
    shown = _result(x)
    assert "within atol" in shown and "1.4e\u201104" not in shown


def test_near_zero_pass_says_nothing_when_those_entries_passed_on_atol_and_rtol_together():
    tol = Tolerance()
    # misses rtol alone (1e-4 * 0.05 = 5e-6), passes on atol + rtol (1.5e-5): its 1.4e-5 is not "within atol 1e-5"
    assert near_zero_pass(tol, np.array([0.05 + 1.4e-5]), np.array([0.05]), 1.4e-5) == (None, 1.4e-5)
    assert near_zero_pass(tol, np.array([1.0, 3e-6]), np.array([1.0, 0.0]), 3e-6) == (1e-5, 3e-6)
    assert near_zero_pass(tol, np.array([1.0]), np.array([1.0]), 0.0) == (None, 0.0)
