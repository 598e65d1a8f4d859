"""Backward passes run again on a graph (QA D22, R22): a grad a retain_grad
pass kept on an intermediate is not this pass's grad; one output listed
twice in dezero.grad is seeded twice; the exponent's grad at a zero base;
and a Ctrl-C at the start of a pass leaves no global state changed."""
import gc
import warnings

import numpy as np
import pytest

import dezero
import dezero.backprop as backprop
import dezero.functions as F
from dezero import Variable
from dezero.config import Config, using_config


def _second_derivative(x0):
    x = Variable(np.array(x0))
    t = F.sin(x)
    y = t * t
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    return float(x.grad.data)


@pytest.mark.parametrize("retain", [False, True])
def test_the_book_second_derivative_idiom_is_the_same_with_retain_grad(retain):
    # d2/dx2 sin(x)^2 = 2 cos(2x); the retain_grad run had passed t's first-pass grad on again (0.077 at x=1)
    with using_config("retain_grad", retain):
        got = _second_derivative(1.0)
    assert got == pytest.approx(2 * np.cos(2.0), rel=1e-12)
    h = 1e-5
    numeric = (np.sin(1 + h) ** 2 - 2 * np.sin(1.0) ** 2 + np.sin(1 - h) ** 2) / h ** 2
    assert got == pytest.approx(numeric, rel=1e-4)


def test_backward_twice_with_retained_grads_adds_each_pass_once():
    x = Variable(np.array(2.0))
    a = 3 * x
    y = a * a
    y.backward(retain_grad=True)
    assert (float(x.grad.data), float(a.grad.data)) == (36.0, 12.0)
    y.backward(retain_grad=True)
    # x: 36 + 36 (was 36 + 36 + 36: a passed on 12 + 12); a's kept grad adds up as a leaf's does
    assert (float(x.grad.data), float(a.grad.data)) == (72.0, 24.0)


def test_backward_twice_against_torch():
    torch = pytest.importorskip("torch")
    t = torch.tensor(2.0, requires_grad=True)
    ta = 3 * t
    ta.retain_grad()
    ty = ta * ta
    ty.backward(retain_graph=True)
    ty.backward()
    x = Variable(np.array(2.0))
    a = 3 * x
    y = a * a
    with using_config("retain_grad", True):
        y.backward()
        y.backward()
    assert float(x.grad.data) == pytest.approx(float(t.grad))
    assert float(a.grad.data) == pytest.approx(float(ta.grad))


def test_a_pass_that_stops_keeps_the_earlier_grad_and_what_it_added():
    class Boom(dezero.Function):
        def forward(self, x):
            return x * 1.0

        def backward(self, gy):
            raise RuntimeError("boom")

    x = Variable(np.array(1.0))
    a = Boom()(x)
    b = a * 2.0
    y = b * b
    for n in (1, 2):
        with pytest.raises(RuntimeError, match="boom"):
            y.backward(retain_grad=True)
        # each pass gave b 2b = 4 and a 8 before Boom raised: kept, added once a pass
        assert (float(b.grad.data), float(a.grad.data)) == (4.0 * n, 8.0 * n)
    assert x.grad is None


def test_an_output_listed_twice_is_seeded_twice():
    x = Variable(np.array(2.0))
    y = x * x
    assert float(dezero.grad([y, y], x).data) == 8.0
    assert float(dezero.grad([y, y], x, grad_outputs=[1.0, 10.0]).data) == 44.0


