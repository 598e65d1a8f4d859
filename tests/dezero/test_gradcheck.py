"""numerical_diff (step 4), numerical_grad, gradient_check and the benchmark functions."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Function, Variable, gradient_check, numerical_diff, numerical_grad
from dezero.benchmark_functions import goldstein, matyas, rosenbrock, sphere
from dezero.gradcheck import GradientCheckError


def test_numerical_diff_of_square_as_in_step_4():
    dy = numerical_diff(F.square, Variable(np.array(2.0)))
    assert abs(dy - 4.0) < 1e-8
    # composite: exp(x^2)^2 at 0.5 (the book prints 3.2974426293330694)
    f = lambda x: F.square(F.exp(F.square(x)))  # noqa: E731
    assert abs(numerical_diff(f, Variable(np.array(0.5))) - 3.2974426293330694) < 1e-6


def test_numerical_grad_shapes_and_values(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
    ga, gb = numerical_grad(lambda x, y: x * y, a, b)
    assert ga.shape == (2, 3) and gb.shape == (3,)
    np.testing.assert_allclose(ga, np.broadcast_to(b, (2, 3)), rtol=1e-7)
    np.testing.assert_allclose(gb, a.sum(axis=0), rtol=1e-7)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_gradient_check_passes_on_correct_functions(rng, shape):
    x = rng.uniform(0.5, 1.5, size=shape)
    assert gradient_check(lambda v: F.sin(v) * F.exp(v) / (1.0 + v**2), x)
    assert gradient_check(F.tanh, x)


class WrongSquare(Function):
    def forward(self, x):
        return x**2

    def backward(self, gy):
        (x,) = self.inputs
        return 3 * x * gy  # should be 2 * x * gy


def wrong_square(x):
    return WrongSquare()(x)


def test_gradient_check_catches_a_wrong_backward_and_shows_everything():
    x = np.array([1.0, 2.0])
    with pytest.raises(GradientCheckError) as info:
        gradient_check(wrong_square, x)
    message = str(info.value)
    assert "wrong_square" in message
    assert "input:" in message and "[1. 2.]" in message
    assert "numerical:" in message and "[2. 4.]" in message
    assert "analytic:" in message and "[3. 6.]" in message
    assert "max |diff|" in message
    assert isinstance(info.value, AssertionError)  # a failed check reads as a test failure


def test_gradient_check_names_the_failing_input():
    class BadSecond(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, gy):
            a, b = self.inputs
            return gy * b, gy * b

    with pytest.raises(GradientCheckError, match="input 1"):
        gradient_check(lambda a, b: BadSecond()(a, b), np.array(2.0), np.array(5.0))


def test_gradient_check_with_several_outputs():
    assert gradient_check(lambda x: [x * 2.0, F.sin(x)], np.array([0.1, 0.2]))


@pytest.mark.parametrize("f, point, value, grads", [
    (sphere, (1.0, 1.0), 2.0, (2.0, 2.0)),
    (matyas, (1.0, 1.0), 0.26 * 2.0 - 0.48, (0.040000000000000036, 0.040000000000000036)),
    (goldstein, (1.0, 1.0), 1876.0, (-5376.0, 8064.0)),
    (rosenbrock, (0.0, 2.0), 401.0, (-2.0, 400.0)),
])
def test_benchmark_functions_values_and_grads(f, point, value, grads):
    x, y = (Variable(np.array(p)) for p in point)
    z = f(x, y)
    z.backward()
    assert z.data == value
    assert (x.grad.data, y.grad.data) == grads
    assert gradient_check(f, np.array(point[0] + 0.1), np.array(point[1] - 0.2), rtol=1e-5)


def test_an_extra_argument_gets_a_hint_to_use_a_lambda():
    if not hasattr(Exception, "add_note"):
        pytest.skip("exception notes are Python 3.11+")

    x = np.random.default_rng(0).normal(size=(2, 3))
    t = np.array([0, 2])
    with pytest.raises(Exception) as info:
        gradient_check(F.softmax_cross_entropy, x, t)
    assert any("through a lambda" in note for note in getattr(info.value, "__notes__", []))
    assert gradient_check(lambda v: F.softmax_cross_entropy(v, t), x)
