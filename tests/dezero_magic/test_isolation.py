"""dezero_magic.isolation: whose code may run again at display time, copies
of what a forward updates in place, prints hidden, random generators restored."""
import random

import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Variable
from dezero_magic.isolation import copy_function, is_dezero_own, isolated, own_classes


class Mine(dezero.Function):        # a subclass the user typed: their code, though a dezero Function
    def forward(self, x):
        return x


def test_only_dezeros_own_classes_are_known():
    y = F.sin(Variable(np.array(1.0)))
    assert is_dezero_own(y.creator)
    assert not is_dezero_own(Mine())
    assert own_classes([y.creator, Mine(), Mine()]) == ["Mine"]


def test_a_copied_batchnorm_updates_its_own_running_mean():
    mean, var = np.zeros(3), np.ones(3)
    x = Variable(np.arange(12.0).reshape(4, 3))
    y = F.batch_norm(x, Variable(np.ones(3)), Variable(np.zeros(3)), mean, var)
    before = mean.copy(), var.copy()
    dup = copy_function(y.creator)
    dup.forward(x.data, np.ones(3), np.zeros(3))
    np.testing.assert_array_equal(mean, before[0])
    np.testing.assert_array_equal(var, before[1])
    assert not np.array_equal(dup.avg_mean, before[0])     # the copy's own running mean moved
    assert dup.inputs is y.creator.inputs                    # the rest is shared, as copy.copy shares it


def test_isolated_hides_prints_and_restores_the_generators():
    np.random.seed(1)
    random.seed(1)
    expected = np.random.rand(), random.random()
    np.random.seed(1)
    random.seed(1)
    with isolated() as hidden:
        print("inside")
        np.random.rand(5)
        random.random()
    assert hidden.text == "inside\n" and hidden.lines == 1
    assert (np.random.rand(), random.random()) == expected


def test_isolated_restores_when_the_code_raises(capsys):
    np.random.seed(2)
    expected = np.random.rand()
    np.random.seed(2)
    with pytest.raises(ZeroDivisionError):
        with isolated():
            print("before the error")
            np.random.rand(3)
            1 / 0
    assert np.random.rand() == expected
    assert capsys.readouterr().out == ""
