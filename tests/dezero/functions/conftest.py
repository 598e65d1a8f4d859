"""Oracles shared by the function tests: PyTorch forward/backward and second derivatives."""
import numpy as np
import pytest

import dezero
from dezero import Variable


def _to_numpy(t):
    return t.detach().cpu().numpy()


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def torch_oracle(torch):
    """check(f_dezero, f_torch, *arrays, wrt=None): same forward, same vector-Jacobian product.

    `wrt` lists the positions of differentiable inputs (default: the float ones).
    Returns the dezero output so a test can assert more.
    """

    def check(f_dezero, f_torch, *arrays, wrt=None, rtol=1e-6, atol=1e-8, seed=0):
        arrays = [np.asarray(a) for a in arrays]
        if wrt is None:
            wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
        xs = [Variable(a.copy()) for a in arrays]
        ts = [torch.tensor(a, requires_grad=i in wrt) for i, a in enumerate(arrays)]
        y = f_dezero(*xs)
        yt = f_torch(*ts)
        np.testing.assert_allclose(y.data, _to_numpy(yt), rtol=rtol, atol=atol)
        gy = np.random.default_rng(seed).standard_normal(y.shape)
        gs = dezero.grad(y, [xs[i] for i in wrt], grad_outputs=Variable(gy))
        gts = torch.autograd.grad(yt, [ts[i] for i in wrt], grad_outputs=torch.tensor(gy))
        for i, g, gt in zip(wrt, gs, gts):
            np.testing.assert_allclose(
                g.data, _to_numpy(gt), rtol=rtol, atol=atol, err_msg=f"grad of input {i}"
            )
        return y

    return check


@pytest.fixture
def second_order_oracle(torch):
    """check(f_dezero, f_torch, *arrays): grad of (grad(y . u) . v) agrees with torch's.

    Both frameworks build the first grad with create_graph=True and
    differentiate it again, so this checks every backward is itself differentiable.
    """

    def check(f_dezero, f_torch, *arrays, rtol=1e-6, atol=1e-8, seed=1):
        rng = np.random.default_rng(seed)
        arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
        xs = [Variable(a.copy()) for a in arrays]
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        y, yt = f_dezero(*xs), f_torch(*ts)
        u = rng.standard_normal(y.shape)
        vs = [rng.standard_normal(a.shape) for a in arrays]
        gs = dezero.grad(y, xs, grad_outputs=Variable(u), create_graph=True)
        gts = torch.autograd.grad(yt, ts, grad_outputs=torch.tensor(u), create_graph=True)
        z = None
        for g, v in zip(gs, vs):
            term = dezero.functions.sum(g * v)
            z = term if z is None else z + term
        zt = sum((gt * torch.tensor(v)).sum() for gt, v in zip(gts, vs))
        np.testing.assert_allclose(z.data, _to_numpy(zt), rtol=rtol, atol=atol)
        ggs = dezero.grad(z, xs)
        if zt.requires_grad:
            ggts = torch.autograd.grad(zt, ts, allow_unused=True)
        else:  # the first grad is constant (e.g. of x + y): every 2nd grad is zero
            ggts = [None] * len(ts)
        for i, (gg, ggt) in enumerate(zip(ggs, ggts)):
            expect = np.zeros(arrays[i].shape) if ggt is None else _to_numpy(ggt)
            np.testing.assert_allclose(
                gg.data, expect, rtol=rtol, atol=atol, err_msg=f"2nd grad of input {i}"
            )

    return check


def _weighted(f, shape, seed=2):
    w = np.random.default_rng(seed).standard_normal(shape)
    return lambda *xs: f(*xs) * w


@pytest.fixture
def weighted():
    """weighted(f, shape): f(...) * w for a fixed random w.

    gradient_check differentiates sum(f(...)), which is blind to f for
    functions whose outputs sum to a constant (softmax); the weights fix that.
    """
    return _weighted
