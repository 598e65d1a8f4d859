"""The backward fast paths: without create_graph, arithmetic grads and grad
accumulation are computed on raw arrays instead of through Functions. They
must give exactly what the graph-recording path gives (values and dtypes),
and the collector paused during a backward must always be restored."""
import gc

import numpy as np
import pytest

import dezero
from dezero import Function, Variable
from dezero.gradcheck import gradient_check

SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2))]

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "reuse": lambda a, b: a * b + a * a - b / a,  # grads accumulate on a and b
}

UNARY = {
    "neg": lambda a: -a,
    "pow2": lambda a: a**2,
    "pow_int3": lambda a: a**3,
    "pow_float": lambda a: a**1.5,
    "pow_0d_array": lambda a: a ** np.array(2.5),
    "rsub_const": lambda a: 2.0 - a,
    "rdiv_const": lambda a: 3 / a,
    "mul_const": lambda a: a * 0.5 * a,
}


def _grads(f, arrays, create_graph):
    xs = [Variable(a.copy()) for a in arrays]
    y = f(*xs)
    y.backward(create_graph=create_graph)
    return [x.grad for x in xs]


def _assert_same(fast, slow):
    for g_fast, g_slow in zip(fast, slow):
        assert g_fast.creator is None  # no graph without create_graph
        assert type(g_fast.data) is np.ndarray
        assert g_fast.data.dtype == g_slow.data.dtype
        assert g_fast.data.shape == g_slow.data.shape
        np.testing.assert_array_equal(g_fast.data, g_slow.data)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_fast_path_equals_the_graph_path(name, shapes, dtype):
    rng = np.random.default_rng(0)
    arrays = [np.asarray(rng.uniform(0.5, 2.0, s), dtype=dtype) for s in shapes]
    fast = _grads(BINARY[name], arrays, create_graph=False)
    slow = _grads(BINARY[name], arrays, create_graph=True)
    assert any(g.creator is not None for g in slow) or name == "add"  # the other path ran
    _assert_same(fast, slow)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)], ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_fast_path_equals_the_graph_path(name, shape, dtype):
    a = np.asarray(np.random.default_rng(1).uniform(0.5, 2.0, shape), dtype=dtype)
    _assert_same(_grads(UNARY[name], [a], False), _grads(UNARY[name], [a], True))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_fast_path_against_numerical_grads(name):
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0.5, 2.0, (2, 3)), rng.uniform(0.5, 2.0, (3,))
    assert gradient_check(BINARY[name], a, b)


def test_fast_path_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.5, 2.0, (2, 3)), rng.uniform(0.5, 2.0, (3,))

    def f(x, y):
        return (x * y + x**3 - y / x - (-x) ** 2) / 2.0

    xs = [Variable(a), Variable(b)]
    f(*xs).sum().backward()
    ts = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    f(*ts).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


def test_integer_leaf_accumulates_like_the_graph_path():
    x = Variable(np.array([1, 2, 3]))
    y = x * x + x
    y.backward()
    assert x.grad.data.dtype == np.array([1]).dtype
    assert x.grad.data.tolist() == [3, 5, 7]


def test_grad_function_uses_the_fast_accumulation_too():
    x = Variable(np.array(3.0))
    y = x * x * x
    (gx,) = dezero.grad(y, [x])
    assert gx.data == 27.0 and gx.creator is None and x.grad is None


class _Boom(Function):
    def forward(self, x):
        return x

    def backward(self, gy):
        raise KeyError("boom")


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_state_is_restored_after_a_backward_that_raises(enabled):
    was_enabled, threshold = gc.isenabled(), gc.get_threshold()
    try:
        gc.enable() if enabled else gc.disable()
        gc.set_threshold(555, 7, 9)
        y = _Boom()(Variable(np.array(1.0)) * 2.0)
        with pytest.raises(KeyError):
            y.backward()
        assert gc.isenabled() is enabled
        assert gc.get_threshold() == (555, 7, 9)
        y = Variable(np.array(1.0)) * 2.0
        y.backward()  # and after one that succeeds
        assert gc.isenabled() is enabled and gc.get_threshold() == (555, 7, 9)
    finally:
        gc.set_threshold(*threshold)
        gc.enable() if was_enabled else gc.disable()
