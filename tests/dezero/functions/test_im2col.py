"""im2col / col2im: patch layout, adjointness, and their grads."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check
from dezero.functions.im2col import col2im_array, get_conv_outsize, im2col_array

CONFIGS = [((1, 1, 3, 3), 2, 1, 0), ((2, 2, 4, 5), 3, 2, 1), ((1, 2, 5, 4), (2, 3), (1, 2), (1, 0))]


def _slow_im2col(x, k, s, p):
    (kh, kw), (sh, sw), (ph, pw) = [v if isinstance(v, tuple) else (v, v) for v in (k, s, p)]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c = x.shape[:2]
    oh = get_conv_outsize(x.shape[2], kh, sh, ph)
    ow = get_conv_outsize(x.shape[3], kw, sw, pw)
    rows = [xp[i, :, y * sh:y * sh + kh, z * sw:z * sw + kw].ravel()
            for i in range(n) for y in range(oh) for z in range(ow)]
    return np.array(rows)


@pytest.mark.parametrize("shape, k, s, p", CONFIGS)
def test_im2col_rows_are_patches(rng, shape, k, s, p):
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(im2col_array(x, k, s, p), _slow_im2col(x, k, s, p))


@pytest.mark.parametrize("to_matrix", [True, False])
@pytest.mark.parametrize("shape, k, s, p", CONFIGS)
def test_col2im_is_the_adjoint_of_im2col(rng, shape, k, s, p, to_matrix):
    x = rng.standard_normal(shape)
    col = im2col_array(x, k, s, p, to_matrix)
    c = rng.standard_normal(col.shape)
    lhs = np.sum(col * c)
    rhs = np.sum(x * col2im_array(c, shape, k, s, p, to_matrix))
    np.testing.assert_allclose(lhs, rhs)


@pytest.mark.parametrize("to_matrix", [True, False])
@pytest.mark.parametrize("shape, k, s, p", CONFIGS[:2])
def test_im2col_col2im_gradients(rng, weighted, shape, k, s, p, to_matrix):
    x = rng.standard_normal(shape)
    col_shape = im2col_array(x, k, s, p, to_matrix).shape
    assert gradient_check(weighted(lambda v: F.im2col(v, k, s, p, to_matrix), col_shape), x)
    c = rng.standard_normal(col_shape)
    assert gradient_check(weighted(lambda v: F.col2im(v, shape, k, s, p, to_matrix), shape), c)


def test_im2col_matches_torch_unfold(rng, torch_oracle, torch):
    x = rng.standard_normal((2, 2, 4, 5))
    # torch's unfold gives (N, C*KH*KW, L); ours is (N*L, C*KH*KW)
    torch_oracle(lambda v: F.im2col(v, 3, 2, 1),
                 lambda t: torch.nn.functional.unfold(t, 3, padding=1, stride=2)
                 .transpose(1, 2).reshape(-1, 18), x)


def test_kernel_that_does_not_fit_is_a_clear_error():
    with pytest.raises(ValueError, match="does not fit"):
        F.im2col(np.ones((1, 1, 2, 2)), 3)
    with pytest.raises(ValueError, match="pair"):
        F.im2col(np.ones((1, 1, 2, 2)), (1, 1, 1))


def test_im2col_and_conv2d_simple_take_an_empty_batch():
    x = np.zeros((0, 2, 5, 5))
    col = F.im2col(x, 3, 1, 1, to_matrix=True)
    assert col.shape == (0, 2 * 3 * 3)
    W = Variable(np.ones((4, 2, 3, 3)))
    y = F.conv2d_simple(Variable(x), W, stride=1, pad=1)
    assert y.shape == (0, 4, 5, 5)
