"""The book's training runs reproduce (steps 42, 43, 45, 48, 50, 59, 60).

Each test runs the book's code (seeded, so deterministic) and states the figure
it reaches. Where the book's run is itself deterministic (a seed, or the global
RNG state that the book's get_spiral leaves behind), the figures are the book's.
"""
import math

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import Model, Variable, optimizers
from dezero.dataloaders import DataLoader, SeqDataLoader
from dezero.datasets import SinCurve, Spiral, get_spiral
from dezero.models import MLP


def test_step42_linear_regression():
    """100 steps of gradient descent, lr 0.1: W = 2.11807369, b = 5.46608905,
    loss = 0.07908606, the book's printout to its last digit."""
    np.random.seed(0)
    x = np.random.rand(100, 1)
    y = 5 + 2 * x + np.random.rand(100, 1)
    x, y = Variable(x), Variable(y)
    W, b = Variable(np.zeros((1, 1))), Variable(np.zeros(1))
    for _ in range(100):
        y_pred = F.matmul(x, W) + b
        diff = y - y_pred
        loss = F.sum(diff ** 2) / len(diff)
        W.cleargrad()
        b.cleargrad()
        loss.backward()
        W.data -= 0.1 * W.grad.data
        b.data -= 0.1 * b.grad.data
    np.testing.assert_allclose(W.data, [[2.11807369]], rtol=1e-8)
    np.testing.assert_allclose(b.data, [5.46608905], rtol=1e-8)
    np.testing.assert_allclose(loss.data, 0.07908606, rtol=1e-6)


def _sin_data():
    np.random.seed(0)
    x = np.random.rand(100, 1)
    y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)
    return x, y


def test_step43_two_layer_net_fits_the_sin_curve():
    """The hand-written 2-layer net (10 sigmoid units, lr 0.2, 10,000 steps):
    loss 0.8473696 -> 0.0769868; the losses printed every 1,000 steps are the book's
    (0.8473695850, 0.2514286285, ..., 0.0772213240) to 1e-9."""
    x, y = _sin_data()
    W1, b1 = Variable(0.01 * np.random.randn(1, 10)), Variable(np.zeros(10))
    W2, b2 = Variable(0.01 * np.random.randn(10, 1)), Variable(np.zeros(1))
    params = (W1, b1, W2, b2)
    printed = []
    for i in range(10000):
        y_pred = F.linear(F.sigmoid(F.linear(x, W1, b1)), W2, b2)
        loss = F.mean_squared_error(y, y_pred)
        for p in params:
            p.cleargrad()
        loss.backward()
        for p in params:
            p.data -= 0.2 * p.grad.data
        if i % 1000 == 0:
            printed.append(float(loss.data))
    book = [0.8473695850105871, 0.2514286285183607, 0.2475948546674987, 0.23786120447054812,
            0.21222231333102912, 0.1674218111783566, 0.09681932619992642,
            0.07849528290602334, 0.07749729552991154, 0.07722132399559317]
    np.testing.assert_allclose(printed, book, rtol=1e-9)
    assert float(loss.data) == pytest.approx(0.0769868, rel=1e-5)


def test_step45_mlp_and_sgd_fit_the_sin_curve():
    """MLP((10, 1)) with optimizers.SGD(0.2) on the same data, 10,000 steps:
    loss 0.8165179 -> 0.0760831 after 10,000 steps."""
    x, y = _sin_data()
    model = MLP((10, 1))
    optimizer = optimizers.SGD(0.2).setup(model)
    losses = []
    for _ in range(10000):
        loss = F.mean_squared_error(y, model(x))
        model.cleargrads()
        loss.backward()
        optimizer.update()
        losses.append(float(loss.data))
    assert losses[0] == pytest.approx(0.8165179, rel=1e-5)
    assert losses[-1] == pytest.approx(0.0760831, rel=1e-4)
    assert losses[-1] < losses[0] / 10
    # The fit follows the sine: the prediction at x = 0.25 is near sin(pi/2) + 0.5 (noise mean).
    with dezero.no_grad():
        assert float(model(np.array([[0.25]])).data[0, 0]) == pytest.approx(1.5, abs=0.15)


