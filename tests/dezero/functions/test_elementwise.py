"""square exp log sin cos tanh clip: numpy, gradient_check, torch, second derivatives."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

SHAPES = [(), (4,), (2, 3)]
FUNCS = [("square", np.square, lambda t: t**2), ("exp", np.exp, lambda t: t.exp()),
         ("log", np.log, lambda t: t.log()), ("sin", np.sin, lambda t: t.sin()),
         ("cos", np.cos, lambda t: t.cos()), ("tanh", np.tanh, lambda t: t.tanh())]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name, ref, tf", FUNCS)
def test_elementwise(rng, torch_oracle, second_order_oracle, shape, name, ref, tf):
    x = rng.uniform(0.5, 2.0, size=shape)  # positive: log is defined
    f = getattr(F, name)
    np.testing.assert_allclose(f(x).data, ref(x))
    assert gradient_check(f, x)
    torch_oracle(f, tf, x)
    second_order_oracle(f, tf, x)


def test_tanh_third_derivative():
    # d3/dx3 tanh = -2 (1 - t^2)(1 - 3 t^2) with t = tanh(x)
    x = Variable(np.array(0.7))
    y = F.tanh(x)
    g = x
    for _ in range(3):
        y.backward(create_graph=True)
        g, y = x.grad, x.grad
        x.cleargrad()
    t = np.tanh(0.7)
    np.testing.assert_allclose(g.data, -2 * (1 - t**2) * (1 - 3 * t**2))


@pytest.mark.parametrize("shape", SHAPES)
def test_clip(rng, shape):
    x = rng.uniform(-2, 2, size=shape)
    x = np.where(np.abs(np.abs(x) - 1) < 0.05, 0.0, x)  # off the edges, for central differences
    np.testing.assert_array_equal(F.clip(x, -1, 1).data, np.clip(x, -1, 1))
    assert gradient_check(lambda v: F.clip(v, -1.0, 1.0), x)


def test_clip_grad_only_inside():
    x = Variable(np.array([-3.0, -1.0, 0.2, 1.0, 3.0]))
    F.sum(F.clip(x, -1.0, 1.0)).backward()
    np.testing.assert_array_equal(x.grad.data, [0, 1, 1, 1, 0])  # bounds count as inside


def test_clip_matches_torch(rng, torch_oracle, torch):
    x = np.array([-1.5, -0.3, 0.4, 2.2])
    torch_oracle(lambda v: F.clip(v, -1.0, 1.0), lambda t: torch.clamp(t, -1.0, 1.0), x)


def test_clip_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="x_min <= x_max"):
        F.clip(np.ones(2), 1.0, 0.0)
