"""E23: the operators dezero has no Function for (// % divmod < <= > >= & | ^ << >>,
abs, unary + and ~, int) raise a TypeError saying what was written and what to
write instead (Python said "unsupported operand type(s) for //: 'Variable' and
'int'"); `==`, `!=` and hash stay identity; NumPy's reflected operators refuse
too; a batched matmul whose batch axes do not broadcast names them."""
import math
import operator

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable


def v():
    return Variable(np.array([1.5, -2.0, 0.0]))


ADVICE = (r"with (a dezero Variable v|dezero Variables v and w).*: dezero has no .* for Variables\. "
          r"For the value, use the")


@pytest.mark.parametrize("call, written, on_arrays", [
    (lambda x: x // 2, "v // 2", "v.data // 2"),
    (lambda x: 2 // x, "2 // v", "2 // v.data"),
    (lambda x: x % 2, "v % 2", "v.data % 2"),
    (lambda x: 2.5 % x, "2.5 % v", "2.5 % v.data"),
    (lambda x: divmod(x, 2), "divmod(v, 2)", "divmod(v.data, 2)"),
    (lambda x: divmod(3, x), "divmod(3, v)", "divmod(3, v.data)"),
    (lambda x: x < 1, "v < 1", "v.data < 1"),
    (lambda x: x <= 1, "v <= 1", "v.data <= 1"),
    (lambda x: x > 1, "v > 1", "v.data > 1"),
    (lambda x: x >= 1, "v >= 1", "v.data >= 1"),
    (lambda x: 1 < x, "v > 1", "v.data > 1"),  # Python asks v.__gt__(1): the same comparison
    (lambda x: x > Variable(np.ones(3)), "v > w", "v.data > w.data"),
    (lambda x: x < np.ones(3), "v < c", "v.data < c"),
    (lambda x: x & 1, "v & 1", "v.data & 1"),
    (lambda x: 1 | x, "1 | v", "1 | v.data"),
    (lambda x: x ^ 1, "v ^ 1", "v.data ^ 1"),
    (lambda x: x << 1, "v << 1", "v.data << 1"),
    (lambda x: 1 >> x, "1 >> v", "1 >> v.data"),
])
def test_an_operator_dezero_lacks_says_what_was_written_and_what_to_write(call, written, on_arrays):
    with pytest.raises(TypeError) as info:
        call(v())
    message = str(info.value)
    assert message.startswith(written + " with ") and on_arrays + " (NumPy, no gradient)" in message, message
    assert "unsupported operand" not in message and "not supported between" not in message


def test_in_place_floor_division_gets_the_same_advice():
    x = v()
    with pytest.raises(TypeError, match=r"^v // 2 with a dezero Variable v: dezero has no floor division"):
        x //= 2


def test_comparisons_say_there_is_no_gradient_and_how_to_mask_and_what_equality_is():
    with pytest.raises(TypeError, match=ADVICE + r" array: v\.data < 0 \(NumPy, no gradient\); to keep the "
                                        r"graph where a condition holds, multiply by its mask: v \* \(v\.data > 0\)\. "
                                        r"\(`==` and `!=` on Variables test identity"):
        v() < 0


def test_the_remainder_advice_is_right_about_value_and_gradient():
    x = Variable(np.array([5.5, -3.25, 7.0]))
    with pytest.raises(TypeError, match=r"v - \(v\.data // 3\) \* 3 is v % 3 with gradient 1"):
        x % 3
    y = x - (x.data // 3) * 3
    F.sum(y).backward()
    assert np.array_equal(y.data, x.data % 3) and np.array_equal(x.grad.data, np.ones(3))


@pytest.mark.parametrize("call, match", [
    (abs, r"^abs\(v\) of a dezero Variable: dezero has no abs Function\. For the value, use abs\(v\.data\) "
          r"\(NumPy, no gradient\); for a differentiable \|v\| write F\.relu\(v\) \+ F\.relu\(-v\)"),
    (operator.pos, r"^\+v of a dezero Variable v is not defined: write v itself"),
    (operator.invert, r"^~v of a dezero Variable v is not defined: .*~\(v\.data > 0\)"),
    (int, r"^int\(v\) of a dezero Variable .*a Python int has no graph\. For the number, use int\(v\.data\.item\(\)\)"),
    (math.trunc, r"^int\(v\) of a dezero Variable \(also math\.trunc\(v\)"),
])
def test_unary_operators_and_int_say_what_to_write(call, match):
    with pytest.raises(TypeError, match=match):
        call(Variable(np.array([2.5])))


def test_the_abs_advice_is_the_absolute_value_with_torchs_gradient():
    x = v()
    y = F.relu(x) + F.relu(-x)
    F.sum(y).backward()
    assert np.array_equal(y.data, np.abs(x.data)) and np.array_equal(x.grad.data, np.sign(x.data))


def test_the_mask_advice_keeps_the_graph_and_the_dtype():
    x = Variable(np.array([1.5, -2.0], np.float32))
    y = x * (x.data > 0)
    F.sum(y).backward()
    assert y.dtype == np.float32 and np.array_equal(x.grad.data, [1.0, 0.0])


def test_equality_and_hash_stay_identity():
    x, y = v(), v()
    assert (x == x) is True and (x == y) is False and (x != y) is True and (x != x) is False
    assert hash(x) != hash(y) or x is y
    table = {x: "x", y: "y"}
    assert table[x] == "x" and table[y] == "y" and len({x, y, x}) == 2
    assert (np.ones(3) == x) is False  # (numpy_ufuncs: identity, not an object array)


def test_negation_and_matmul_still_work():
    x = Variable(np.array([1.0, 2.0]))
    assert np.array_equal((-x).data, [-1.0, -2.0])
    assert (x @ Variable(np.array([3.0, 4.0]))).data == 11.0


@pytest.mark.parametrize("call, match", [
    (lambda x: np.float64(2) < x, r"comparisons \(<, <=, >, >=\) do not work on a dezero Variable: compare its array"),
    (lambda x: np.array([1.0, 2.0, 3.0]) < x, r"comparisons .* do not work on a dezero Variable"),
    (lambda x: np.array([1.0, 2.0, 3.0]) // x, r"`//` \(np\.floor_divide\) does not work on a dezero Variable: use "
                                                r"its array, v\.data"),
    (lambda x: np.float64(2) % x, r"`%` \(np\.remainder\) does not work on a dezero Variable"),
    (lambda x: divmod(np.float64(2), x), r"np\.divmod does not work on a dezero Variable"),
    (lambda x: np.array([1, 2, 3]) & x, r"`&` \(np\.bitwise_and\) does not work on a dezero Variable"),
])
def test_numpy_on_the_left_refuses_too_not_an_object_array(call, match):
    with pytest.raises(TypeError, match=match):
        call(v())


def test_a_batched_matmul_whose_batch_axes_do_not_broadcast_names_them():
    x, W = Variable(np.ones((2, 3, 4))), Variable(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match=r"^matmul: shapes \(2, 3, 4\) and \(3, 4, 5\) do not fit: their batch axes "
                                         r"\(all but the last two\), \(2,\) and \(3,\), must broadcast: compared from "
                                         r"the right, each pair is equal or one of them is 1"):
        F.matmul(x, W)
    with pytest.raises(ValueError, match=r"batch axes .*\(2, 3\) and \(4,\), must broadcast"):
        Variable(np.ones((2, 3, 1, 4))) @ Variable(np.ones((4, 4, 5)))


def test_batched_matmuls_that_broadcast_and_inner_mismatches_are_as_before():
    y = F.matmul(Variable(np.ones((2, 1, 3, 4))), Variable(np.ones((5, 4, 6))))
    assert y.shape == (2, 5, 3, 6)
    with pytest.raises(ValueError, match=r"the last axis of x \(4\) must equal the second-to-last axis of W \(5\)"):
        F.matmul(Variable(np.ones((2, 3, 4))), Variable(np.ones((3, 5, 6))))


def test_an_operand_with_its_own_reflected_operator_gets_its_call():
    # (review V23-3: the refusal ran before Python could try the right operand's method)
    class Meter:
        def __rfloordiv__(self, other):
            return "rfloordiv"

        def __gt__(self, other):
            return "gt"

    v = Variable(np.array(1.0))
    assert v // Meter() == "rfloordiv"
    assert (v < Meter()) == "gt"


@pytest.mark.parametrize("other", ["w", "3"])
def test_the_remainder_hint_runs_and_gives_the_remainder(other):
    # (review V23-4: for two Variables it suggested v.data // w, which raises)
    v, w = Variable(np.array(7.0)), Variable(np.array(3.0))
    with pytest.raises(TypeError) as info:
        v % (w if other == "w" else 3)
    hint = str(info.value).rsplit("; ", 1)[1].split(" is ")[0]
    y = eval(hint, {"v": v, "w": w})
    assert float(y.data) == 1.0
    y.backward()
    assert float(v.grad.data) == 1.0


def test_other_kinds_of_numbers_still_get_the_hint():
    # (review W23-6: Fraction and Decimal got Python's bare message once other operands were let through)
    from decimal import Decimal
    from fractions import Fraction
    v = Variable(np.array(1.0))
    with pytest.raises(TypeError, match="dezero has no remainder for Variables"):
        v % Fraction(1, 2)
    with pytest.raises(TypeError, match="dezero has no comparison for Variables"):
        v < Decimal("1")
