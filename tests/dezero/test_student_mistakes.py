"""Wrong results with no error, found by a QA tester playing a student (P1).

Each test fails on the code before its fix: it either got the silent wrong
result or an error that did not say what was wrong.
"""
import gc

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import Variable
from dezero.gradcheck import gradient_check
from dezero.utils import sum_to as sum_to_array


# ---------------------------------------------------------------- 1. reusing a Function object
def test_a_function_object_called_twice_is_two_nodes():
    f = F.Square()
    x = Variable(np.array(3.0))
    y = f(f(x))
    y.backward()
    assert x.grad.data == 108.0  # was: x.grad None
    # the second call ran on a copy: f stays the node of its first call
    assert y.creator is not f and type(y.creator) is F.Square and y.creator.inputs[0].creator is f
    assert f.inputs[0] is x


def test_a_function_object_used_on_two_inputs_keeps_both_grads():
    m = F.Exp()
    x1, x2 = Variable(np.array(1.0)), Variable(np.array(2.0))
    a, b = m(x1), m(x2)
    (a * b).backward()
    assert x1.grad.data == pytest.approx(np.e ** 3) and x2.grad.data == pytest.approx(np.e ** 3)
    gradient_check(lambda u, v: m(u) * m(v), np.array(1.0), np.array(2.0))


def test_the_books_numerical_diff_with_one_function_object_works():
    # Step 4: `f = Square(); numerical_diff(f, x)` calls f twice.
    def numerical_diff(f, x, eps=1e-4):
        y0 = f(Variable(x.data - eps))
        y1 = f(Variable(x.data + eps))
        return (y1.data - y0.data) / (2 * eps)

    assert numerical_diff(F.Square(), Variable(np.array([2.0]))) == pytest.approx(4.0)


def test_a_stateful_function_called_twice_keeps_what_its_first_forward_kept():
    rng = np.random.default_rng(0)
    mse = F.MeanSquaredError()  # forward keeps n
    a, b = Variable(rng.normal(size=10)), Variable(rng.normal(size=10))
    loss = mse(a, b)
    mse(Variable(np.ones(5)), Variable(np.zeros(5)))
    loss.backward()
    np.testing.assert_allclose(a.grad.data, 2 * (a.data - b.data) / 10)  # was: divided by 5
    total = F.Sum(None, False)  # forward keeps x_shape
    x = Variable(rng.normal(size=(2, 3)))
    total(total(x)).backward()
    np.testing.assert_allclose(x.grad.data, np.ones((2, 3)))  # was: a shape error blaming Sum


def test_a_multi_output_function_called_twice_keeps_the_first_graph():
    class Split(dezero.Function):
        def forward(self, x):
            return x[:1], x[1:]

        def backward(self, g0, g1):
            return Variable(np.concatenate([g0.data, g1.data]))

    s = Split()
    x = Variable(np.array([1.0, 2.0]))
    p, q = s(x)
    r, _ = s(Variable(np.array([5.0, 6.0])))
    (p * 3 + q * 4 + r).backward()
    assert x.grad.data.tolist() == [3.0, 4.0]


def test_reusing_a_function_whose_outputs_are_gone_still_works():
    f = F.Square()
    x = Variable(np.array(3.0))
    f(x)  # output dropped at once
    gc.collect()
    y = f(x)
    y.backward()
    assert x.grad.data == 6.0


def test_reusing_a_function_after_unchain_and_under_no_grad_works():
    f = F.Exp()
    x = Variable(np.array(1.0))
    y = f(x)
    y.unchain()  # no longer part of a graph
    z = f(x)
    with dezero.no_grad():
        f(Variable(np.array(5.0)))  # records nothing, so overwrites nothing
    z.backward()
    assert x.grad.data == pytest.approx(np.e) and z.creator is f


# ---------------------------------------------------------------- 2. mean squared error shapes
@pytest.mark.parametrize("mse", [F.mean_squared_error, F.mean_squared_error_simple])
def test_mse_of_n1_against_n_is_an_error_not_a_broadcast(mse):
    x = Variable(np.array([[1.0], [2.0], [3.0]]))
    t = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"\(3, 1\) and \(3,\).*t\.reshape\(-1, 1\)"):
        mse(x, t)  # was 4.0, expected 0.0
    assert mse(x, t.reshape(-1, 1)).data == 0.0


def test_mse_of_equal_shapes_still_checks_numerically():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    assert gradient_check(F.mean_squared_error, x, t)


