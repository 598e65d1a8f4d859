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


def _asked(trace):
    """The check of a graph with the test's own Function classes, as when the user presses its button."""
    return check_gradients(trace, run_own_code=True)


def test_a_buggy_backward_fails(shell):
    t = run_traced(shell, BUGGY_CUBE)
    x = _leaf(_asked(t), "x")
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


def test_a_kink_with_small_slopes_is_still_a_kink(shell):
    # slopes 0 and 1e-3: the central difference 5e-4 misses backprop's 0 by
    # more than atol, and the gap is far below 1 (the old test's floor)
    x = _leaf(check_gradients(run_traced(shell, 'x = Variable(np.array(0.0), name="x")\n'
                                                'y = F.relu(x) * 1e-3\ny.backward()')), "x")
    assert x.passed is None and x.kinks == 1


def test_a_kink_within_h_of_the_point_is_not_checked(shell):
    # relu at 3e-5: the central difference with h = 1e-4 crosses the kink
    # (0.65, not 1), the one with h/10 does not: the point is fine, the
    # reference is not (a CNN unit close to 0, many times over)
    x = _leaf(check_gradients(run_traced(shell, 'x = Variable(np.array(3e-5), name="x")\n'
                                                'y = F.relu(x)\ny.backward()')), "x")
    assert float(x.numerical) == pytest.approx(0.65)
    assert x.passed is None and x.kinks == 1


def test_kinks_close_on_both_sides_are_not_checked(shell):
    # kinks at +6e-6 and -9e-6 (inside h/10): the central difference is 0.25
    # at h and at h/10 alike (the two kinks' shares cancel), backprop says 0,
    # the true slope; the one-sided gap shrinks 2.32 -> 0.7, far slower than a
    # smooth f's tenfold (a CNN's bias moves thousands of units: this happens)
    t = run_traced(shell, 'x = Variable(np.array(0.0), name="x")\n'
                          'y = F.relu(x - 6e-6) * 1.5 + F.relu(-x - 9e-6)\ny.backward()')
    x = _leaf(check_gradients(t), "x")
    assert float(x.numerical) == pytest.approx(0.25) and float(x.analytic) == 0.0
    assert x.passed is None and x.kinks == 1


RELU_MLP_ON_ITS_KINKS = """
np.random.seed(0)
x = Variable(np.vstack([np.zeros((3, 2)), np.random.randn(5, 2)]), name="x")  # spiral's (0, 0) rows
W = Variable(np.random.randn(2, 6), name="W")
b = Variable(np.zeros(6), name="b")                                            # as L.Linear starts
W2 = Variable(np.random.randn(6, 3), name="W2")
y = F.sum(F.sin(F.matmul(F.relu(F.linear(x, W, b)), W2) + 0.5)) / 300   # a batch mean: small slopes
y.backward()
"""


def _verdicts(check):
    return [(leaf.label, leaf.passed, leaf.kinks, leaf.checked) for leaf in check.leaves]


def test_relu_mlp_with_rows_on_the_kink_has_no_false_fail(shell):
    t = run_traced(shell, RELU_MLP_ON_ITS_KINKS)
    check = check_gradients(t)
    assert check.available, check.reason
    assert all(leaf.passed is not False for leaf in check.leaves), _verdicts(check)
    x, b, w = _leaf(check, "x"), _leaf(check, "b"), _leaf(check, "W")
    assert x.kinks >= 1 and x.passed is True          # the (0, 0) rows left out, the others pass
    # every b_j puts the three zero rows' unit j on its kink
    assert b.kinks == 6 and b.passed is None and "at or within h of a kink" in b.reason
    assert w.passed is True and w.kinks == 0          # x = 0 rows do not move with W
    assert _verdicts(check_gradients(t)) == _verdicts(check)   # the same verdict every run


def test_max_pooling_ties_are_not_checked(shell):
    t = run_traced(shell, "x = Variable(np.array([[[[1., 1.], [0., 0.5]]]]), name='x')\n"
                          "y = F.sum(F.pooling(x, 2, 2) * 3)\ny.backward()")
    x = _leaf(check_gradients(t), "x")
    # the tied 1s: from the right the nudged one is the max (slope 3), from the left the other (0)
    assert x.kinks == 2 and x.passed is True and x.checked == 2


WRONG_THROUGH_RELU = """
class Doubling(dezero.Function):
    def forward(self, x):
        return x
    def backward(self, gy):
        return 2 * gy              # the bug: an identity's backward is gy
np.random.seed(1)
x = Variable(np.random.randn(4, 3), name="x")
W = Variable(np.random.randn(3, 5), name="W")
z = F.matmul(Doubling()(x), W)
y = F.sum(F.relu(z) * 2.0)
y.backward()
"""


