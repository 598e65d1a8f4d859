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