# ---------------------------------------------------------------- 3. labels out of range
@pytest.mark.parametrize("t", [[0, -1], [0, 3], [0, 4]])
def test_softmax_cross_entropy_rejects_labels_outside_0_to_c(t):
    x = Variable(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, C\) \(C = number of "
                                         r"classes = scores\.shape\[1\] = 3\); got \["):
        F.softmax_cross_entropy(x, np.array(t))  # -1 was taken as class 2


def test_softmax_cross_entropy_simple_rejects_negative_labels():
    with pytest.raises(ValueError, match=r"in \[0, C\)"):
        F.softmax_cross_entropy_simple(Variable(np.zeros((2, 3))), np.array([0, -1]))


def test_accuracy_rejects_labels_outside_0_to_c():
    y = np.array([[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ValueError, match=r"accuracy: labels must be integers in \[0, C\)"):
        F.accuracy(y, np.array([1, 2]))  # was 0.5: the 2 counted silently as a miss
    assert F.accuracy(y, np.array([1, 0])).data == 1.0


def test_softmax_cross_entropy_with_valid_labels_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x_data, t = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    x = Variable(x_data.copy())
    y = F.softmax_cross_entropy(x, t)
    y.backward()
    xt = torch.tensor(x_data, requires_grad=True)
    yt = torch.nn.functional.cross_entropy(xt, torch.tensor(t))
    yt.backward()
    np.testing.assert_allclose(y.data, yt.item(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------- 4. recurrent batch size
@pytest.mark.parametrize("layer", [L.RNN, L.LSTM])
@pytest.mark.parametrize("second", [1, 3])
def test_recurrent_layer_with_a_new_batch_size_says_reset_state(layer, second):
    r = layer(3)
    r(np.ones((4, 2)))
    with pytest.raises(ValueError, match=rf"hidden state has batch 4.*input has batch {second}.*"
                                         r"reset_state\(\)"):
        r(np.ones((second, 2)))  # batch 1 gave shape (4, 3); batch 3 a broadcast error
    r.reset_state()
    assert r(np.ones((second, 2))).shape == (second, 3)


# ---------------------------------------------------------------- 5. nobias must be a bool
def test_linear_in_pytorch_order_is_an_error_with_the_right_call():
    with pytest.raises(TypeError) as info:
        L.Linear(3, 5)  # was a layer of 3 outputs without bias
    message = str(info.value)
    assert "Linear(out_size, nobias=False, dtype=np.float32, in_size=None)" in message
    assert "Linear(5, in_size=3)" in message


@pytest.mark.parametrize("layer", [L.Conv2d, L.Deconv2d])
def test_conv_layers_check_nobias_too(layer):
    with pytest.raises(TypeError, match=rf"{layer.__name__}\(out_channels, kernel_size, .*"
                                        r"nobias must be True or False, got 16"):
        layer(8, 3, 1, 1, 16)


def test_nobias_true_and_false_still_work():
    assert L.Linear(5, True).b is None
    assert L.Linear(5, np.bool_(False)).b.shape == (5,)
    assert L.Conv2d(4, 3, nobias=True).b is None


# ---------------------------------------------------------------- 6. sum_to to a shape it cannot reach
@pytest.mark.parametrize("shape", [(4,), (2, 1, 3), (3, 3), (2,)])
def test_sum_to_a_shape_that_does_not_broadcast_is_an_error(shape):
    x = Variable(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"cannot sum an array of shape \(2, 3\) to shape"):
        F.sum_to(x, shape)  # (4,) gave (3,); (2, 1, 3) gave (1, 3)
    with pytest.raises(ValueError, match="must broadcast to the input's shape"):
        sum_to_array(np.ones((2, 3)), shape)


@pytest.mark.parametrize("shape", [(3,), (1, 3), (2, 1), (1, 1), (), (2, 3)])
def test_sum_to_a_broadcastable_shape_matches_numpy(shape):
    x = np.arange(6.0).reshape(2, 3)
    y = F.sum_to(Variable(x), shape)
    assert y.shape == shape
    np.testing.assert_allclose(y.data, x.sum(axis=tuple(
        i for i in range(2) if i < 2 - len(shape) or shape[i - 2 + len(shape)] == 1),
        keepdims=True).reshape(shape))
    assert y.data.sum() == pytest.approx(x.sum())
    assert gradient_check(lambda v: F.sum_to(v, shape), x)


def test_accuracy_of_one_column_of_scores_says_it_is_a_binary_classifier():
    with pytest.raises(ValueError, match=r"one column of scores is a binary classifier"):
        F.accuracy(np.array([[0.3], [0.9]]), np.array([0, 1]))
