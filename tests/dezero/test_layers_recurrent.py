"""dezero.layers RNN and LSTM: sizes (book repo issue #32), values vs NumPy/PyTorch, BPTT."""
import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
from dezero import Variable, gradient_check
from dezero.optimizers import Adam


def _run(layer, xs):
    layer.reset_state()
    return [layer(x) for x in xs]


# ------------------------------------------------------------------ RNN
@pytest.mark.parametrize("in_size", [3, None], ids=["eager", "lazy"])
def test_rnn_with_input_size_other_than_hidden_size(in_size, rng):
    rnn = L.RNN(5, in_size=in_size)
    xs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    hs = _run(rnn, xs)  # the book's h2h (built with in_size 3) fails at the second step
    assert [h.shape for h in hs] == [(2, 5)] * 3
    assert rnn.x2h.W.shape == (3, 5) and rnn.h2h.W.shape == (5, 5)
    assert rnn.h2h.b is None


def test_rnn_values_match_numpy(rng):
    rnn = L.RNN(4, in_size=3)
    rnn.x2h.b.data = rng.standard_normal(4).astype(np.float32)
    xs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    hs = _run(rnn, xs)
    Wx, b, Wh = rnn.x2h.W.data, rnn.x2h.b.data, rnn.h2h.W.data
    h = np.tanh(xs[0] @ Wx + b)
    np.testing.assert_allclose(hs[0].data, h, rtol=1e-5)
    for x, got in zip(xs[1:], hs[1:]):
        h = np.tanh(x @ Wx + b + h @ Wh)
        np.testing.assert_allclose(got.data, h, rtol=1e-5, atol=1e-6)


def test_reset_state_starts_over(rng):
    rnn = L.RNN(4, in_size=2)
    x = rng.standard_normal((1, 2)).astype(np.float32)
    first = rnn(x).data
    assert not np.allclose(rnn(x).data, first)  # the state carries over
    rnn.reset_state()
    assert rnn.h is None
    np.testing.assert_array_equal(rnn(x).data, first)


def _float64(layer):
    for p in layer.params():
        p.data = p.data.astype(np.float64)
    return layer


def test_rnn_gradient_check_through_time(rng):
    rnn = _float64(L.RNN(3, in_size=2))

    def two_steps(x):
        rnn.reset_state()
        rnn(x)
        return rnn(x * 2.0)

    gradient_check(two_steps, rng.standard_normal((2, 2)))


def test_rnn_against_torch(rng):
    torch = pytest.importorskip("torch")
    rnn = _float64(L.RNN(5, in_size=3))
    rnn.x2h.b.data = rng.standard_normal(5)
    xs = [Variable(rng.standard_normal((2, 3))) for _ in range(4)]
    hs = _run(rnn, xs)
    F.sum(hs[-1] * hs[-1]).backward()
    cell = torch.nn.RNNCell(3, 5).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(rnn.x2h.W.data.T))
        cell.bias_ih.copy_(torch.tensor(rnn.x2h.b.data))
        cell.weight_hh.copy_(torch.tensor(rnn.h2h.W.data.T))
        cell.bias_hh.zero_()
    xts = [torch.tensor(x.data, requires_grad=True) for x in xs]
    h = torch.zeros(2, 5, dtype=torch.float64)
    for x, mine in zip(xts, hs):
        h = cell(x, h)
        np.testing.assert_allclose(mine.data, h.detach().numpy(), rtol=1e-10)
    (h * h).sum().backward()
    np.testing.assert_allclose(rnn.x2h.W.grad.data, cell.weight_ih.grad.numpy().T, rtol=1e-9)
    np.testing.assert_allclose(rnn.h2h.W.grad.data, cell.weight_hh.grad.numpy().T, rtol=1e-9)
    np.testing.assert_allclose(xs[0].grad.data, xts[0].grad.numpy(), rtol=1e-9, atol=1e-14)


def test_unchain_backward_truncates_bptt(rng):
    rnn = L.RNN(4, in_size=3)
    x0 = Variable(rng.standard_normal((1, 3)).astype(np.float32))
    x1 = Variable(rng.standard_normal((1, 3)).astype(np.float32))
    loss0 = F.sum(rnn(x0))
    loss0.backward()
    assert x0.grad is not None
    x0.cleargrad()
    loss0.unchain_backward()
    assert rnn.h.creator is None  # the hidden state is now a leaf
    F.sum(rnn(x1)).backward()
    assert x1.grad is not None
    assert x0.grad is None  # the grad no longer reaches the earlier step

    # Without unchain the second backward does reach x0.
    rnn.reset_state()
    F.sum(rnn(x0))
    x0.cleargrad()
    F.sum(rnn(x1)).backward()
    assert x0.grad is not None


