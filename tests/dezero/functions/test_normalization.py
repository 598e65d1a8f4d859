"""batch_norm: batch statistics and running averages in train mode, the averages in test mode."""
import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Variable, gradient_check

SHAPES = [(4, 3), (2, 3, 2, 2)]


def _params(rng, c):
    return rng.standard_normal(c), rng.standard_normal(c)


def _channel_axes(x):
    return (0,) if x.ndim == 2 else (0, 2, 3)


def _bcast(a, x):
    return a if x.ndim == 2 else a.reshape(1, -1, 1, 1)


@pytest.mark.parametrize("shape", SHAPES)
def test_train_mode_normalises_with_batch_statistics(rng, shape):
    x = rng.standard_normal(shape) * 3 + 1
    gamma, beta = _params(rng, shape[1])
    mean, var = np.zeros(shape[1]), np.ones(shape[1])
    y = F.batch_norm(x, gamma, beta, mean, var, decay=0.9, eps=2e-5)
    ax = _channel_axes(x)
    mu, sigma2 = x.mean(axis=ax), x.var(axis=ax)
    expect = (x - _bcast(mu, x)) / np.sqrt(_bcast(sigma2, x) + 2e-5) * _bcast(gamma, x)
    np.testing.assert_allclose(y.data, expect + _bcast(beta, x))
    m = x.size // shape[1]
    np.testing.assert_allclose(mean, 0.1 * mu)
    np.testing.assert_allclose(var, 0.9 + 0.1 * sigma2 * m / (m - 1))  # unbiased running var


@pytest.mark.parametrize("shape", SHAPES)
def test_test_mode_uses_running_statistics(rng, shape):
    x = rng.standard_normal(shape)
    gamma, beta = _params(rng, shape[1])
    mean, var = rng.standard_normal(shape[1]), rng.uniform(0.5, 2, shape[1])
    before = mean.copy(), var.copy()
    with dezero.test_mode():
        y = F.batch_norm(x, gamma, beta, mean, var)
    expect = (x - _bcast(mean, x)) / np.sqrt(_bcast(var, x) + 2e-5) * _bcast(gamma, x)
    np.testing.assert_allclose(y.data, expect + _bcast(beta, x))
    np.testing.assert_array_equal(mean, before[0])  # not updated in test mode
    np.testing.assert_array_equal(var, before[1])


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_gradient(rng, weighted, shape, train):
    x = rng.standard_normal(shape)
    gamma, beta = _params(rng, shape[1])
    mean, var = rng.standard_normal(shape[1]), rng.uniform(0.5, 2, shape[1])

    def f(x, g, b):
        return F.batch_norm(x, g, b, mean.copy(), var.copy())

    with dezero.using_config("train", train):
        assert gradient_check(weighted(f, shape), x, gamma, beta)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_matches_torch(rng, torch_oracle, torch, shape, train):
    x = rng.standard_normal(shape)
    gamma, beta = _params(rng, shape[1])
    mean, var = rng.standard_normal(shape[1]), rng.uniform(0.5, 2, shape[1])
    rm, rv = torch.tensor(mean), torch.tensor(var)
    with dezero.using_config("train", train):
        torch_oracle(
            lambda x, g, b: F.batch_norm(x, g, b, mean, var, decay=0.9, eps=1e-5),
            lambda x, g, b: torch.nn.functional.batch_norm(
                x, rm, rv, g, b, training=train, momentum=0.1, eps=1e-5),
            x, gamma, beta)
    np.testing.assert_allclose(mean, rm.numpy())
    np.testing.assert_allclose(var, rv.numpy())


def test_running_stats_given_as_variables_are_updated(rng):
    mean, var = Variable(np.zeros(2)), Variable(np.ones(2))
    F.batch_norm(rng.standard_normal((3, 2)) + 5, np.ones(2), np.zeros(2), mean, var)
    assert np.all(mean.data > 0.3)


def test_rejects_other_layouts():
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, H, W\)"):
        F.batch_norm(np.ones((2, 3, 4)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_second_derivative_matches_torch(rng, second_order_oracle, torch, shape, train):
    mean, var = rng.standard_normal(shape[1]), rng.uniform(0.5, 2, shape[1])

    def fd(x, g, b):
        with dezero.using_config("train", train):
            return F.batch_norm(x, g, b, mean.copy(), var.copy(), eps=1e-5) ** 2

    def ft(x, g, b):
        y = torch.nn.functional.batch_norm(x, torch.tensor(mean), torch.tensor(var), g, b,
                                           training=train, eps=1e-5)
        return y**2

    c = shape[1]
    second_order_oracle(fd, ft, rng.standard_normal(shape), rng.standard_normal(c),
                        rng.standard_normal(c), rtol=1e-5, atol=1e-7)
