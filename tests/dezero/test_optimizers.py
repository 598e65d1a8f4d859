"""dezero.optimizers: first updates by hand, loss decreases, PyTorch as oracle, hooks."""
import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
from dezero import Parameter, Variable, cuda, optimizers
from dezero.models import MLP
from dezero.optimizers import (
    SGD, AdaDelta, AdaGrad, Adam, ClipGrad, FreezeParam, MomentumSGD, WeightDecay,
)

P0 = np.array([1.0, 2.0])
G = np.array([0.5, -1.0])


class Holder(L.Layer):
    """One parameter vector, so a test controls its grad exactly."""

    def __init__(self, data):
        super().__init__()
        self.p = Parameter(np.array(data, dtype=np.float64))


def _step(opt, grad=G, steps=1, holder=None):
    holder = holder or Holder(P0)
    opt.setup(holder)
    for _ in range(steps):
        holder.p.grad = Variable(np.array(grad))
        opt.update()
    return holder.p.data


# ------------------------------------------------------------------ first updates by hand
def test_sgd_first_update():
    np.testing.assert_allclose(_step(SGD(lr=0.1)), [0.95, 2.1])


def test_sgd_default_lr_is_the_books():
    assert SGD().lr == 0.01
    np.testing.assert_allclose(_step(SGD()), [0.995, 2.01])


def test_momentum_sgd_first_and_second_update():
    np.testing.assert_allclose(_step(MomentumSGD(lr=0.1, momentum=0.9)), [0.95, 2.1])
    # v2 = 0.9 * v1 - 0.1 * g = [-0.095, 0.19]
    np.testing.assert_allclose(_step(MomentumSGD(lr=0.1, momentum=0.9), steps=2),
                               [0.855, 2.29])


def test_adagrad_first_update():
    # h = g**2, so the first step is lr * g / |g| = lr * sign(g)
    np.testing.assert_allclose(_step(AdaGrad(lr=0.1)), [0.9, 2.1], rtol=1e-7)
    # second step with the same grad: h = 2 g**2, step lr / sqrt(2)
    np.testing.assert_allclose(_step(AdaGrad(lr=0.1), steps=2),
                               [0.9 - 0.1 / np.sqrt(2), 2.1 + 0.1 / np.sqrt(2)], rtol=1e-7)


def test_adadelta_first_update():
    # msg = 0.05 * g**2 = [0.0125, 0.05]; dx = sqrt(1e-6 / (msg + 1e-6)) * g
    dx = np.sqrt(1e-6 / np.array([0.0125 + 1e-6, 0.05 + 1e-6])) * G
    np.testing.assert_allclose(_step(AdaDelta()), P0 - dx, rtol=1e-12)
    np.testing.assert_allclose(dx, [0.004472, -0.004472], rtol=1e-3)


def test_adam_first_update_is_alpha_times_sign_and_lr_is_bias_corrected():
    opt = Adam(alpha=0.1)
    np.testing.assert_allclose(_step(opt), [0.9, 2.1], rtol=1e-6)
    assert opt.t == 1
    assert opt.lr == pytest.approx(0.1 * np.sqrt(1 - 0.999) / (1 - 0.9))
    opt.t = 2
    assert opt.lr == pytest.approx(0.1 * np.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2))


def test_adam_lr_before_first_update_says_so():
    with pytest.raises(RuntimeError, match="first update"):
        Adam().lr


# ------------------------------------------------------------------ losses decrease
ALL = [
    (SGD, {"lr": 0.1}), (MomentumSGD, {"lr": 0.05}), (AdaGrad, {"lr": 0.3}),
    (AdaDelta, {}), (Adam, {"alpha": 0.05}),
]


