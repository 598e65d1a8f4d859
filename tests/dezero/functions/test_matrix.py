"""matmul, linear, linear_simple and the @ operator."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((1, 1), (1, 1)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((4,), (4,)),
    ((2, 2, 3), (3, 2)),  # batched left operand, shared W
    ((2, 1, 2, 3), (3, 3, 2)),  # leading axes broadcast both ways
]


@pytest.mark.parametrize("xs, ws", MATMUL_SHAPES)
def test_matmul_forward_and_gradient(rng, xs, ws):
    x, W = rng.standard_normal(xs), rng.standard_normal(ws)
    y = F.matmul(x, W)
    np.testing.assert_allclose(y.data, np.matmul(x, W))
    assert gradient_check(F.matmul, x, W)


@pytest.mark.parametrize("xs, ws", MATMUL_SHAPES)
def test_matmul_matches_torch(rng, torch_oracle, torch, xs, ws):
    torch_oracle(F.matmul, torch.matmul, rng.standard_normal(xs), rng.standard_normal(ws))


def test_matmul_second_derivative_matches_torch(rng, second_order_oracle, torch):
    # y = tanh(x @ W) @ W2: the 2nd derivative goes through MatMul's own backward.
    def fd(x, W, W2):
        return F.matmul(F.tanh(F.matmul(x, W)), W2)

    def ft(x, W, W2):
        return torch.tanh(x @ W) @ W2

    second_order_oracle(fd, ft, *(rng.standard_normal(s) for s in [(2, 3), (3, 4), (4, 2)]))


def test_matmul_operator():
    a = Variable(np.arange(6.0).reshape(2, 3))
    b = np.ones((3, 2))
    np.testing.assert_allclose((a @ b).data, a.data @ b)
    c = np.ones((4, 2))
    np.testing.assert_allclose((c @ a).data, c @ a.data)


def test_matmul_rejects_scalars():
    with pytest.raises(ValueError, match="at least one dimension"):
        F.matmul(np.array(2.0), np.ones((2, 2)))


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_forward_and_gradient(rng, with_bias):
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    if with_bias:
        np.testing.assert_allclose(F.linear(x, W, b).data, x @ W + b)
        assert gradient_check(F.linear, x, W, b)
    else:
        np.testing.assert_allclose(F.linear(x, W).data, x @ W)
        assert gradient_check(F.linear, x, W)
    assert len(F.linear(x, W, b if with_bias else None).creator.inputs) == (3 if with_bias else 2)


def test_linear_matches_torch(rng, torch_oracle, torch):
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    # torch stores W as (out, in)
    torch_oracle(F.linear, lambda x, W, b: torch.nn.functional.linear(x, W.T, b), x, W, b)


def test_linear_second_derivative_matches_torch(rng, second_order_oracle, torch):
    def fd(x, W, b):
        return F.tanh(F.linear(x, W, b))

    def ft(x, W, b):
        return torch.tanh(x @ W + b)

    second_order_oracle(fd, ft, *(rng.standard_normal(s) for s in [(3, 2), (2, 2), (2,)]))


def test_linear_simple_equals_linear_and_frees_t(rng):
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    y = F.linear_simple(x, W, b)
    np.testing.assert_allclose(y.data, F.linear(x, W, b).data)
    assert y.creator.inputs[0].data is None  # t's data was freed, as in the book
    assert gradient_check(F.linear_simple, x, W, b)


def test_linear_rejects_non_matrix_input():
    with pytest.raises(ValueError, match="reshape x first"):
        F.linear(np.ones((2, 2, 3)), np.ones((3, 2)))
