"""Student mistakes found by a QA tester (round 3): each fails with an error or
warning that names the cause and the fix, and nothing else changed."""
import operator
import re
import warnings

import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
import dezero.optimizers as O
from dezero import Model, Parameter, Variable
from dezero.models import MLP


# ---------------------------------------------------------------- 1. x.data -= lr * x.grad
def test_updating_with_the_grad_variable_is_refused_on_the_update_line():
    x = Variable(np.array(3.0))
    with pytest.raises(TypeError) as info:
        for i in range(3):
            y = x ** 2
            x.cleargrad()
            y.backward()
            x.data -= 0.1 * x.grad
    assert i == 0 and x.data == 3.0   # the first update, and x.data is still the array it was
    message = str(info.value)
    assert "`array -= v`" in message and "x.data -= lr * x.grad.data" in message
    assert "Pow.forward returned" not in message


def test_data_set_to_a_variable_otherwise_is_named_at_the_next_op_not_pow():
    # `x.data = x.data - lr * x.grad` is no in-place op: the next operation names it
    x = Variable(np.array(3.0))
    y = x ** 2
    y.backward()
    x.data = x.data - 0.1 * x.grad
    with pytest.raises(TypeError) as info:
        x ** 2
    message = str(info.value)
    assert "x.grad.data" in message and "became a Variable" in message
    assert "Pow.forward returned" not in message
    assert isinstance(info.value.__cause__, TypeError)  # Variable()'s own refusal, chained


def test_a_forward_that_returns_a_variable_is_still_blamed_on_the_forward():
    class Bad(F.Exp):
        def forward(self, x):
            return Variable(x)

    with pytest.raises(TypeError, match=r"Bad\.forward returned a Variable"):
        Bad()(Variable(np.array(1.0)))


# ---------------------------------------------------------------- 2. layers kept in a list
class _ListNet(Model):
    def __init__(self):
        super().__init__()
        self.layers = [L.Linear(4), L.Linear(1)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def test_layers_in_a_list_warn_that_they_are_not_trained():
    model = _ListNet()
    optimizer = O.SGD().setup(model)
    model(np.ones((2, 3))).backward()
    with pytest.warns(UserWarning) as record:
        optimizer.update()
    message = str(record[0].message)
    assert "_ListNet.layers" in message and "not registered" in message
    assert "params()" in message and "optimizers will not train them" in message
    assert "setattr(self" in message and "self.l0 = L.Linear(4)" in message
    assert record[0].filename == __file__  # points at the model's own __init__
    assert list(model.params()) == []  # the book's semantics: still nothing registered


def test_a_list_filled_by_append_and_a_dict_of_parameters_warn_too():
    class AppendNet(Model):
        def __init__(self):
            super().__init__()
            self.blocks = []
            self.blocks.append(L.Linear(2))

    with pytest.warns(UserWarning, match=r"AppendNet\.blocks is a list holding 1"):
        AppendNet().cleargrads()

    class DictNet(Model):
        def __init__(self):
            super().__init__()
            self.weights = {"w": Parameter(np.ones(2))}

    with pytest.warns(UserWarning, match=r"DictNet\.weights is a dict"):
        list(DictNet().params())


def test_registered_layers_in_a_list_and_plain_lists_warn_nothing():
    class Registered(Model):
        def __init__(self):
            super().__init__()
            self.layers = [L.Linear(4), L.Linear(1)]  # registered just below, in a loop
            for i, layer in enumerate(self.layers):
                setattr(self, f"l{i}", layer)
            self.sizes = [4, 1]
            self.config = {"lr": 0.1, "sizes": (4, 1)}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(Registered().params())) == 4
        mlp = MLP((5, 2))
        mlp(np.ones((1, 3)))
        mlp.cleargrads()
        assert len(list(mlp.params())) == 4


