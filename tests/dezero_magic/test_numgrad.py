"""Numerical gradients of a trace against known derivatives, a buggy backward, and the curves."""
import gc

import numpy as np
import pytest

from dezero_magic.numgrad import check_gradients, derivative_curves
from student_code import STEP7, STEP7_RUN
from widget_html import run_traced

BUGGY_CUBE = """
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        return 2 * x * gy          # the student's bug: should be 3 * x ** 2 * gy
x = Variable(np.array(2.0), name="x")
y = Cube()(x)
y.backward()
"""


def _leaf(check, label):
    return next(leaf for leaf in check.leaves if leaf.label == label)


def test_cube_at_two_gives_twelve(shell):
    t = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()')
    check = check_gradients(t)
    assert check.available, check.reason
    x = _leaf(check, "x")
    assert float(x.analytic) == 12.0
    assert float(x.numerical) == pytest.approx(12.0, rel=1e-7)
    assert x.passed and x.rel_error < 1e-6
    assert check.output_label == "y"


def test_a_buggy_backward_fails(shell):
    t = run_traced(shell, BUGGY_CUBE)
    x = _leaf(check_gradients(t), "x")
    assert float(x.analytic) == 4.0     # 2 * x * gy at x = 2
    assert float(x.numerical) == pytest.approx(12.0, rel=1e-7)
    assert x.passed is False and x.kinks == 0
    assert x.rel_error == pytest.approx(8 / 12, rel=1e-6)


def test_relu_at_its_kink_is_not_checked_rather_than_failed(shell):
    t = run_traced(shell, 'x = Variable(np.array(0.0), name="x")\ny = F.relu(x)\ny.backward()')
    x = _leaf(check_gradients(t), "x")
    assert float(x.numerical) == pytest.approx(0.5)   # central difference averages slopes 0 and 1
    assert x.passed is None and x.kinks == 1 and x.rel_error is None
    assert "from the left is 0, from the right 1" in x.reason


def test_only_the_entries_at_a_kink_are_left_out(shell):
    t = run_traced(shell, 'x = Variable(np.array([-1.0, 0.0, 2.0]), name="x")\n'
                          'y = F.sum(F.relu(x) * 3)\ny.backward()')
    x = _leaf(check_gradients(t), "x")
    assert x.passed is True and x.kinks == 1 and x.checked == 2 and x.size == 3
    assert x.reason.startswith("1 entry not checked: not differentiable there")


STEEP_BUGGY = """
class Steep(dezero.Function):
    def forward(self, x):
        return np.sin(1000 * x)
    def backward(self, gy):
        return gy                  # wrong: should be 1000 * cos(1000 x) * gy
x = Variable(np.array(0.3), name="x")
y = Steep()(x)
y.backward()
"""


def test_a_steep_smooth_function_is_not_taken_for_a_kink(shell):
    # its one-sided slopes differ by about h * f'' (10% here) but the gap
    # shrinks with the step, so a wrong backward still FAILs
    x = _leaf(check_gradients(run_traced(shell, STEEP_BUGGY)), "x")
    assert x.passed is False and x.kinks == 0


def test_matrices_and_the_users_objects_are_untouched(shell):
    code = ("x = Variable(np.array([[1., -2.], [0.5, 4.]]), name='x')\n"
            "w = Variable(np.linspace(-1, 1, 6).reshape(2, 3), name='w')\n"
            "y = F.sum(F.tanh(F.matmul(x, w)))\ny.backward()\n")
    t = run_traced(shell, code)
    x, w = shell.user_ns["x"], shell.user_ns["w"]
    before = (x.data.copy(), x.grad.data.copy(), w.data.copy(), shell.user_ns["y"].creator)
    check = check_gradients(t)
    assert {leaf.label for leaf in check.leaves} == {"x", "w"}
    for leaf in check.leaves:
        assert leaf.passed, (leaf.label, leaf.analytic, leaf.numerical)
        assert leaf.checked == leaf.size
    np.testing.assert_array_equal(x.data, before[0])
    np.testing.assert_array_equal(x.grad.data, before[1])
    np.testing.assert_array_equal(w.data, before[2])
    assert shell.user_ns["y"].creator is before[3]