def _train_on_sine(layer_cls, seed=0):
    """Next-value prediction on a noisy-free sine with truncated BPTT, as in steps 59-60."""
    np.random.seed(seed)
    t = np.linspace(0, 4 * np.pi, 60)
    series = np.sin(t).reshape(-1, 1)
    rnn, fc = layer_cls(5, in_size=1), L.Linear(1, in_size=5)
    model = L.Layer()
    model.rnn, model.fc = rnn, fc
    opt = Adam(alpha=0.01).setup(model)
    epoch_losses = []
    for _ in range(15):
        rnn.reset_state()
        loss, count, total = 0, 0, 0.0
        for x, y in zip(series[:-1], series[1:]):
            pred = fc(rnn(x.reshape(1, 1)))
            loss += F.mean_squared_error(pred, y.reshape(1, 1))
            count += 1
            if count % 10 == 0:
                model.cleargrads()
                loss.backward()
                loss.unchain_backward()
                opt.update()
                total += float(loss.data)
                loss = 0
        epoch_losses.append(total)
    return epoch_losses


def test_rnn_in3_hidden5_trains():
    rnn = L.RNN(5, in_size=3)
    fc = L.Linear(1, in_size=5)
    model = L.Layer()
    model.rnn, model.fc = rnn, fc
    np.random.seed(0)
    xs = np.random.randn(8, 1, 3)
    target = np.cumsum(xs[:, :, :1], axis=0) * 0.3  # needs memory of earlier steps
    opt = Adam(alpha=0.02).setup(model)
    losses = []
    for _ in range(40):
        rnn.reset_state()
        loss = 0
        for x, y in zip(xs, target):
            loss += F.mean_squared_error(fc(rnn(x)), y)
        model.cleargrads()
        loss.backward()
        loss.unchain_backward()
        opt.update()
        losses.append(float(loss.data))
    assert losses[-1] < 0.3 * losses[0]


def test_rnn_on_sine_with_truncated_bptt_reduces_the_loss():
    losses = _train_on_sine(L.RNN)
    assert losses[-1] < 0.5 * losses[0]


# ------------------------------------------------------------------ LSTM
def test_lstm_shapes_and_reset(rng):
    lstm = L.LSTM(5)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    h1, h2 = lstm(x), lstm(x)
    assert h1.shape == h2.shape == lstm.c.shape == (2, 5)
    assert lstm.x2f.W.shape == (3, 5) and lstm.h2f.W.shape == (5, 5)
    assert len(list(lstm.params())) == 4 * 2 + 4  # x2*: W and b, h2*: W only
    lstm.reset_state()
    assert lstm.h is None and lstm.c is None
    np.testing.assert_array_equal(lstm(x).data, h1.data)


def test_lstm_gradient_check_through_time(rng):
    lstm = _float64(L.LSTM(2, in_size=3))

    def two_steps(x):
        lstm.reset_state()
        lstm(x)
        return lstm(x - 1.0)

    gradient_check(two_steps, rng.standard_normal((2, 3)))


def test_lstm_against_torch_cell_equations(rng):
    torch = pytest.importorskip("torch")
    lstm = _float64(L.LSTM(4, in_size=3))
    for name in "fiou":
        getattr(lstm, "x2" + name).b.data = rng.standard_normal(4)
    xs = [Variable(rng.standard_normal((2, 3))) for _ in range(3)]
    hs = _run(lstm, xs)
    F.sum(hs[-1] * hs[-1]).backward()
    cell = torch.nn.LSTMCell(3, 4).double()
    order = "ifuo"  # torch stacks input, forget, cell (our u), output gates
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(np.concatenate(
            [getattr(lstm, "x2" + g).W.data.T for g in order])))
        cell.weight_hh.copy_(torch.tensor(np.concatenate(
            [getattr(lstm, "h2" + g).W.data.T for g in order])))
        cell.bias_ih.copy_(torch.tensor(np.concatenate(
            [getattr(lstm, "x2" + g).b.data for g in order])))
        cell.bias_hh.zero_()
    h = c = torch.zeros(2, 4, dtype=torch.float64)
    for x, mine in zip(xs, hs):
        h, c = cell(torch.tensor(x.data), (h, c))
        np.testing.assert_allclose(mine.data, h.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(lstm.c.data, c.detach().numpy(), rtol=1e-10)
    (h * h).sum().backward()
    for k, g in enumerate(order):
        rows = slice(4 * k, 4 * k + 4)
        np.testing.assert_allclose(getattr(lstm, "x2" + g).W.grad.data,
                                   cell.weight_ih.grad[rows].numpy().T, rtol=1e-8, atol=1e-14)
        np.testing.assert_allclose(getattr(lstm, "h2" + g).W.grad.data,
                                   cell.weight_hh.grad[rows].numpy().T, rtol=1e-8, atol=1e-14)


def test_lstm_on_sine_with_truncated_bptt_reduces_the_loss():
    losses = _train_on_sine(L.LSTM)
    assert losses[-1] < 0.5 * losses[0]