def test_a_wrong_backward_through_relus_still_fails(shell):
    t = run_traced(shell, WRONG_THROUGH_RELU)
    assert np.abs(shell.user_ns["z"].data).min() > 1e-3   # no unit within h of relu's kink
    check = _asked(t)
    x, w = _leaf(check, "x"), _leaf(check, "W")
    assert x.passed is False and x.kinks == 0 and x.rel_error == pytest.approx(0.5, rel=1e-4)
    assert w.passed is True and w.kinks == 0


def test_a_wrong_backward_of_a_linear_function_fails(shell):
    # f is linear in x: the one-sided slopes differ by rounding only
    t = run_traced(shell, WRONG_THROUGH_RELU.split("np.random.seed")[0]
                   + 'x = Variable(np.array([1.0, -2.0]), name="x")\ny = F.sum(Doubling()(x))\ny.backward()')
    x = _leaf(_asked(t), "x")
    assert x.passed is False and x.kinks == 0
    np.testing.assert_allclose(x.numerical, [1.0, 1.0], rtol=1e-9)


def test_a_steep_smooth_function_is_not_taken_for_a_kink(shell):
    # its one-sided slopes differ by about h * f'' (10% here) but the gap
    # shrinks with the step, so a wrong backward still FAILs
    x = _leaf(_asked(run_traced(shell, STEEP_BUGGY)), "x")
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
    assert "not available because the output of the last backward no longer exists" in check.reason
    assert "give the output a name that no later line of the cell rebinds" in check.reason  # what to do
    assert not derivative_curves(t).available


def test_data_changed_after_the_cell_is_not_reproducible(shell):
    t = run_traced(shell, "x = Variable(np.ones(5), name='x')\ny = F.sum(F.exp(x))\ny.backward()")
    shell.user_ns["x"].data += 1.0   # a later cell changes x in place: y is stale
    check = check_gradients(t)
    assert not check.available and "does not reproduce" in check.reason


def test_a_training_cell_says_the_data_changed_since_the_graph_was_recorded(shell):
    # the update after the last backward changes W inside the cell, not after it
    t = run_traced(shell, "x = Variable(np.ones(3))\nW = Variable(np.ones(3), name='W')\n"
                          "for i in range(2):\n    loss = F.sum(x * W)\n    W.cleargrad()\n"
                          "    loss.backward()\n    W.data -= 0.1 * W.grad.data\n")
    check = check_gradients(t)
    assert not check.available
    assert "W changed after the drawn forward used it (W.data -= ... in the cell" in check.reason
    assert "after the cell" not in check.reason


def test_a_grad_added_to_by_a_later_cell_is_not_failed(shell):
    t = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()')
    shell.run_cell("y.backward()")    # step 14: the grads add up, x.grad is 24 now
    assert float(shell.user_ns["x"].grad.data) == 24.0
    x = _leaf(check_gradients(t), "x")
    assert x.passed is None and "grad changed since the graph was recorded" in x.reason
    shell.run_cell("x.cleargrad()")
    x = _leaf(check_gradients(t), "x")
    assert x.passed is None and "no grad" in x.reason


def test_students_own_classes(shell):
    shell.run_cell(STEP7)
    t = run_traced(shell, STEP7_RUN)
    check = _asked(t)
    assert check.available, check.reason
    (leaf,) = check.leaves
    # y = exp(x^2)^2 at 0.5: dy/dx = 4x exp(2x^2)
    assert float(leaf.numerical) == pytest.approx(4 * 0.5 * np.exp(0.5), rel=1e-6)
    assert leaf.passed
    curves = derivative_curves(t, run_own_code=True)
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


def test_a_user_function_is_plotted_by_its_forward_alone_and_only_when_asked(shell):
    # dezero.grad would call the buggy backward again at every point of the plot
    t = run_traced(shell, BUGGY_CUBE)
    assert not derivative_curves(t).available
    c = derivative_curves(t, run_own_code=True)
    assert c.available and not c.analytic and set(c.curves) == {0, 1}
    np.testing.assert_allclose(c.curves[1], 3 * c.xs ** 2, atol=1e-6)     # f' of x^3, not the buggy 2x
    assert any("would run their backward again" in n for n in c.notes)


def test_a_wrong_derivative_of_dezeros_own_function_is_left_out_of_the_plot(shell, monkeypatch):
    from dezero.functions.elementwise import Sin

    monkeypatch.setattr(Sin, "backward", lambda self, gy: gy * 2.0)   # a dezero bug: sin' is not 2
    c = derivative_curves(run_traced(shell, 'x = Variable(np.array(0.5), name="x")\ny = F.sin(x)\ny.backward()'))
    assert c.available and c.analytic and 1 not in c.curves
    assert any("Derivative 1 is not shown" in n for n in c.notes)


def test_curves_need_one_scalar_input(shell):
    t = run_traced(shell, "x = Variable(np.ones(3), name='x')\ny = F.sum(x * x)\ny.backward()")
    c = derivative_curves(t)
    assert not c.available and "scalar function of one scalar input" in c.reason


