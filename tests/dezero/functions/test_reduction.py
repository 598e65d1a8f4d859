"""mean/average, max, min."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

AXES = [((), None, False), ((5,), None, False), ((5,), 0, True), ((3, 4), 1, False),
        ((3, 4), 0, True), ((2, 3, 4), (0, 2), False), ((2, 3, 4), -1, True)]


@pytest.mark.parametrize("shape, axis, keepdims", AXES)
def test_mean(rng, weighted, shape, axis, keepdims):
    x = rng.standard_normal(shape)
    y = F.mean(x, axis, keepdims)
    np.testing.assert_allclose(y.data, x.mean(axis=axis, keepdims=keepdims))
    assert F.average is F.mean
    assert gradient_check(weighted(lambda v: F.mean(v, axis, keepdims), y.shape), x)


def test_mean_keeps_float32():
    assert F.mean(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("shape, axis, keepdims", AXES)
def test_max_min(rng, weighted, name, shape, axis, keepdims):
    x = rng.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape)  # no ties
    y = getattr(F, name)(x, axis, keepdims)
    np.testing.assert_array_equal(y.data, getattr(x, name)(axis=axis, keepdims=keepdims))
    assert gradient_check(weighted(lambda v: getattr(F, name)(v, axis, keepdims), y.shape), x)
    v = Variable(x)
    np.testing.assert_array_equal(getattr(v, name)(axis, keepdims).data, y.data)  # method form


def test_max_grad_goes_to_the_argmax_and_ties_share_it():
    x = Variable(np.array([[1.0, 5.0, 2.0], [3.0, 3.0, 0.0]]))
    F.sum(F.max(x, axis=1) * np.array([1.0, 10.0])).backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [5, 5, 0]])


@pytest.mark.parametrize("name, tname", [("max", "amax"), ("min", "amin")])
def test_max_min_match_torch(torch_oracle, torch, name, tname):
    x = np.array([[1.0, 4.0, 4.0], [-2.0, 0.5, -2.0]])  # ties split evenly, like amax/amin
    torch_oracle(lambda v: getattr(F, name)(v, axis=1), lambda t: getattr(torch, tname)(t, 1), x)
    torch_oracle(lambda v: getattr(F, name)(v), lambda t: getattr(torch, tname)(t), x)


def test_mean_matches_torch(rng, torch_oracle):
    torch_oracle(lambda v: F.mean(v, axis=0), lambda t: t.mean(0), rng.standard_normal((3, 2)))
