"""Losses: mean_squared_error and the cross entropies, against numpy and torch."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check


@pytest.mark.parametrize("s0, s1", [((), ()), ((4,), (4,)), ((3, 2), (3, 2)), ((3, 1), (1,))])
def test_mean_squared_error(rng, s0, s1):
    x0, x1 = rng.standard_normal(s0), rng.standard_normal(s1)
    n = np.broadcast_shapes(s0, s1)[0] if s0 else 1
    np.testing.assert_allclose(F.mean_squared_error(x0, x1).data, ((x0 - x1) ** 2).sum() / n)
    assert gradient_check(F.mean_squared_error, x0, x1)


def test_mean_squared_error_matches_torch_first_and_second_order(
        rng, torch_oracle, second_order_oracle, torch):
    x0, x1 = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    mse = torch.nn.functional.mse_loss  # mean over all elements = over N for (N, 1)
    torch_oracle(F.mean_squared_error, mse, x0, x1)
    second_order_oracle(lambda a, b: F.mean_squared_error(F.tanh(a), b),
                        lambda a, b: mse(a.tanh(), b), x0, x1)


def _ce_reference(x, t):
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    return -logp[np.arange(len(t)), t].mean()


@pytest.mark.parametrize("f", [F.softmax_cross_entropy, F.softmax_cross_entropy_simple])
@pytest.mark.parametrize("n, c", [(1, 2), (4, 3), (5, 1)])
def test_softmax_cross_entropy(rng, f, n, c):
    x = rng.standard_normal((n, c))
    t = rng.integers(0, c, size=n)
    np.testing.assert_allclose(f(x, t).data, _ce_reference(x, t), atol=1e-12)
    assert gradient_check(lambda v: f(v, t), x)


def test_softmax_cross_entropy_accepts_column_labels_and_huge_scores():
    x = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    y = F.softmax_cross_entropy(x, np.array([[0], [0]]))
    np.testing.assert_allclose(y.data, 500.0)  # stable: no inf / nan


def test_softmax_cross_entropy_matches_torch(rng, torch_oracle, second_order_oracle, torch):
    x, t = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    torch_oracle(F.softmax_cross_entropy, torch.nn.functional.cross_entropy, x, t)
    second_order_oracle(lambda v: F.softmax_cross_entropy(v, t),
                        lambda v: torch.nn.functional.cross_entropy(v, torch.tensor(t)), x)


def test_softmax_cross_entropy_gives_labels_no_grad(rng):
    x, t = Variable(rng.standard_normal((3, 2))), Variable(np.array([0, 1, 1]))
    F.softmax_cross_entropy(x, t).backward()
    assert x.grad is not None and t.grad is None


def test_softmax_cross_entropy_rejects_bad_labels():
    with pytest.raises(ValueError, match="integer class labels"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="one class index per row"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))


def _bce_reference(p, t):
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).sum() / len(p)


@pytest.mark.parametrize("shape", [(4,), (4, 1), (3, 2)])
def test_sigmoid_cross_entropy(rng, shape):
    x = rng.standard_normal(shape) * 2
    t = rng.integers(0, 2, size=shape)
    p = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(F.sigmoid_cross_entropy(x, t).data, _bce_reference(p, t))
    assert gradient_check(lambda v: F.sigmoid_cross_entropy(v, t), x)
    assert gradient_check(F.sigmoid_cross_entropy, x, t.astype(float))  # soft targets too


def test_sigmoid_cross_entropy_is_finite_where_the_book_gives_inf():
    x = Variable(np.array([[40.0], [-40.0]]))
    y = F.sigmoid_cross_entropy(x, np.array([0, 1]))  # (N, 1) scores, (N,) labels
    np.testing.assert_allclose(y.data, 40.0, rtol=1e-12)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [[0.5], [-0.5]], rtol=1e-12)


def test_sigmoid_cross_entropy_matches_torch(rng, torch_oracle, second_order_oracle, torch):
    x, t = rng.standard_normal((4, 1)), rng.integers(0, 2, size=(4, 1)).astype(float)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    torch_oracle(F.sigmoid_cross_entropy, bce, x, t)
    second_order_oracle(F.sigmoid_cross_entropy, bce, x, t)


@pytest.mark.parametrize("shape", [(4,), (3, 1)])
def test_binary_cross_entropy(rng, torch_oracle, torch, shape):
    p = rng.uniform(0.05, 0.95, size=shape)
    t = rng.integers(0, 2, size=shape).astype(float)
    np.testing.assert_allclose(F.binary_cross_entropy(p, t).data, _bce_reference(p, t))
    assert gradient_check(F.binary_cross_entropy, p, t)
    torch_oracle(F.binary_cross_entropy,
                 lambda a, b: torch.nn.functional.binary_cross_entropy(a, b) * a.numel() / len(a),
                 p, t)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_never_logs_zero(dtype):
    y = F.binary_cross_entropy(np.array([0.0, 1.0], dtype=dtype), np.array([1.0, 0.0], dtype=dtype))
    assert np.isfinite(y.data) and y.data > 10


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "mean_squared_error", "sigmoid_cross_entropy"])
def test_an_empty_batch_gives_nan_loss_and_empty_grads_not_a_crash(loss):
    import warnings

    x = Variable(np.zeros((0, 3)))
    t = np.zeros(0, dtype=int) if loss == "softmax_cross_entropy" else np.zeros((0, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 / 0, as NumPy and PyTorch give NaN
        y = getattr(F, loss)(x, t)
        assert np.isnan(float(y.data))
        y.backward()
    assert x.grad.shape == (0, 3)