# ---------------------------------------------------------------- 3. a list passed to a layer
def test_a_layer_takes_a_list_of_numbers_as_the_F_functions_do():
    layer = L.Linear(3)
    y = layer([[1.0, 2.0]])
    assert y.shape == (1, 3)
    np.testing.assert_allclose(y.data, F.linear(np.array([[1.0, 2.0]]), layer.W, layer.b).data)
    assert MLP((5, 2))([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 2)
    assert L.RNN(3)([[1.0, 2.0]]).shape == (1, 3)
    assert L.LSTM(3)([[1.0, 2.0]]).shape == (1, 3)
    assert L.BatchNorm()([[1.0, 2.0], [3.0, 5.0]]).shape == (2, 2)
    assert L.Conv2d(2, 3, pad=1)(np.zeros((1, 1, 4, 4)).tolist()).shape == (1, 2, 4, 4)


def test_a_layer_refuses_what_is_not_a_table_of_numbers():
    with pytest.raises(TypeError, match=r"Linear takes a Variable or a numpy array.*np\.array"):
        L.Linear(3)([[1.0, 2.0], [3.0]])  # ragged rows
    with pytest.raises(TypeError, match=r"Linear takes a Variable or a numpy array.*got str"):
        L.Linear(3)("1, 2")
    with pytest.raises(TypeError, match=r"Conv2d takes a Variable or a numpy array"):
        L.Conv2d(2, 3)([Variable(np.ones((1, 1, 4, 4)))])


# ---------------------------------------------------------------- 4. softmax of a 1-D vector
@pytest.mark.parametrize("f", [F.softmax, F.log_softmax, F.softmax_simple, F.logsumexp])
def test_softmax_of_one_vector_says_to_make_a_batch(f):
    with pytest.raises(np.exceptions.AxisError, match=r"axis=1.*\(N, C\).*shape \(3,\).*x\.reshape\(1, -1\)"):
        f(Variable(np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(F.softmax(Variable(np.array([1.0, 1.0])), axis=0).data, [0.5, 0.5])


def test_softmax_cross_entropy_of_one_vector_says_to_make_a_batch():
    with pytest.raises(ValueError, match=r"\(N, classes\), got \(3,\).*x\.reshape\(1, -1\)"):
        F.softmax_cross_entropy(Variable(np.array([1.0, 2.0, 3.0])), np.array([1]))


# ---------------------------------------------------------------- 5. one-hot labels
@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_one_hot_labels_are_recognised(dtype):
    x = Variable(np.zeros((4, 3)))
    t = np.eye(3, dtype=dtype)[[0, 1, 2, 0]]
    with pytest.raises(ValueError, match=r"shape \(4, 3\).*looks one-hot.*t\.argmax\(axis=1\)"):
        F.softmax_cross_entropy(x, t)
    loss = F.softmax_cross_entropy(x, t.argmax(axis=1))  # the advice works
    np.testing.assert_allclose(loss.data, np.log(3))


# ---------------------------------------------------------------- 6. NumPy functions on a Variable
def test_np_sum_of_a_variable_is_its_sum_and_extra_keywords_name_F_sum():
    v = Variable(np.array([1.0, 2.0, 3.0]))
    s = np.sum(v)
    assert isinstance(s, Variable) and s.data == 6.0
    s.backward()
    np.testing.assert_array_equal(v.grad.data, [1.0, 1.0, 1.0])
    assert np.sum(v, axis=0, keepdims=True).shape == (1,)
    with pytest.raises(TypeError, match=r"dtype=.*F\.sum\(v, axis, keepdims\).*np\.sum\(v\.data"):
        np.sum(v, dtype=np.float32)
    with pytest.raises(TypeError, match=r"out=.*F\.sum"):
        np.sum(v, out=np.zeros(()))


@pytest.mark.parametrize("name", ["max", "min"])
def test_np_max_and_min_of_a_variable_are_its_own(name):
    # they failed with "_max() got an unexpected keyword argument 'out'"
    v = Variable(np.array([1.0, 3.0, 2.0]))
    m = getattr(np, name)(v)
    assert isinstance(m, Variable) and m.data == (3.0 if name == "max" else 1.0)
    m.backward()
    np.testing.assert_array_equal(v.grad.data, [0.0, 1.0, 0.0] if name == "max" else [1.0, 0.0, 0.0])
    with pytest.raises(TypeError, match=rf"out=.*F\.{name}\(v, axis, keepdims\)"):
        getattr(np, name)(v, out=np.zeros(()))


@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh"])
def test_numpy_ufuncs_on_a_variable_name_the_F_function(name):
    v = Variable(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=rf"np\.{name} does not work on a dezero Variable: use "
                                        rf"F\.{name}\(v\).*np\.{name}\(v\.data\)"):
        getattr(np, name)(v)


def test_other_numpy_ufuncs_and_operators_name_the_array():
    v = Variable(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"np\.sqrt does not work on a dezero Variable: use its array, v\.data"):
        np.sqrt(v)
    # NumPy gets `v > 1.0` as np.less(1.0, v): the message names no mirrored operator
    for compare in (lambda: np.ones(2) < v, lambda: v > np.float64(1.0), lambda: np.float64(1.0) >= v):
        # (v > np.float64(1.0) reaches Variable.__gt__ first: its own refusal, QA E23)
        with pytest.raises(TypeError, match=r"(comparisons \(<, <=, >, >=\) do not work on a dezero Variable|"
                                            r"dezero has no comparison for Variables).*v\.data"):
            compare()
    with pytest.raises(TypeError, match=r"`//` \(np\.floor_divide\)"):
        np.ones(2) // v


@pytest.mark.parametrize("call, public", [(np.prod, "np.prod"), (np.add.accumulate, "np.add.accumulate"),
                                          (lambda v: np.multiply.outer(v.data, v), "np.multiply.outer")])
def test_numpy_reductions_of_a_variable_are_named_as_written(call, public):
    # np.prod(v) reaches the ufunc hook as np.multiply.reduce: the message says np.prod
    with pytest.raises(TypeError, match=rf"{re.escape(public)} does not work on a dezero Variable\b.*"
                                        rf"{re.escape(public)}\(v\.data\)"):
        call(Variable(np.array([1.0, 2.0, 3.0])))


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "**=", "@="])
def test_an_array_updated_in_place_by_a_variable_is_refused_and_left_as_it_was(op):
    a = np.array([[2.0, 3.0], [4.0, 5.0]])
    v = Variable(np.ones((2, 2)))
    before = a.copy()
    scope = {"a": a, "v": v}
    with pytest.raises(TypeError, match=r"x\.data -= lr \* x\.grad\.data"):
        exec(f"a {op} v", scope)
    assert scope["a"] is a and np.array_equal(a, before)
    with pytest.raises(TypeError, match=r"a numpy array cannot hold it"):
        np.add(a, v, out=a)             # (it returned a Variable and left a as it was)


def test_arithmetic_between_arrays_and_variables_gives_numpys_values_and_grads():
    a, data = np.array([2.0, 3.0]), np.array([1.5, 4.0], np.float32)
    ops = (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow)
    for op in ops:
        for left in (a, np.float64(2.0), np.float32(2.0), a.astype(np.float32), np.array(2.0)):
            v = Variable(data.copy())
            y = op(left, v)  # NumPy's operator first
            expected = op(left, data)
            assert type(y) is Variable, (op, type(left))
            if np.ndim(left):   # (a NumPy scalar keeps the Variable's dtype in dezero, as a Python one)
                assert y.dtype == expected.dtype, (op, left.dtype)
            np.testing.assert_allclose(y.data, expected, rtol=1e-6)
            F.sum(y).backward()   # a graph: d/dv of sum(op(left, v)), against central differences
            h = 1e-3
            numeric = (np.sum(op(left, data.astype(np.float64) + h))
                       - np.sum(op(left, data.astype(np.float64) - h))) / (2 * h)
            np.testing.assert_allclose(np.sum(v.grad.data), numeric, rtol=1e-3)
    y = np.ones((2, 2)) @ Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert type(y) is Variable and np.array_equal(y.data, [[4.0, 6.0], [4.0, 6.0]])
    neg = np.negative(Variable(np.array([1.0, -2.0])))     # the hook's unary branch
    assert type(neg) is Variable and np.array_equal(neg.data, [-1.0, 2.0])
    v = Variable(data)
    assert (a == v) is False and (a != v) is True  # identity, as before
    x = Variable(np.array(3.0))
    y = np.float64(2.0) * x ** 2
    y.backward()
    assert x.grad.data == 12.0  # the graph goes through the reflected operator
