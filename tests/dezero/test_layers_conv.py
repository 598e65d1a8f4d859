"""Image layers Conv2d, Deconv2d, BatchNorm: vs NumPy, numerical grads, PyTorch."""
import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
import dezero
from dezero import Variable, gradient_check


def _np_conv(x, W, b, stride, pad):
    """Direct loops: the definition of a cross-correlation, independent of im2col."""
    n, c, h, w = x.shape
    oc, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    y = np.zeros((n, oc, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            y[:, :, i, j] = np.tensordot(patch, W, ((1, 2, 3), (1, 2, 3)))
    return y + b.reshape(1, -1, 1, 1)


def _np_deconv(x, W, b, stride, pad):
    """Scatter each input pixel times the kernel, then crop the padding."""
    n, c, h, w = x.shape
    _, oc, kh, kw = W.shape
    full = np.zeros((n, oc, (h - 1) * stride + kh, (w - 1) * stride + kw))
    for i in range(h):
        for j in range(w):
            full[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.tensordot(
                x[:, :, i, j], W, (1, 0))
    full = full[:, :, pad:full.shape[2] - pad, pad:full.shape[3] - pad]
    return full + b.reshape(1, -1, 1, 1)


@pytest.mark.parametrize("stride, pad", [(1, 0), (1, 1), (2, 1)])
def test_conv2d_lazy_init_shape_and_values(stride, pad, rng):
    np.random.seed(0)
    conv = L.Conv2d(4, 3, stride=stride, pad=pad)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    y = conv(x)
    assert conv.W.shape == (4, 3, 3, 3) and conv.W.dtype == np.float32
    np.random.seed(0)
    expected_W = np.random.randn(4, 3, 3, 3).astype(np.float32) * np.sqrt(1 / 27)
    np.testing.assert_allclose(conv.W.data, expected_W, rtol=1e-6)
    conv.b.data = rng.standard_normal(4).astype(np.float32)
    y = conv(x)
    np.testing.assert_allclose(y.data, _np_conv(x, conv.W.data, conv.b.data, stride, pad),
                               rtol=1e-4, atol=1e-5)


def test_conv2d_gradients(rng):
    conv = L.Conv2d(2, (2, 3), stride=1, pad=1, dtype=np.float64, in_channels=2)
    conv.b.data = rng.standard_normal(2)
    x = rng.standard_normal((1, 2, 3, 3))
    gradient_check(conv, x)
    gradient_check(lambda W: F.conv2d(x, W, conv.b, 1, 1), conv.W.data)


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1)])
def test_deconv2d_shape_and_values(stride, pad, rng):
    deconv = L.Deconv2d(3, 3, stride=stride, pad=pad, dtype=np.float64)
    x = rng.standard_normal((2, 2, 4, 3))
    deconv(x)
    assert deconv.W.shape == (2, 3, 3, 3)
    deconv.b.data = rng.standard_normal(3)
    y = deconv(x)
    expected = _np_deconv(x, deconv.W.data, deconv.b.data, stride, pad)
    assert y.shape == expected.shape == (2, 3, (4 - 1) * stride + 3 - 2 * pad,
                                         (3 - 1) * stride + 3 - 2 * pad)
    np.testing.assert_allclose(y.data, expected, rtol=1e-10)


def test_deconv2d_gradients(rng):
    deconv = L.Deconv2d(2, 2, stride=2, pad=0, dtype=np.float64, in_channels=2)
    deconv.b.data = rng.standard_normal(2)
    gradient_check(deconv, rng.standard_normal((1, 2, 2, 2)))


def test_conv_layers_against_torch(rng):
    torch = pytest.importorskip("torch")
    for cls, tfun in [(L.Conv2d, torch.nn.functional.conv2d),
                      (L.Deconv2d, torch.nn.functional.conv_transpose2d)]:
        layer = cls(3, 3, stride=2, pad=1, dtype=np.float64, in_channels=2)
        layer.b.data = rng.standard_normal(3)
        x = Variable(rng.standard_normal((2, 2, 5, 5)))
        y = layer(x)
        F.sum(y * y).backward()
        xt = torch.tensor(x.data, requires_grad=True)
        Wt = torch.tensor(layer.W.data, requires_grad=True)
        bt = torch.tensor(layer.b.data, requires_grad=True)
        yt = tfun(xt, Wt, bt, stride=2, padding=1)
        (yt * yt).sum().backward()
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-9, atol=1e-12)
        for mine, theirs in [(x.grad, xt.grad), (layer.W.grad, Wt.grad), (layer.b.grad, bt.grad)]:
            np.testing.assert_allclose(mine.data, theirs.numpy(), rtol=1e-9, atol=1e-12)


