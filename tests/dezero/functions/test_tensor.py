"""reshape, transpose, sum, sum_to, broadcast_to, expand_dims, flatten."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check


@pytest.mark.parametrize("shape, new", [((), (1, 1)), ((6,), (2, 3)), ((2, 3), (3, 2)),
                                        ((2, 3, 4), (4, -1))])
def test_reshape(rng, weighted, shape, new):
    x = rng.standard_normal(shape)
    y = F.reshape(x, new)
    np.testing.assert_array_equal(y.data, x.reshape(new))
    assert gradient_check(weighted(lambda v: F.reshape(v, new), y.shape), x)


def test_variable_reshape_and_transpose_spellings(rng):
    x = Variable(rng.standard_normal((2, 3, 4)))
    assert x.reshape(4, 6).shape == x.reshape((4, 6)).shape == (4, 6)
    assert x.transpose(2, 0, 1).shape == x.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert x.T.shape == x.transpose().shape == (4, 3, 2)


@pytest.mark.parametrize("shape, axes", [((), None), ((3,), None), ((2, 3), None),
                                         ((2, 3, 4), (1, 2, 0)), ((2, 3, 4), (-1, 0, 1))])
def test_transpose(rng, weighted, shape, axes):
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(F.transpose(x, axes).data, np.transpose(x, axes))
    out_shape = np.transpose(x, axes).shape
    assert gradient_check(weighted(lambda v: F.transpose(v, axes), out_shape), x)


@pytest.mark.parametrize("shape, axis, keepdims", [
    ((), None, False), ((4,), None, False), ((4,), 0, True), ((2, 3), 0, False),
    ((2, 3), 1, True), ((2, 3, 4), (0, 2), False), ((2, 3, 4), -1, False),
])
def test_sum(rng, weighted, shape, axis, keepdims):
    x = rng.standard_normal(shape)
    y = F.sum(x, axis, keepdims)
    np.testing.assert_allclose(y.data, x.sum(axis=axis, keepdims=keepdims))
    assert gradient_check(weighted(lambda v: F.sum(v, axis, keepdims), y.shape), x)


@pytest.mark.parametrize("shape, target", [((2, 3), (3,)), ((2, 3), (1, 3)), ((2, 3), (2, 1)),
                                           ((2, 3), ()), ((4, 2, 3), (2, 1))])
def test_sum_to_and_broadcast_to_are_adjoint(rng, weighted, shape, target):
    x = rng.standard_normal(shape)
    y = F.sum_to(x, target)
    np.testing.assert_allclose(F.broadcast_to(y, shape).data, np.broadcast_to(y.data, shape))
    expect = x.sum(axis=tuple(range(len(shape) - len(target))))
    expect = expect.sum(axis=tuple(i for i, s in enumerate(target) if s == 1), keepdims=True)
    np.testing.assert_allclose(y.data, expect.reshape(target))
    assert gradient_check(weighted(lambda v: F.sum_to(v, target), target), x)
    small = rng.standard_normal(target)
    assert gradient_check(weighted(lambda v: F.broadcast_to(v, shape), shape), small)


def test_same_shape_is_a_no_op(rng):
    x = Variable(rng.standard_normal((2, 3)))
    assert F.reshape(x, (2, 3)) is x and F.sum_to(x, (2, 3)) is x and F.broadcast_to(x, (2, 3)) is x


@pytest.mark.parametrize("shape, axis", [((), 0), ((3,), 0), ((3,), 1), ((3,), -1), ((2, 3), 1)])
def test_expand_dims(rng, weighted, shape, axis):
    x = rng.standard_normal(shape)
    y = F.expand_dims(x, axis)
    np.testing.assert_array_equal(y.data, np.expand_dims(x, axis))
    assert gradient_check(weighted(lambda v: F.expand_dims(v, axis), y.shape), x)


def test_expand_dims_rejects_bad_axis():
    with pytest.raises(ValueError, match="out of range"):
        F.expand_dims(np.ones(3), 3)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4)])
def test_flatten(rng, weighted, shape):
    x = rng.standard_normal(shape)
    y = F.flatten(x)
    np.testing.assert_array_equal(y.data, x.reshape(shape[0], -1))
    assert gradient_check(weighted(F.flatten, y.shape), x)


def test_flatten_needs_a_batch_axis():
    with pytest.raises(ValueError, match="0-d"):
        F.flatten(np.array(1.0))


def test_shape_functions_match_torch(rng, torch_oracle, torch):
    x = rng.standard_normal((2, 3, 4))
    torch_oracle(lambda v: F.sum(F.transpose(v, (2, 0, 1)), axis=1),
                 lambda t: t.permute(2, 0, 1).sum(1), x)
    torch_oracle(lambda v: F.broadcast_to(F.reshape(v, (1, 24)), (3, 24)),
                 lambda t: t.reshape(1, 24).expand(3, 24), x)