def test_the_exponent_grad_at_a_zero_base_is_zero_without_warnings():
    b = Variable(np.array([0.0, 2.0]))
    e = Variable(np.array(3.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = F.sum(b ** e)
        y.backward()
    assert float(e.grad.data) == pytest.approx(8 * np.log(2.0))  # 0 ** 3 adds 0 (was NaN)
    assert b.grad.data.tolist() == [0.0, 12.0]


def test_a_constant_exponent_array_gets_no_log_of_a_negative_base():
    x = Variable(np.array([-1.0, 2.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "invalid value encountered in log" came from the constant's grad
        y = F.sum(x ** np.array([2.0, 3.0]))
        y.backward()
    assert x.grad.data.tolist() == [-2.0, 12.0]
    x = Variable(np.array(1.5))
    y = 2 ** x
    y.backward()
    assert float(x.grad.data) == pytest.approx(2 ** 1.5 * np.log(2.0))


class _InterruptingGc:
    """The collector as backward sees it, with Ctrl-C landing in gc.disable()."""

    def __init__(self):
        self.enabled = []

    def isenabled(self):
        return True

    def disable(self):
        raise KeyboardInterrupt

    def enable(self):
        self.enabled.append(True)


def test_ctrl_c_at_the_start_of_a_pass_changes_no_global_state(monkeypatch):
    fake = _InterruptingGc()
    monkeypatch.setattr(backprop, "gc", fake)
    x = Variable(np.array(2.0))
    y = x * x
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert Config.enable_backprop is True  # it was left False for the rest of the session
    assert fake.enabled == [True]
    monkeypatch.undo()
    assert gc.isenabled()
    z = x * x
    assert z.creator is not None


@pytest.mark.parametrize("seed, expected", [(3.0, 12.0), (np.array(3.0), 12.0), (3, 12.0)])
def test_a_number_or_array_set_as_the_seed_is_used(seed, expected):
    x = Variable(np.array(2.0))
    y = x * x
    y.grad = seed  # a float failed with "'float' object has no attribute 'data'"
    y.backward()
    assert float(x.grad.data) == expected


def test_a_seed_that_is_no_number_is_refused_clearly():
    x = Variable(np.array(2.0))
    y = x * x
    y.grad = "a"
    with pytest.raises(TypeError, match=r"y.grad, the seed of y.backward\(\), is a str .*cleargrad"):
        y.backward()


@pytest.mark.parametrize("loss, t", [
    (F.sigmoid_cross_entropy, np.array([1.0, 0.0])),   # float64 labels
    (F.sigmoid_cross_entropy, np.array([1, 0])),
    (F.binary_cross_entropy, np.array([1, 0])),        # int labels
    (F.binary_cross_entropy, np.array([1.0, 0.0])),
])
def test_labels_given_as_arrays_keep_a_float32_model_float32(loss, t):
    x = Variable(np.array([0.4, 0.3], dtype=np.float32))
    y = loss(x, t)
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_a_variable_target_keeps_its_graph():
    x = Variable(np.array([0.5, -1.0]))
    t = Variable(np.array([0.3, 0.6]))
    F.sigmoid_cross_entropy(x, t).backward()
    assert np.allclose(t.grad.data, -x.data / 2)  # d/dt of -(t x - softplus(x)) / N


def test_a_nan_max_gives_its_grad_to_the_nan_without_warnings():
    # the share was 0 / 0 everywhere ("invalid value encountered in divide"); torch.max() does the same
    x = Variable(np.array([1.0, np.nan, 3.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.max(x).backward()
    assert x.grad.data.tolist() == [0.0, 1.0, 0.0]
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, float("nan"), 3.0], requires_grad=True)
    t.max().backward()
    assert t.grad.tolist() == x.grad.data.tolist()


def test_a_refused_seed_leaves_the_grad_as_the_user_set_it():
    x = Variable(np.array([1.0, 2.0]))
    y = x * x
    y.grad = 3.0 * np.ones(3)
    with pytest.raises(ValueError, match="seed"):
        y.backward()
    assert isinstance(y.grad, np.ndarray) and y.grad.shape == (3,)  # not rewritten into a Variable


def test_two_seeds_of_one_output_are_summed_without_a_traced_call():
    from dezero.events import Observer, observing

    class Calls(Observer):
        def __init__(self):
            self.ops = []

        def on_forward(self, function, inputs, outputs):
            self.ops.append(type(function).__name__)

    heard = Calls()
    x = Variable(np.array(2.0))
    y = x * x
    with observing(heard):
        assert float(dezero.grad([y, y], x).data) == 8.0
    assert heard.ops == []  # an Add of the two seeds was heard as a call of the user's


def test_ctrl_c_inside_muting_still_gets_it_undone(monkeypatch):
    from dezero import events
    from dezero.events import Observer, observing

    real = events.mute_internal_forward

    def interrupted():
        real()
        raise KeyboardInterrupt  # after the count went up, before backward could note it

    monkeypatch.setattr(events, "mute_internal_forward", interrupted)
    before = events._muted[0]
    x = Variable(np.array(2.0))
    y = x * x
    with observing(Observer()):
        with pytest.raises(KeyboardInterrupt):
            y.backward()
    assert events._muted[0] == before


def test_the_base_grad_of_zero_to_the_zero_is_zero():
    a = Variable(np.array([0.0, 0.0, 2.0]))
    b = Variable(np.array([1.0, 0.0, 0.0]))
    F.sum(a ** b).backward()
    assert a.grad.data.tolist() == [1.0, 0.0, 0.0]  # torch: [1, 0, 0]; 0 * 0 ** -1 was NaN
    torch = pytest.importorskip("torch")
    ta = torch.tensor([0.0, 0.0, 2.0], requires_grad=True)
    (ta ** torch.tensor([1.0, 0.0, 0.0])).sum().backward()
    assert ta.grad.tolist() == a.grad.data.tolist()
