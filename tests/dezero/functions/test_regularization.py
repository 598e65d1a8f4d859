"""dropout: inverted scaling in train mode, identity in test mode."""
import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Variable, gradient_check


def test_dropout_train_mode_drops_and_rescales():
    np.random.seed(0)
    x = Variable(np.ones((200, 50)))
    y = F.dropout(x, 0.3)
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)  # survivors scaled up
    assert abs(kept.mean() - 0.7) < 0.02
    F.sum(y).backward()
    np.testing.assert_allclose(x.grad.data, np.where(kept, 1 / 0.7, 0.0))  # same mask


def test_dropout_keeps_the_expected_value():
    np.random.seed(1)
    y = F.dropout(np.ones(100_000), 0.5)
    assert abs(y.data.mean() - 1.0) < 0.01


def test_dropout_is_identity_in_test_mode():
    x = Variable(np.arange(6.0))
    with dezero.test_mode():
        y = F.dropout(x, 0.5)
    assert y is x
    assert dezero.Config.train is True


def test_dropout_keeps_float32():
    assert F.dropout(np.ones(4, dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("ratio", [-0.1, 1.0])
def test_dropout_rejects_bad_ratio(ratio):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        F.dropout(np.ones(3), ratio)


def test_dropout_gradient_check_with_a_fixed_mask(rng):
    def f(x):
        np.random.seed(3)  # the same mask on every evaluation
        return F.dropout(x, 0.4) * np.arange(1.0, 7.0).reshape(2, 3)

    assert gradient_check(f, rng.standard_normal((2, 3)))
