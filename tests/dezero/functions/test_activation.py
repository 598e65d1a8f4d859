"""sigmoid, relu, leaky_relu, softmax, log_softmax: numpy, gradient_check, torch."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

SHAPES = [(), (5,), (2, 3), (2, 3, 2)]


def _away_from_zero(rng, shape):
    # kinks at 0: keep samples off them so central differences are valid
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("f", [F.sigmoid, F.sigmoid_simple])
def test_sigmoid(rng, shape, f):
    x = rng.standard_normal(shape) * 3
    np.testing.assert_allclose(f(x).data, 1 / (1 + np.exp(-x)))
    assert gradient_check(f, x)


def test_sigmoid_is_finite_for_huge_inputs():
    y = F.sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(y.data, [0.0, 1.0])


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_and_leaky_relu(rng, shape):
    x = _away_from_zero(rng, shape)
    np.testing.assert_allclose(F.relu(x).data, np.maximum(x, 0))
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).data, np.where(x > 0, x, 0.1 * x))
    assert gradient_check(F.relu, x)
    assert gradient_check(lambda v: F.leaky_relu(v, 0.1), x)


def test_relu_and_leaky_relu_keep_float32():
    x = np.array([-1.0, 2.0], dtype=np.float32)
    assert F.relu(x).dtype == np.float32
    assert F.leaky_relu(x).dtype == np.float32
    np.testing.assert_allclose(F.leaky_relu(x).data, [-0.2, 2.0])  # book default slope 0.2


@pytest.mark.parametrize("f, ref", [
    (F.softmax, lambda x, a: np.exp(x) / np.exp(x).sum(a, keepdims=True)),
    (F.softmax_simple, lambda x, a: np.exp(x) / np.exp(x).sum(a, keepdims=True)),
    (F.log_softmax, lambda x, a: x - np.log(np.exp(x).sum(a, keepdims=True))),
])
@pytest.mark.parametrize("shape, axis", [((3,), 0), ((2, 4), 1), ((2, 3, 2), 1), ((2, 3), -1)])
def test_softmax_family(rng, weighted, f, ref, shape, axis):
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(f(x, axis=axis).data, ref(x, axis))
    assert gradient_check(weighted(lambda v: f(v, axis=axis), shape), x)


def test_softmax_and_log_softmax_are_stable_for_large_scores():
    x = np.array([[1000.0, 1000.0, -1000.0]])
    np.testing.assert_allclose(F.softmax(x).data, [[0.5, 0.5, 0.0]])
    np.testing.assert_allclose(F.log_softmax(x).data, [[-np.log(2), -np.log(2), -2000 - np.log(2)]])


@pytest.mark.parametrize("name, tf", [
    ("sigmoid", lambda t: t.sigmoid()),
    ("relu", lambda t: t.relu()),
    ("softmax", lambda t: t.softmax(dim=1)),
    ("log_softmax", lambda t: t.log_softmax(dim=1)),
])
def test_matches_torch(rng, torch_oracle, name, tf):
    torch_oracle(getattr(F, name), tf, _away_from_zero(rng, (3, 4)))


def test_leaky_relu_matches_torch(rng, torch_oracle, torch):
    torch_oracle(
        lambda x: F.leaky_relu(x, 0.2),
        lambda x: torch.nn.functional.leaky_relu(x, 0.2),
        _away_from_zero(rng, (3, 4)),
    )


@pytest.mark.parametrize("name, tf", [
    ("sigmoid", lambda t: t.sigmoid()),
    ("sigmoid_simple", lambda t: t.sigmoid()),
    ("tanh", lambda t: t.tanh()),
    ("softmax", lambda t: t.softmax(dim=1)),
    ("log_softmax", lambda t: t.log_softmax(dim=1)),
])
def test_second_derivative_matches_torch(rng, second_order_oracle, name, tf):
    second_order_oracle(getattr(F, name), tf, rng.standard_normal((2, 3)))


def test_sigmoid_backward_when_output_was_dropped(rng):
    x = Variable(rng.standard_normal(3))
    F.sum(F.sigmoid(x) * 1.0).backward()  # the sigmoid output is an unnamed temporary
    s = 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(x.grad.data, s * (1 - s))
