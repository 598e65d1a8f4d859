"""pooling (max) and average_pooling against PyTorch."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

# (x shape, kernel, stride, pad); torch needs pad <= kernel / 2
CONFIGS = [((1, 1, 4, 4), 2, 2, 0), ((2, 2, 5, 5), 3, 2, 1), ((1, 2, 4, 5), (2, 3), 1, (1, 1))]


def _distinct(rng, shape):
    # distinct values keep the argmax stable under gradient_check's tiny nudges
    return rng.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape) / 7 - 2


@pytest.mark.parametrize("xs, k, s, p", CONFIGS)
def test_max_pooling_matches_torch(rng, torch_oracle, torch, weighted, xs, k, s, p):
    x = _distinct(rng, xs)
    y = torch_oracle(lambda v: F.pooling(v, k, s, p),
                     lambda t: torch.nn.functional.max_pool2d(t, k, s, p), x)
    assert gradient_check(weighted(lambda v: F.pooling(v, k, s, p), y.shape), x)


def test_max_pooling_pads_with_minus_infinity():
    x = -np.ones((1, 1, 2, 2))
    y = F.pooling(x, 2, stride=2, pad=1)
    np.testing.assert_array_equal(y.data, -np.ones((1, 1, 2, 2)))  # the book gives 0 here


def test_max_pooling_grad_goes_to_the_max():
    x = Variable(np.array([[[[1.0, 3.0], [2.0, 0.0]]]]))
    F.sum(F.pooling(x, 2, 2)).backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0, 1], [0, 0]]]])


def test_max_pooling_second_derivative_matches_torch(rng, second_order_oracle, torch):
    x = _distinct(rng, (1, 2, 4, 4)) / 5
    second_order_oracle(lambda v: F.tanh(F.pooling(v, 2, 2)) ** 2,
                        lambda t: torch.nn.functional.max_pool2d(t, 2, 2).tanh() ** 2, x)


@pytest.mark.parametrize("xs, k, s, p", CONFIGS)
def test_average_pooling_matches_torch(rng, torch_oracle, torch, weighted, xs, k, s, p):
    x = rng.standard_normal(xs)
    y = torch_oracle(lambda v: F.average_pooling(v, k, s, p),
                     lambda t: torch.nn.functional.avg_pool2d(t, k, s, p), x)
    assert gradient_check(weighted(lambda v: F.average_pooling(v, k, s, p), y.shape), x)


def test_average_pooling_second_derivative_matches_torch(rng, second_order_oracle, torch):
    second_order_oracle(lambda v: F.average_pooling(v, (2, 3), 1) ** 3,
                        lambda t: torch.nn.functional.avg_pool2d(t, (2, 3), 1) ** 3,
                        rng.standard_normal((1, 1, 3, 4)))


def test_pooling_needs_images():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        F.pooling(np.ones((4, 4)), 2)


@pytest.mark.parametrize("xs, k, s, p", CONFIGS[:2])
def test_pooling_simple_equals_pooling_without_negative_padding(rng, weighted, xs, k, s, p):
    x = _distinct(rng, xs) + 10  # positive, so the book's zero padding cannot win
    y = F.pooling_simple(x, k, s, p)
    np.testing.assert_array_equal(y.data, F.pooling(x, k, s, p).data)
    assert gradient_check(weighted(lambda v: F.pooling_simple(v, k, s, p), y.shape), x)