def test_conv_bad_inputs_and_nobias():
    conv = L.Conv2d(2, 3, nobias=True, in_channels=3)
    assert conv.b is None and list(conv.params()) == [conv.W]
    with pytest.raises(ValueError, match="has 3 input channels but got an input with 1"):
        conv(np.ones((1, 1, 5, 5), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        conv(np.ones((5, 5), dtype=np.float32))
    deconv = L.Deconv2d(2, 3, in_channels=4)
    with pytest.raises(ValueError, match="has 4 input channels"):
        deconv(np.ones((1, 2, 5, 5), dtype=np.float32))


# ------------------------------------------------------------------ BatchNorm
def test_batch_norm_train_mode_normalises_and_updates_running_stats(rng):
    bn = L.BatchNorm()
    x = rng.standard_normal((8, 3)) * 3 + 5
    y = bn(x)
    np.testing.assert_allclose(y.data.mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(y.data.var(axis=0), 1, rtol=1e-4)
    np.testing.assert_allclose(bn.avg_mean.data, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.avg_var.data, 0.9 + 0.1 * x.var(axis=0, ddof=1))
    assert [p.name for p in bn.params()] == ["avg_mean", "avg_var", "gamma", "beta"]


def test_batch_norm_test_mode_uses_running_stats(rng):
    bn = L.BatchNorm()
    for _ in range(3):
        bn(rng.standard_normal((10, 2)) + 1)
    mean, var = bn.avg_mean.data.copy(), bn.avg_var.data.copy()
    bn.gamma.data[:] = [2.0, 0.5]
    bn.beta.data[:] = [1.0, -1.0]
    x = rng.standard_normal((4, 2))
    with dezero.test_mode():
        y = bn(x)
    expected = (x - mean) / np.sqrt(var + 2e-5) * [2.0, 0.5] + [1.0, -1.0]
    np.testing.assert_allclose(y.data, expected, rtol=1e-10)
    np.testing.assert_array_equal(bn.avg_mean.data, mean)  # test mode leaves them alone


def test_batch_norm_gradients_in_both_modes(rng):
    bn = L.BatchNorm()
    x = rng.standard_normal((5, 2, 2, 2))
    gradient_check(bn, x)
    with dezero.test_mode():
        gradient_check(bn, x)
    y = bn(Variable(x))
    F.sum(y * y).backward()
    assert bn.gamma.grad is not None and bn.beta.grad is not None
    assert bn.avg_mean.grad is None and bn.avg_var.grad is None  # optimizers skip them


def test_batch_norm_against_torch(rng):
    torch = pytest.importorskip("torch")
    bn = L.BatchNorm()
    x = Variable(rng.standard_normal((6, 3, 2, 2)))
    y = bn(x)
    F.sum(y * y * y).backward()
    xt = torch.tensor(x.data, requires_grad=True)
    rm, rv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    g = torch.ones(3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    yt = torch.nn.functional.batch_norm(xt, rm, rv, g, b, training=True, momentum=0.1,
                                        eps=2e-5)
    (yt ** 3).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(bn.gamma.grad.data, g.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(bn.beta.grad.data, b.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(bn.avg_mean.data, rm.numpy(), rtol=1e-10)
    np.testing.assert_allclose(bn.avg_var.data, rv.numpy(), rtol=1e-10)


def test_batch_norm_save_load_keeps_running_stats(tmp_path, rng):
    bn = L.BatchNorm()
    bn(rng.standard_normal((4, 3)))
    bn.save_weights(tmp_path / "bn.npz")
    other = L.BatchNorm()
    other.load_weights(tmp_path / "bn.npz")
    np.testing.assert_array_equal(other.avg_var.data, bn.avg_var.data)
