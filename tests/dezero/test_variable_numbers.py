"""Python's number protocols on a Variable (dezero/variable_numbers.py): a
loss prints with f"{loss:.4f}"; float(), %-formatting, round() and math.*
refuse with what to write, since a float has no graph."""
import math

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable


@pytest.mark.parametrize("data, spec, expected", [
    (np.array(1.23456), ".4f", "1.2346"), (np.array([[2.25]], np.float32), ".3f", "2.250"),
    (np.array(3), "d", "3"), (np.array(0.5), ".1%", "50.0%")])
def test_a_one_number_variable_formats_its_number(data, spec, expected):
    assert f"{Variable(data):{spec}}" == expected


def test_a_loss_from_a_graph_prints_in_an_f_string():
    x = Variable(np.array([1.0, 2.0]))
    loss = F.sum(x ** 2)
    assert f"loss {loss:.2f}" == "loss 5.00"
    assert f"{loss}" == str(loss) == "variable(5.0)"   # no spec: as before


def test_an_array_variable_says_what_to_format():
    with pytest.raises(TypeError, match=r"format spec '\.2f' needs one number, and this Variable holds an array of "
                                        r"shape \(3,\): format one of its numbers \(f'\{v\.data\[0\]:\.2f\}'\)"):
        f"{Variable(np.ones(3)):.2f}"


@pytest.mark.parametrize("call", [lambda v: float(v), lambda v: "%.4f" % v, lambda v: math.exp(v)])
def test_float_refuses_and_says_what_to_write(call):
    with pytest.raises(TypeError, match=r"^float\(v\) of a dezero Variable .*a Python float has no graph\. For "
                                        r"the number, use v\.data\.item\(\).*F\.exp\(v\), not math\.exp\(v\)"):
        call(Variable(np.array(1.5)))


def test_round_refuses_and_says_what_to_write():
    with pytest.raises(TypeError, match=r"^round\(v\) of a dezero Variable: round its array, np\.round\(v\.data, 3\)"):
        round(Variable(np.array(1.5)), 3)