def _train_spiral(batches, epochs):
    model = MLP((10, 3))
    optimizer = optimizers.SGD(1.0).setup(model)
    history = []
    for _ in range(epochs):
        sum_loss, count = 0.0, 0
        for batch_x, batch_t in batches():
            loss = F.softmax_cross_entropy(model(batch_x), batch_t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            sum_loss += float(loss.data) * len(batch_t)
            count += len(batch_t)
        history.append(sum_loss / count)
    return model, history


def test_step48_spiral_classification():
    """MLP((10, 3)), SGD lr 1.0, batch 30, 300 epochs. get_spiral gives the book's points;
    with the global RNG where the book's get_spiral leaves it (seed 1984, 300 randn, one
    permutation) the weights and shuffles are the book's too. Reached: epoch 1 loss
    1.1269, epoch 300 loss 0.12959 (the book: near 0.13), training
    accuracy 0.9733."""
    x, t = get_spiral(train=True)
    np.random.seed(1984)
    np.random.randn(300)
    np.random.permutation(300)
    batch_size, data_size = 30, len(x)
    max_iter = math.ceil(data_size / batch_size)

    def batches():
        index = np.random.permutation(data_size)
        for i in range(max_iter):
            batch_index = index[i * batch_size:(i + 1) * batch_size]
            yield x[batch_index], t[batch_index]

    model, history = _train_spiral(batches, 300)
    assert history[0] == pytest.approx(1.12694, abs=1e-4)
    assert history[-1] == pytest.approx(0.12959, abs=2e-3)
    with dezero.no_grad():
        accuracy = float(F.accuracy(model(x), t).data)
    assert accuracy == pytest.approx(0.9733, abs=0.01)  # reached: 292 of 300 training points


def test_step50_spiral_with_dataloader_and_test_split():
    """Step 50: the same net trained through Spiral + DataLoader (seed 0), then scored on the
    test split (seed 2020) with accuracy. Reached: train loss 1.0628 -> 0.10570, test
    accuracy 0.9633."""
    np.random.seed(0)
    train_loader = DataLoader(Spiral(train=True), 30)
    model, history = _train_spiral(lambda: train_loader, 300)
    test_set = Spiral(train=False)
    with dezero.test_mode(), dezero.no_grad():
        accuracy = float(F.accuracy(model(test_set.data), test_set.label).data)
    assert history[0] == pytest.approx(1.06284, abs=1e-4)
    assert history[-1] == pytest.approx(0.10570, abs=2e-3)
    assert accuracy == pytest.approx(0.9633, abs=0.01)


class SimpleRNN(Model):
    """Steps 59 (RNN) and 60 (BetterRNN: LSTM): a recurrent layer and a Linear read-out."""

    def __init__(self, hidden_size, out_size, recurrent=L.RNN):
        super().__init__()
        self.rnn = recurrent(hidden_size)
        self.fc = L.Linear(out_size)

    def reset_state(self):
        self.rnn.reset_state()

    def forward(self, x):
        return self.fc(self.rnn(x))


def _train_truncated_bptt(model, batches, seqlen, epochs, bptt_length=30):
    """The book's loop: accumulate the loss, backward every bptt_length steps, then
    unchain_backward so the next stretch starts a fresh graph from the kept state."""
    optimizer = optimizers.Adam().setup(model)
    history = []
    for _ in range(epochs):
        model.reset_state()
        loss, count = 0, 0
        for x, t in batches:
            loss += F.mean_squared_error(model(x), t)
            count += 1
            if count % bptt_length == 0 or count == seqlen:
                model.cleargrads()
                loss.backward()
                loss.unchain_backward()
                optimizer.update()
                # Truncated: nothing behind the carried hidden state is left to backprop into.
                assert loss.creator is None and model.rnn.h.creator is None
        history.append(float(loss.data) / count)
    return history


def _prediction_error(model):
    """Mean squared error of one-step predictions on the test curve (cos), no grad."""
    test_set = SinCurve(train=False)
    model.reset_state()
    with dezero.no_grad():
        pred = [model(x.reshape(1, 1)).data.item() for x, _ in test_set]
    return float(np.mean((np.array(pred) - test_set.label[:, 0]) ** 2))


def test_step59_rnn_on_sincurve_truncated_bptt():
    """RNN(100) + Linear(1), Adam, BPTT length 30, one example at a time (iterating the
    dataset itself), 5 epochs (the book runs 100): loss 0.0350 -> 0.00234 (h2h's weights
    drawn at the second step, as in the book); one-step prediction of the cos test curve
    (untrained: MSE 0.548) reaches MSE 0.00048."""
    np.random.seed(0)
    train_set = SinCurve(train=True)
    model = SimpleRNN(100, 1, L.RNN)
    pairs = [(x.reshape(1, 1), t) for x, t in train_set]  # iterating stops at IndexError
    assert len(pairs) == len(train_set) == 999
    history = _train_truncated_bptt(model, pairs, len(train_set), epochs=5)
    assert history[0] == pytest.approx(0.0350, abs=2e-3)
    assert history[-1] == pytest.approx(0.00234, abs=1e-3)
    assert history[-1] < history[0] / 10
    assert _prediction_error(model) == pytest.approx(0.00048, abs=3e-4)


def test_step60_lstm_with_seq_dataloader():
    """BetterRNN: LSTM(100) + Linear(1), Adam, SeqDataLoader batch 30 (34 steps an epoch),
    BPTT length 30, 50 epochs (the book runs 100): loss 0.4764 -> 0.01481; one-step
    prediction of the cos test curve reaches MSE 0.00278."""
    np.random.seed(0)
    train_set = SinCurve(train=True)
    loader = SeqDataLoader(train_set, batch_size=30)
    model = SimpleRNN(100, 1, L.LSTM)
    history = _train_truncated_bptt(model, loader, len(train_set), epochs=50)
    assert history[0] == pytest.approx(0.4764, abs=2e-3)
    assert history[-1] == pytest.approx(0.01481, abs=2e-3)
    assert history[-1] < history[0] / 20
    assert _prediction_error(model) == pytest.approx(0.00278, abs=5e-4)