def test_too_big_or_too_slow_graphs_say_why(shell, monkeypatch):
    from dezero_magic import numgrad

    t = run_traced(shell, "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(F.sin(x)))\ny.backward()")
    # a pass computes 3 + 3 + 3 + 1 numbers; one entry needs two passes
    monkeypatch.setattr(numgrad, "NUMBERS_BUDGET", 19)
    check = check_gradients(t)
    assert not check.available
    assert "graph is too big: one forward pass of its 3 functions computes 10 numbers" in check.reason
    monkeypatch.setattr(numgrad, "NUMBERS_BUDGET", 40)
    assert check_gradients(t).leaves[0].checked == 2     # the same count on any machine
    monkeypatch.setattr(numgrad, "SLOW_LIMIT_S", 0.0)
    check = check_gradients(t)
    assert not check.available and "too slow to re-run: one forward pass" in check.reason
    monkeypatch.setattr(numgrad, "MAX_FUNCTIONS", 2)
    check = check_gradients(t)
    assert not check.available and "more than 2 functions" in check.reason


# Steps 33-34: the second derivative. `2` in `2 * x ** 2` is a constant nobody
# clears: both passes give it a grad, and the second adds to the first.
SECOND_DERIVATIVE = """x = Variable(np.array(2.0), name="x")
y = x ** 4 - 2 * x ** 2
y.backward(create_graph=True)
gx = x.grad
{clear}gx.backward()
"""


def test_a_grad_kept_from_an_earlier_backward_is_not_failed_but_explained(shell):
    t = run_traced(shell, SECOND_DERIVATIVE.format(clear="x.cleargrad()\n"))
    check = check_gradients(t)
    assert check.available, check.reason
    x = _leaf(check, "x")
    assert x.passed and float(x.analytic) == 44.0           # 12 x^2 - 4 at 2: the book's answer
    assert not [leaf for leaf in check.leaves if leaf.passed is False]
    # (the second graph has a constant 2 of its own: only the first one's grad was kept)
    two = [leaf for leaf in check.leaves if float(leaf.value) == 2.0 and leaf.passed is None]
    assert len(two) == 1 and two[0].label != "x"
    assert float(two[0].analytic) == -8.0 and float(two[0].numerical) == pytest.approx(-4.0)
    assert "earlier backward" in two[0].reason
    node = t.graph.variables[two[0].var_id]
    assert node.grad_carried and not t.graph.variables[x.var_id].grad_carried
    # the stepper shows the true total: the -4 of this pass added to the -4 kept
    step = next(s for s in t.graph.steps if two[0].var_id in s.gxs)
    assert step.gxs[two[0].var_id] == "-4" and step.totals[two[0].var_id] == "-8"
    assert two[0].var_id in step.accumulated
    assert not any("cleargrad" in n for n in t.graph.notes)  # x was cleared: nothing to say about it


def test_forgetting_cleargrad_is_told_with_what_to_do(shell):
    t = run_traced(shell, SECOND_DERIVATIVE.format(clear=""))
    note = [n for n in t.graph.notes if "x.cleargrad()" in n]
    assert note and note[0].startswith("The grad of x also holds an earlier backward's")
    assert "Harmless unless you read it" in note[0]
    x = _leaf(check_gradients(t), "x")
    assert x.passed is None and "x.cleargrad()" in x.reason
    assert float(x.analytic) == 24.0 + 44.0                 # 4x^3 - 4x, plus 12x^2 - 4


@pytest.mark.parametrize("code", [
    "x = Variable(np.array(3.0), name='x')\ny = x + x\ny.backward()",                 # both inputs x
    "x = Variable(np.array(3.0), name='x')\na = x * x\ny = a + a\ny.backward()",
    "x = Variable(np.array(3.0), name='x')\ny = x ** 2\ny.backward()\nx.cleargrad()\ny = x ** 3\ny.backward()",
])
def test_grads_made_in_the_pass_itself_are_not_taken_for_kept_ones(shell, code):
    t = run_traced(shell, code)
    assert not any(v.grad_carried for v in t.graph.variables.values())
    assert all(leaf.passed for leaf in check_gradients(t).leaves if leaf.label == "x")


def test_dezero_grad_after_a_backward_is_not_taken_for_an_uncleared_grad(shell):
    # grad() keeps its sums apart and leaves x.grad as the earlier backward set it.
    t = run_traced(shell, "x = Variable(np.array(3.0), name='x')\ny = x ** 2\ny.backward()\n"
                          "g = dezero.grad(y, x)")
    assert not any(v.grad_carried for v in t.graph.variables.values())
    assert not any("cleargrad" in n for n in t.graph.notes)
    assert _leaf(check_gradients(t), "x").passed
