"""Step 40: every arithmetic operator sums its grads back over broadcast axes."""
import operator

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

OPS = [operator.add, operator.sub, operator.mul, operator.truediv]
PAIRS = [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 3), (2, 1)),
         ((2, 1, 3), (4, 1)), ((1,), (2, 2))]


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.__name__)
@pytest.mark.parametrize("s0, s1", PAIRS)
def test_broadcast_binary_ops(rng, weighted, op, s0, s1):
    a, b = _positive(rng, s0), _positive(rng, s1)
    out_shape = np.broadcast_shapes(s0, s1)
    y = op(Variable(a), Variable(b))
    np.testing.assert_allclose(y.data, op(a, b))
    assert gradient_check(weighted(op, out_shape), a, b)


@pytest.mark.parametrize("s0, s1", PAIRS)
def test_broadcast_pow_with_variable_exponent(rng, weighted, s0, s1):
    a, b = _positive(rng, s0), _positive(rng, s1)
    assert gradient_check(weighted(lambda x, c: x**c, np.broadcast_shapes(s0, s1)), a, b)


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.__name__)
def test_variable_with_plain_array_operand(rng, op):
    # Only the Variable gets a grad; it has its own shape although the array broadcast it.
    x = Variable(_positive(rng, (3,)))
    c = _positive(rng, (2, 3))
    F.sum(op(x, c)).backward()
    F.sum(op(c, x)).backward()
    assert x.grad.shape == (3,)


@pytest.mark.parametrize("op", OPS + [operator.pow], ids=lambda o: o.__name__)
def test_broadcast_matches_torch(rng, torch_oracle, second_order_oracle, op):
    a, b = _positive(rng, (2, 1, 3)), _positive(rng, (4, 1))
    torch_oracle(op, op, a, b)
    second_order_oracle(op, op, a, b)


def test_scalar_operands_keep_the_variable_dtype():
    x = Variable(np.ones(3, dtype=np.float32))
    for y in (x + 1, 1 - x, x * 2.0, 2.0 / x, x**2):
        assert y.dtype == np.float32
