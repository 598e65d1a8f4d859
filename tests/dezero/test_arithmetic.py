"""Operators of steps 20-22 and 40: forward against NumPy, backward by
gradient_check and (where installed) PyTorch, first and second derivatives."""
import operator

import numpy as np
import pytest

import dezero
from dezero import Variable, gradient_check

# (x0 shape, x1 shape): 0-d, vectors, matrices and broadcasting both ways.
SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)),
          ((2, 3), ()), ((), (2, 3)), ((2, 1), (1, 3))]
BINARY = [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
          ("truediv", operator.truediv), ("pow", operator.pow)]


def _inputs(rng, s0, s1):
    # Positive and away from 0: division and x ** y (log x in its grad) are defined.
    return rng.uniform(0.5, 2.0, size=s0), rng.uniform(0.5, 2.0, size=s1)


@pytest.mark.parametrize("s0, s1", SHAPES)
@pytest.mark.parametrize("name, op", BINARY)
def test_binary_forward_and_gradient_check(rng, name, op, s0, s1):
    a, b = _inputs(rng, s0, s1)
    y = op(Variable(a), Variable(b))
    np.testing.assert_allclose(y.data, op(a, b))
    assert y.shape == np.broadcast(a, b).shape
    assert gradient_check(op, a, b)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("name, op", BINARY)
def test_with_constants_on_either_side(rng, name, op, shape):
    """Variable with ndarray, float and int on either side, ndarray on the left included."""
    a = rng.uniform(0.5, 2.0, size=shape)
    arr = rng.uniform(0.5, 2.0, size=shape)
    for const in (arr, 2.0, 3):
        left = op(Variable(a), const)
        right = op(const, Variable(a))
        assert isinstance(left, Variable) and isinstance(right, Variable)
        np.testing.assert_allclose(left.data, op(a, const))
        np.testing.assert_allclose(right.data, op(const, a))
        assert gradient_check(lambda x: op(x, const), a)
        assert gradient_check(lambda x: op(const, x), a)


def test_ndarray_on_the_left_returns_a_variable():
    x = Variable(np.array([1.0, 2.0]))
    y = np.array([3.0, 4.0]) + x
    assert isinstance(y, Variable)
    y = np.array(2.0) * x
    assert isinstance(y, Variable)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_neg_and_pow_constant(rng, shape):
    a = rng.uniform(0.5, 2.0, size=shape)
    np.testing.assert_allclose((-Variable(a)).data, -a)
    np.testing.assert_allclose((Variable(a) ** 3).data, a**3)
    assert gradient_check(operator.neg, a)
    assert gradient_check(lambda x: x**3, a)
    assert gradient_check(lambda x: x**0.5, a)
    assert gradient_check(lambda x: x ** np.array(2.5), a)  # 0-d array exponent: constant


def test_book_step_20_numbers():
    a, b, c = Variable(np.array(3.0)), Variable(np.array(2.0)), Variable(np.array(1.0))
    y = a * b + c
    y.backward()
    assert y.data == 7.0 and a.grad.data == 2.0 and b.grad.data == 3.0


def test_int_constant_keeps_float32():
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    assert (x * 2).dtype == np.float32
    assert (2.0 - x).dtype == np.float32
    assert (x / 3).dtype == np.float32


def test_broadcast_grad_has_input_shape():
    x0 = Variable(np.array([1.0, 2.0, 3.0]))
    x1 = Variable(np.array([10.0]))
    y = x0 + x1
    y.backward()
    assert x1.grad.shape == (1,) and x1.grad.data[0] == 3.0


def _torch_pairs(torch):
    return {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
            "truediv": operator.truediv, "pow": lambda a, b: a**b}


@pytest.mark.parametrize("s0, s1", SHAPES)
@pytest.mark.parametrize("name, op", BINARY)
def test_against_torch_first_and_second_derivatives(rng, name, op, s0, s1):
    torch = pytest.importorskip("torch")
    a, b = _inputs(rng, s0, s1)
    xs = [Variable(a.copy()), Variable(b.copy())]
    ts = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    y, yt = op(*xs), _torch_pairs(torch)[name](*ts)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
    u = rng.standard_normal(y.shape)
    gs = dezero.grad(y, xs, grad_outputs=Variable(u), create_graph=True)
    gts = torch.autograd.grad(yt, ts, grad_outputs=torch.tensor(u), create_graph=True)
    for g, gt in zip(gs, gts):
        np.testing.assert_allclose(g.data, gt.detach().numpy(), rtol=1e-10)
    # Differentiate the first grads again: a random projection of them.
    vs = [rng.standard_normal(a.shape), rng.standard_normal(b.shape)]
    z = dezero.functions.sum(gs[0] * vs[0]) + dezero.functions.sum(gs[1] * vs[1])
    zt = (gts[0] * torch.tensor(vs[0])).sum() + (gts[1] * torch.tensor(vs[1])).sum()
    ggs = dezero.grad(z, xs)
    ggts = (torch.autograd.grad(zt, ts, allow_unused=True) if zt.requires_grad
            else (None, None))
    for gg, ggt, arr in zip(ggs, ggts, (a, b)):
        expect = np.zeros(arr.shape) if ggt is None else ggt.numpy()
        np.testing.assert_allclose(gg.data, expect, rtol=1e-9, atol=1e-12)


def test_wrong_operand_type_fails_clearly():
    x = Variable(np.array(1.0))
    for bad in ("a", None, {"k": 1}):
        with pytest.raises(TypeError, match="cannot be combined with"):
            x + bad
        with pytest.raises(TypeError, match="cannot be combined with"):
            bad * x
