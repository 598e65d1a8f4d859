"""conv2d, deconv2d, conv2d_simple against PyTorch, with first and second derivatives."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import gradient_check

# (x shape, W shape, stride, pad)
CONV = [((1, 1, 3, 3), (1, 1, 2, 2), 1, 0),
        ((2, 2, 5, 4), (3, 2, 3, 3), 2, 1),
        ((1, 2, 4, 4), (2, 2, 3, 2), (1, 2), (1, 0))]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xs, ws, s, p", CONV)
def test_conv2d_matches_torch(rng, torch_oracle, torch, xs, ws, s, p, bias):
    x, W, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    for f in (F.conv2d, F.conv2d_simple):
        if bias:
            torch_oracle(lambda x, W, b: f(x, W, b, s, p),
                         lambda x, W, b: torch.nn.functional.conv2d(x, W, b, s, p), x, W, b)
        else:
            torch_oracle(lambda x, W: f(x, W, None, s, p),
                         lambda x, W: torch.nn.functional.conv2d(x, W, None, s, p), x, W)


@pytest.mark.parametrize("xs, ws, s, p", CONV[:2])
def test_conv2d_gradient_check(rng, weighted, xs, ws, s, p):
    x, W, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    out = F.conv2d(x, W, b, s, p).shape
    assert gradient_check(weighted(lambda x, W, b: F.conv2d(x, W, b, s, p), out), x, W, b)


def test_conv2d_second_derivative_matches_torch(rng, second_order_oracle, torch):
    x, W = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 2, 2))
    second_order_oracle(lambda x, W: F.tanh(F.conv2d(x, W, None, 2, 1)),
                        lambda x, W: torch.nn.functional.conv2d(x, W, None, 2, 1).tanh(), x, W)


# (x shape, W shape (in, out, kh, kw), stride, pad, outsize)
DECONV = [((1, 1, 2, 2), (1, 1, 2, 2), 1, 0, None),
          ((2, 3, 3, 2), (3, 2, 3, 3), 2, 1, None),
          ((1, 2, 2, 3), (2, 1, 3, 3), 2, 1, (4, 6))]  # outsize picks output_padding 1


@pytest.mark.parametrize("xs, ws, s, p, outsize", DECONV)
def test_deconv2d_matches_torch(rng, torch_oracle, torch, xs, ws, s, p, outsize):
    x, W, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[1])
    y = F.deconv2d(x, W, b, s, p, outsize)
    default = [s_ * (n - 1) + k - 2 * p_ for n, k, s_, p_ in
               zip(xs[2:], ws[2:], np.broadcast_to(s, 2), np.broadcast_to(p, 2))]
    op = tuple(int(o - d) for o, d in zip(y.shape[2:], default))
    torch_oracle(lambda x, W, b: F.deconv2d(x, W, b, s, p, outsize),
                 lambda x, W, b: torch.nn.functional.conv_transpose2d(x, W, b, s, p, op), x, W, b)


def test_deconv2d_gradient_check_and_second_derivative(rng, weighted, second_order_oracle, torch):
    x, W, b = rng.standard_normal((1, 2, 2, 2)), rng.standard_normal((2, 2, 2, 2)), np.ones(2)
    out = F.deconv2d(x, W, b, 2, 0).shape
    assert gradient_check(weighted(lambda x, W, b: F.deconv2d(x, W, b, 2, 0), out), x, W, b)
    second_order_oracle(lambda x, W: F.tanh(F.deconv2d(x, W, None, 2, 0)),
                        lambda x, W: torch.nn.functional.conv_transpose2d(x, W, None, 2).tanh(),
                        x, W)


def test_deconv2d_is_the_adjoint_of_conv2d(rng):
    x, W = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    y = F.conv2d(x, W, None, 2, 1).data
    g = rng.standard_normal(y.shape)
    back = F.deconv2d(g, W, None, 2, 1, outsize=(5, 5)).data
    np.testing.assert_allclose(np.sum(y * g), np.sum(x * back))


def test_bad_shapes_are_clear_errors():
    with pytest.raises(ValueError, match="channels"):
        F.conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        F.conv2d(np.ones((3, 4, 4)), np.ones((2, 3, 3, 3)))
    with pytest.raises(ValueError, match="outsize"):
        F.deconv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), outsize=(9, 9))