@pytest.mark.parametrize("cls, kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_quadratic_loss_decreases(cls, kwargs):
    target = np.array([3.0, -1.0, 0.5])
    holder = Holder(np.zeros(3))
    opt = cls(**kwargs).setup(holder)
    losses = []
    for _ in range(20):
        loss = F.sum((holder.p - target) ** 2)
        holder.cleargrads()
        loss.backward()
        opt.update()
        losses.append(float(loss.data))
    assert losses[-1] < losses[0]
    assert all(b <= a + 1e-12 for a, b in zip(losses[:5], losses[1:6]))


@pytest.mark.parametrize("cls, kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_mlp_loss_decreases(cls, kwargs):
    np.random.seed(0)
    x = np.random.randn(20, 2)
    t = (x[:, :1] * x[:, 1:] > 0).astype(np.float64)
    model = MLP((8, 1))
    opt = cls(**kwargs).setup(model)
    first = None
    for _ in range(30):
        loss = F.mean_squared_error(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        first = float(loss.data) if first is None else first
    assert float(F.mean_squared_error(model(x), t).data) < first


# ------------------------------------------------------------------ PyTorch as oracle
def _torch_pair(name):
    torch = pytest.importorskip("torch")
    table = {
        "SGD": (SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        "MomentumSGD": (MomentumSGD(lr=0.1, momentum=0.9),
                        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        "AdaGrad": (AdaGrad(lr=0.1, eps=1e-8), lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-8)),
        "AdaDelta": (AdaDelta(rho=0.9, eps=1e-6),
                     lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
        "Adam": (Adam(alpha=0.1, eps=1e-12), lambda p: torch.optim.Adam(p, lr=0.1, eps=1e-12)),
    }
    return torch, table[name]


@pytest.mark.parametrize("name", ["SGD", "MomentumSGD", "AdaGrad", "AdaDelta", "Adam"])
def test_trajectory_matches_torch(name, rng):
    torch, (opt, make_torch_opt) = _torch_pair(name)
    A = rng.standard_normal((4, 4))
    A = A @ A.T + np.eye(4)
    start = rng.standard_normal(4)
    holder = Holder(start)
    opt.setup(holder)
    pt = torch.tensor(start, requires_grad=True)
    topt = make_torch_opt([pt])
    At = torch.tensor(A)
    for _ in range(5):
        loss = F.sum(F.matmul(F.reshape(holder.p, (1, 4)), A) * holder.p)
        holder.cleargrads()
        loss.backward()
        opt.update()
        topt.zero_grad()
        (pt @ At @ pt).backward()
        topt.step()
        np.testing.assert_allclose(holder.p.data, pt.detach().numpy(), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ base behaviour
def test_setup_returns_self_and_update_needs_setup():
    opt = SGD()
    with pytest.raises(RuntimeError, match="setup"):
        opt.update()
    holder = Holder(P0)
    assert opt.setup(holder) is opt
    with pytest.raises(TypeError, match="params"):
        SGD().setup(np.zeros(2))


def test_params_without_grad_are_left_alone():
    model = MLP((2, 1))
    model(np.ones((1, 2)))
    model.cleargrads()
    before = [p.data.copy() for p in model.params()]
    SGD(1.0).setup(model).update()
    for b, p in zip(before, model.params()):
        np.testing.assert_array_equal(p.data, b)


def test_update_one_must_be_defined():
    class Mine(optimizers.Optimizer):
        pass

    with pytest.raises(NotImplementedError, match="update_one"):
        _step(Mine())


def test_updates_keep_float32_params_float32():
    for cls, kwargs in ALL:
        holder = Holder(P0)
        holder.p.data = holder.p.data.astype(np.float32)
        _step(cls(**kwargs), holder=holder)
        assert holder.p.dtype == np.float32, cls.__name__


# ------------------------------------------------------------------ hooks
def test_weight_decay_adds_rate_times_param():
    opt = SGD(lr=0.1)
    opt.add_hook(WeightDecay(0.1))
    # g' = g + 0.1 p = [0.6, -0.8]
    np.testing.assert_allclose(_step(opt), [0.94, 2.08])


def test_weight_decay_on_a_grad_shared_by_two_params():
    a, b = Parameter(np.array([1.0])), Parameter(np.array([3.0]))
    layer = L.Layer()
    layer.a, layer.b = a, b
    F.sum(a + b).backward()
    assert a.grad.data is b.grad.data  # backprop hands both the same array
    WeightDecay(0.1)([a, b])
    np.testing.assert_allclose(a.grad.data, [1.1])  # the book's in-place += gives 1.4
    np.testing.assert_allclose(b.grad.data, [1.3])


def test_clip_grad_scales_to_max_norm_only_when_above():
    p, q = Parameter(np.zeros(1)), Parameter(np.zeros(1))
    p.grad, q.grad = Variable(np.array([3.0])), Variable(np.array([4.0]))
    ClipGrad(1.0)([p, q])
    np.testing.assert_allclose([p.grad.data[0], q.grad.data[0]], [0.6, 0.8], rtol=1e-6)
    ClipGrad(10.0)([p, q])
    np.testing.assert_allclose([p.grad.data[0], q.grad.data[0]], [0.6, 0.8], rtol=1e-6)


def test_clip_grad_in_an_optimizer_limits_the_step():
    opt = SGD(lr=1.0)
    opt.add_hook(ClipGrad(0.5))
    new = _step(opt, grad=np.array([30.0, 40.0]))
    np.testing.assert_allclose(P0 - new, [0.3, 0.4], rtol=1e-6)


def test_freeze_param_keeps_a_layer_fixed_and_trains_the_rest():
    np.random.seed(0)
    model = MLP((3, 1))
    x = np.random.randn(4, 2)
    loss = F.sum(model(x))
    loss.backward()
    frozen = [p.data.copy() for p in model.l0.params()]
    trained = [p.data.copy() for p in model.l1.params()]
    opt = SGD(0.1).setup(model)
    opt.add_hook(FreezeParam(model.l0))
    opt.update()  # the book's update crashes on the frozen (grad None) params
    for b, p in zip(frozen, model.l0.params()):
        np.testing.assert_array_equal(p.data, b)
    assert any(not np.array_equal(b, p.data) for b, p in zip(trained, model.l1.params()))


def test_freeze_param_accepts_parameters_and_rejects_others():
    holder = Holder(P0)
    opt = SGD(0.1)
    opt.add_hook(FreezeParam(holder.p))
    np.testing.assert_array_equal(_step(opt, holder=holder), P0)
    with pytest.raises(TypeError, match="Layers or Parameters"):
        FreezeParam(3)


# ------------------------------------------------------------------ GPU
@pytest.mark.skipif(not cuda.gpu_enable, reason="needs CuPy and a CUDA GPU")
@pytest.mark.parametrize("cls, kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_updates_on_the_gpu_match_the_cpu(cls, kwargs):
    cpu = _step(cls(**kwargs), steps=3)
    holder = Holder(P0).to_gpu()
    opt = cls(**kwargs).setup(holder)
    for _ in range(3):
        holder.p.grad = Variable(cuda.as_cupy(G))
        opt.update()
    assert cuda.get_array_module(holder.p.data) is cuda.cupy
    np.testing.assert_allclose(cuda.as_numpy(holder.p.data), cpu, rtol=1e-6)


@pytest.mark.parametrize("cls, kwargs", ALL[1:], ids=[c.__name__ for c, _ in ALL[1:]])
def test_state_arrays_come_from_the_params_array_module(cls, kwargs, monkeypatch):
    # Without a GPU, check the indirection itself: the optimizer asks dezero.cuda
    # which module owns each parameter (so CuPy params get CuPy state).
    asked = []

    def spy(x):
        asked.append(x)
        return np

    monkeypatch.setattr(optimizers.cuda, "get_array_module", spy)
    holder = Holder(P0)
    _step(cls(**kwargs), holder=holder)
    assert asked and all(x is holder.p.data for x in asked)
