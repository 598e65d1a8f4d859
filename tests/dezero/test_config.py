"""Config, using_config, no_grad, test_mode (steps 18, 52)."""
import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Config, Variable, no_grad, using_config


def test_defaults():
    assert Config.enable_backprop is True
    assert Config.train is True
    assert Config.retain_grad is False


def test_using_config_sets_and_restores():
    with using_config("enable_backprop", False):
        assert Config.enable_backprop is False
        with using_config("enable_backprop", True):
            assert Config.enable_backprop is True
        assert Config.enable_backprop is False
    assert Config.enable_backprop is True


def test_using_config_restores_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with using_config("train", False):
            1 / 0
    assert Config.train is True


def test_unknown_setting_is_named():
    with pytest.raises(AttributeError, match="enable_backpro'") as info:
        with using_config("enable_backpro", False):
            pass
    assert "enable_backprop" in str(info.value)  # the known settings are listed


def test_no_grad_builds_no_graph():
    x = Variable(np.ones((10, 10)))
    with no_grad():
        y = F.square(F.square(x))
        assert Config.enable_backprop is False
    assert y.creator is None
    assert Config.enable_backprop is True
    z = F.square(x)
    assert z.creator is not None


def test_test_mode_switches_train():
    with dezero.test_mode():
        assert Config.train is False
    assert Config.train is True


def test_config_retain_grad_forces_retaining():
    x = Variable(np.array(2.0))
    a = F.square(x)
    y = F.square(a)
    with using_config("retain_grad", True):
        y.backward()
    assert a.grad is not None and a.grad.data == 2 * 4.0
    x.cleargrad()
    a = F.square(x)
    y = F.square(a)
    y.backward()
    assert a.grad is None


def test_exported_from_package():
    assert dezero.Config is Config and dezero.no_grad is no_grad
