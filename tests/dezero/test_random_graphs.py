"""Property tests: random expression graphs over the whole function set.

Each example is a recipe (random_graphs.py) of up to a few steps drawn from
the op catalogue (random_ops.py, random_ops_nn.py), over shapes from 0-d to
4-d with broadcasting, earlier values reused (fan-out) and multi-output
Functions with an output sometimes dropped. Backward must agree with
numerical gradients (dezero.gradient_check) and with the same graph built in
PyTorch (float64); second derivatives (create_graph=True) are checked the
same way. A failure prints the graph as code (hypothesis `note` and the
assertion message). Counts are in docs/RELIABILITY.md.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings

import dezero
import dezero.functions as F
from dezero import Variable
from dezero.gradcheck import GradientCheckError, gradient_check
from tests.dezero.random_graphs import make_function, recipes, run_torch
from tests.dezero.random_ops_nn import ALL_OPS, FAN_OPS, NN_OPS, TORCH_HELPERS

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


def _scalar(outs):
    total = None
    for o in outs:
        s = F.sum(o)
        total = s if total is None else total + s
    return total


def _describe(recipe):
    for feature in recipe.features():
        event(feature)
    note("graph:\n" + recipe.code())
    return "\n--- graph ---\n" + recipe.code() + "\n--- torch ---\n" + recipe.torch_code()


def _check_numerical(f, xs, where, graph):
    try:
        gradient_check(f, *xs, rtol=1e-4, atol=1e-6)
    except GradientCheckError as exc:
        raise AssertionError(f"{where} disagrees with the numerical gradient: {exc}{graph}") from None


def _close(a, b, what, graph):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: dezero shape {a.shape}, torch {b.shape}{graph}"
    assert np.allclose(a, b, rtol=1e-7, atol=1e-9), (
        f"{what}: dezero {a!r} vs torch {b!r} (max |diff| {np.max(np.abs(a - b))}){graph}")


def check_first_derivatives(recipe):
    graph = _describe(recipe)
    f = make_function(recipe)
    xs = [Variable(a.copy()) for a in recipe.inputs.values()]
    outs = f(*xs)
    total = _scalar(outs)
    total.backward()  # the book's path (Variable.backward), grads into .grad
    grads = [x.grad.data if x.grad is not None else np.zeros_like(x.data) for x in xs]
    _check_numerical(f, list(recipe.inputs.values()), "backprop (dezero.grad)", graph)

    torch = pytest.importorskip("torch")
    txs, touts = run_torch(recipe, torch, TORCH_HELPERS)
    for name, o, t in zip(recipe.outputs, outs, touts):
        _close(o.data, t.detach().numpy(), f"value of {name}", graph)
    tgrads = torch.autograd.grad(sum(t.sum() for t in touts), txs, allow_unused=True)
    for name, g, tg in zip(recipe.inputs, grads, tgrads):
        _close(g, np.zeros_like(g) if tg is None else tg.numpy(), f"grad of {name}", graph)


@settings(max_examples=1000, **SETTINGS)
@given(recipe=recipes(ALL_OPS, min_steps=2, max_steps=8))
def test_first_derivatives_match_numerical_and_torch(recipe):
    check_first_derivatives(recipe)


@settings(max_examples=200, **SETTINGS)
@given(recipe=recipes(FAN_OPS, min_steps=3, max_steps=8))
def test_multi_output_and_fan_out_graphs(recipe):
    check_first_derivatives(recipe)


@settings(max_examples=300, **SETTINGS)
@given(recipe=recipes(NN_OPS, min_steps=2, max_steps=6))
def test_layer_op_graphs(recipe):
    check_first_derivatives(recipe)


def _directions(recipe):
    rng = np.random.default_rng(len(recipe.steps))
    return [np.round(rng.uniform(-1, 1, a.shape), 2) for a in recipe.inputs.values()]


@settings(max_examples=400, **SETTINGS)
@given(recipe=recipes(ALL_OPS, min_steps=1, max_steps=5))
def test_second_derivatives_match_numerical_and_torch(recipe):
    """d/dx of <grad f(x), v> for a fixed direction v: a Hessian-vector product."""
    graph = _describe(recipe)
    f = make_function(recipe)
    vs = _directions(recipe)

    def grad_dot_v(*xs):
        g = dezero.grad(_scalar(f(*xs)), list(xs), create_graph=True)
        return _scalar([gi * v for gi, v in zip(g, vs)])

    _check_numerical(grad_dot_v, list(recipe.inputs.values()), "double backprop", graph)

    torch = pytest.importorskip("torch")
    xs = [Variable(a.copy()) for a in recipe.inputs.values()]
    hv = dezero.grad(grad_dot_v(*xs), xs)
    txs, touts = run_torch(recipe, torch, TORCH_HELPERS)
    tg = torch.autograd.grad(sum(t.sum() for t in touts), txs, create_graph=True, allow_unused=True)
    tdot = sum((g * torch.tensor(v)).sum() for g, v in zip(tg, vs) if g is not None and g.requires_grad)
    if not isinstance(tdot, torch.Tensor):  # f is linear: its Hessian is zero
        thv = [None] * len(txs)
    else:
        thv = torch.autograd.grad(tdot, txs, allow_unused=True)
    for name, h, th in zip(recipe.inputs, hv, thv):
        _close(h.data, np.zeros_like(h.data) if th is None else th.numpy(), f"2nd derivative for {name}",
               graph)


# -- regressions found by the random graphs --------------------------------------
def test_dropout_of_a_0d_variable():
    """F.dropout crashed on a 0-d input ('bool' object has no attribute 'astype'):
    np.random.rand() with an empty shape returns a float, not an array."""
    np.random.seed(0)
    kept = set()
    for _ in range(20):
        x = Variable(np.array(1.5))
        y = F.dropout(x, 0.5)
        y.backward()
        assert float(y.data) in (0.0, 3.0)  # dropped, or kept and scaled by 1 / (1 - 0.5)
        assert float(x.grad.data) == float(y.data) / 1.5
        kept.add(float(y.data))
    assert kept == {0.0, 3.0}
