"""Higher-order derivatives (steps 32-36) and the book's step-34 defect."""
import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Variable


def test_step34_loop_on_a_linear_function_with_grad_gives_1_0_0():
    """y = z * x: the 2nd derivative's graph never reaches x. dezero.grad
    returns zeros there, so the higher-derivative loop gives 1, 0, 0."""
    x = Variable(np.array(2.0))
    z = Variable(np.array(1.0))
    g = z * x
    derivatives = []
    for _ in range(3):
        g = dezero.grad(g, x, create_graph=True)
        derivatives.append(float(g.data))
    assert derivatives == [1.0, 0.0, 0.0]
    assert x.grad is None  # grad() never writes .grad


def test_step34_book_idiom_on_a_linear_function_leaves_grad_none():
    """Why the fix above is needed: the book's loop reads x.grad, which the
    second backward never sets (it stays None and the next step fails)."""
    x = Variable(np.array(2.0))
    z = Variable(np.array(1.0))
    y = z * x
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.data == 1.0
    x.cleargrad()
    gx.backward(create_graph=True)
    assert x.grad is None


def test_step35_tanh_derivatives_match_closed_forms():
    x = Variable(np.array(1.0))
    t = np.tanh(1.0)
    closed = [1 - t**2, -2 * t * (1 - t**2), -2 * (1 - t**2) * (1 - 3 * t**2),
              8 * t * (1 - t**2) * (2 - 3 * t**2)]
    y = F.tanh(x)
    y.backward(create_graph=True)
    got = []
    for _ in range(4):
        gx = x.grad
        got.append(float(gx.data))
        x.cleargrad()
        gx.backward(create_graph=True)
    np.testing.assert_allclose(got, closed, rtol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_tanh_higher_derivatives_against_torch(order):
    torch = pytest.importorskip("torch")
    xs = np.linspace(-2, 2, 7)
    x = Variable(xs.copy())
    y = F.tanh(x)
    t = torch.tensor(xs, requires_grad=True)
    yt = torch.tanh(t)
    g, gt = y, yt
    for _ in range(order):
        g = dezero.grad(F.sum(g), x, create_graph=True)
        gt, = torch.autograd.grad(gt.sum(), t, create_graph=True)
    np.testing.assert_allclose(g.data, gt.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["sin", "cos", "exp", "log", "square"])
def test_third_derivatives_against_torch(name):
    torch = pytest.importorskip("torch")
    xs = np.array([0.3, 0.9, 1.7])
    x = Variable(xs.copy())
    t = torch.tensor(xs, requires_grad=True)
    g, gt = getattr(F, name)(x), getattr(torch, name)(t)
    for _ in range(3):
        g = dezero.grad(F.sum(g), x, create_graph=True)
        gt, = torch.autograd.grad(gt.sum(), t, create_graph=True, allow_unused=True)
        if gt is None:  # torch's graph ended: every further derivative is 0
            gt = torch.zeros_like(t, requires_grad=True)
    np.testing.assert_allclose(g.data, gt.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_step36_double_backprop_with_grad():
    x = Variable(np.array(2.0))
    y = x**2
    gx = dezero.grad(y, x, create_graph=True)
    z = gx**3 + y
    assert dezero.grad(z, x).data == 100.0


def test_create_graph_false_records_no_backward_graph():
    x = Variable(np.array(2.0))
    y = F.sin(x) * x
    y.backward()
    assert x.grad.creator is None
    assert dezero.Config.enable_backprop is True


def test_grad_of_a_grad_with_several_inputs():
    # f = x^2 y^3: d2f/dxdy = 6 x y^2
    x, y = Variable(np.array(1.5)), Variable(np.array(-0.5))
    f = x**2 * y**3
    gx, gy = dezero.grad(f, [x, y], create_graph=True)
    gxy = dezero.grad(gx, y)
    gyx = dezero.grad(gy, x)
    assert gxy.data == pytest.approx(6 * 1.5 * 0.25)
    assert gyx.data == pytest.approx(6 * 1.5 * 0.25)


@pytest.mark.parametrize("c, at, expected", [
    (2, 0.0, [0.0, 2.0, 0.0, 0.0]),
    (3, 0.0, [0.0, 0.0, 6.0, 0.0]),
    (2, 1.5, [3.0, 2.0, 0.0, 0.0]),
])
def test_derivatives_of_a_power_past_its_degree_are_zero_not_nan(c, at, expected):
    # c * x ** (c - 1) reached x ** 0, whose grad was computed as 0 * x ** -1: NaN at 0.
    x = Variable(np.array(at))
    g = x ** c
    got = []
    for _ in range(4):
        g = dezero.grad(g, x, create_graph=True)
        got.append(float(g.data))
    assert got == expected
    torch = pytest.importorskip("torch")
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    tg, oracle = t ** c, []
    for _ in range(4):
        if tg is None or not tg.requires_grad:  # torch's derivative became a constant: the next is 0
            tg = None
            oracle.append(0.0)
            continue
        (tg,) = torch.autograd.grad(tg, t, create_graph=True)
        oracle.append(tg.detach().item())
    assert got == oracle


def test_the_book_idiom_through_sin_times_a_power_has_no_nan_at_zero():
    x = Variable(np.linspace(-1, 1, 5))
    y = F.sin(x) * x ** 2
    y.backward(create_graph=True)
    for _ in range(3):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
    assert np.all(np.isfinite(x.grad.data))
    x0 = 0.0  # d4/dx4 (x^2 sin x) = x^2 sin x - 8x cos x - 12 sin x: 0 at x = 0
    assert float(x.grad.data[2]) == pytest.approx(x0)


def test_x_to_the_zero_has_zero_grad_with_and_without_a_graph():
    for create_graph in (False, True):
        x = Variable(np.array([0.0, 2.0]))
        y = F.sum(x ** 0)
        y.backward(create_graph=create_graph)
        assert x.grad.data.tolist() == [0.0, 0.0]


def test_a_numpy_zero_exponent_has_zero_grad_too():
    x = Variable(np.array(0.0))
    y = x ** np.float64(0)
    y.backward()
    assert float(x.grad.data) == 0.0