def test_against_torch(shell):
    torch = pytest.importorskip("torch")
    t = run_traced(shell, "x = Variable(np.array([0.3, -1.2, 2.0]), name='x')\n"
                          "y = F.sum(F.exp(F.sin(x)) * x)\ny.backward()\n")
    leaf = _leaf(check_gradients(t), "x")
    xt = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    (torch.exp(torch.sin(xt)) * xt).sum().backward()
    np.testing.assert_allclose(leaf.numerical, xt.grad.numpy(), rtol=1e-6)
    assert leaf.passed


def test_big_leaves_are_sampled(shell):
    t = run_traced(shell, "x = Variable(np.linspace(0, 1, 1000), name='x')\ny = F.sum(x ** 2)\ny.backward()")
    leaf = _leaf(check_gradients(t), "x")
    assert leaf.size == 1000 and 1 < leaf.checked <= 16 and leaf.passed


def test_not_available_once_the_output_is_gone(shell):
    t = run_traced(shell, "x = Variable(np.array(2.0))\nx.name = 'x'\n(x ** 2).backward()\nprint('ok')")
    gc.collect()
    check = check_gradients(t)
    assert not check.available
    assert "not available because the output variable no longer exists" in check.reason
    assert not derivative_curves(t).available


def test_data_changed_after_the_cell_is_not_reproducible(shell):
    t = run_traced(shell, "x = Variable(np.ones(5), name='x')\ny = F.sum(F.exp(x))\ny.backward()")
    shell.user_ns["x"].data += 1.0   # a later cell changes x in place: y is stale
    check = check_gradients(t)
    assert not check.available and "does not reproduce" in check.reason


def test_students_own_classes(shell):
    shell.run_cell(STEP7)
    t = run_traced(shell, STEP7_RUN)
    check = check_gradients(t)
    assert check.available, check.reason
    (leaf,) = check.leaves
    # y = exp(x^2)^2 at 0.5: dy/dx = 4x exp(2x^2)
    assert float(leaf.numerical) == pytest.approx(4 * 0.5 * np.exp(0.5), rel=1e-6)
    assert leaf.passed
    curves = derivative_curves(t)
    assert curves.available and not curves.analytic and set(curves.curves) == {0, 1}


def test_cube_curves_have_three_derivatives(shell):
    t = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()')
    c = derivative_curves(t)
    assert c.available and c.analytic and c.x0 == 2.0
    np.testing.assert_allclose(c.curves[0], c.xs ** 3)
    np.testing.assert_allclose(c.curves[1], 3 * c.xs ** 2)
    np.testing.assert_allclose(c.curves[2], 6 * c.xs)
    np.testing.assert_allclose(c.curves[3], 6.0)


def test_sin_curves(shell):
    t = run_traced(shell, 'x = Variable(np.array(0.5), name="x")\ny = F.sin(x)\ny.backward()')
    c = derivative_curves(t)
    xs = c.xs
    for k, expected in enumerate([np.sin(xs), np.cos(xs), -np.sin(xs), -np.cos(xs)]):
        np.testing.assert_allclose(c.curves[k], expected, atol=1e-12)


def test_buggy_backward_derivative_left_out(shell):
    t = run_traced(shell, BUGGY_CUBE)
    c = derivative_curves(t)
    assert 1 not in c.curves
    assert any("Derivative 1 is not shown" in n for n in c.notes)


def test_curves_need_one_scalar_input(shell):
    t = run_traced(shell, "x = Variable(np.ones(3), name='x')\ny = F.sum(x * x)\ny.backward()")
    c = derivative_curves(t)
    assert not c.available and "scalar function of one scalar input" in c.reason


def test_too_big_or_too_slow_graphs_say_why(shell, monkeypatch):
    from dezero_magic import numgrad

    t = run_traced(shell, "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(F.sin(x)))\ny.backward()")
    monkeypatch.setattr(numgrad, "TIME_BUDGET_S", 0.0)
    check = check_gradients(t)
    assert not check.available and "graph is too big: one forward pass" in check.reason
    monkeypatch.setattr(numgrad, "MAX_FUNCTIONS", 2)
    check = check_gradients(t)
    assert not check.available and "more than 2 functions" in check.reason
