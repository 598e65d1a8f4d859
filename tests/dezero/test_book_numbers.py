"""The numbers the book prints (steps 24, 28, 29, 33, 34, 36) reproduce exactly."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from dezero.benchmark_functions import goldstein, matyas, rosenbrock

NEWTON_ITERATES = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978,
                   1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0]


def test_step24_goldstein_and_matyas():
    x, y = Variable(np.array(1.0)), Variable(np.array(1.0))
    goldstein(x, y).backward()
    print(x.grad, y.grad)
    assert (x.grad.data, y.grad.data) == (-5376.0, 8064.0)
    assert repr(x.grad) == "variable(-5376.0)" and repr(y.grad) == "variable(8064.0)"
    x, y = Variable(np.array(1.0)), Variable(np.array(1.0))
    matyas(x, y).backward()
    print(x.grad, y.grad)
    assert repr(x.grad) == repr(y.grad) == "variable(0.040000000000000036)"


@pytest.mark.parametrize("iters, expect", [
    (1000, (0.6837118569138317, 0.4659526837427042)),
    (10000, (0.9944984367782456, 0.9890050527419593)),
])
def test_step28_rosenbrock_gradient_descent(iters, expect):
    x0, x1 = Variable(np.array(0.0)), Variable(np.array(2.0))
    lr = 0.001
    for _ in range(iters):
        y = rosenbrock(x0, x1)
        x0.cleargrad()
        x1.cleargrad()
        y.backward()
        x0.data -= lr * x0.grad.data
        x1.data -= lr * x1.grad.data
    print(x0, x1)
    assert (float(x0.data), float(x1.data)) == expect


def _f(x):
    return x**4 - 2 * x**2


def test_step29_newton_with_a_hand_written_second_derivative():
    def gx2(x):
        return 12 * x**2 - 4

    x = Variable(np.array(2.0))
    iterates = []
    for i in range(10):
        iterates.append(float(x.data))
        print(i, x)
        y = _f(x)
        x.cleargrad()
        y.backward()
        x.data -= x.grad.data / gx2(x.data)
    assert iterates[:8] == NEWTON_ITERATES
    assert iterates[8:] == [1.0, 1.0]


def test_step33_newton_by_double_backprop():
    x = Variable(np.array(2.0))
    iterates = []
    for i in range(10):
        iterates.append(float(x.data))
        print(i, x)
        y = _f(x)
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        gx2 = x.grad
        x.data -= gx.data / gx2.data
    assert iterates[:8] == NEWTON_ITERATES  # converges to 1.0 in 7 iterations
    assert iterates[8:] == [1.0, 1.0]


def test_step33_second_derivative_value():
    x = Variable(np.array(2.0))
    y = _f(x)
    y.backward(create_graph=True)
    print(x.grad)
    assert repr(x.grad) == "variable(24.0)"
    gx = x.grad
    x.cleargrad()
    gx.backward()
    print(x.grad)
    assert repr(x.grad) == "variable(44.0)"


def test_step34_sin_derivatives():
    x = Variable(np.array(1.0))
    y = F.sin(x)
    y.backward(create_graph=True)
    printed = []
    for _ in range(3):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
        printed.append(repr(x.grad))
        print(x.grad)
    assert printed == ["variable(-0.8414709848078965)", "variable(-0.5403023058681398)",
                       "variable(0.8414709848078965)"]


def test_step36_double_backprop():
    x = Variable(np.array(2.0))
    y = x**2
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    z = gx**3 + y
    z.backward()
    print(x.grad)
    assert repr(x.grad) == "variable(100.0)"


def test_seeded_layers_draw_the_books_weights():
    # The book's dezero 0.0.13 on NumPy 1 (QA ran it side by side): a Linear's float32
    # weights, and an RNN whose h2h draws after x2h (lazy), as the book's did.
    import dezero.layers as L

    np.random.seed(0)
    W = L.Linear(10, in_size=3).W.data
    assert W.dtype == np.float32 and W[0, 1] == np.float32(0.23103087)
    expect = np.random.RandomState(0).randn(3, 10).astype(np.float32) * np.float32(np.sqrt(1 / 3))
    assert np.array_equal(W, expect)   # scaled in float32: none 1 ulp off
    np.random.seed(0)
    rnn = L.RNN(2)
    np.testing.assert_allclose(rnn(np.ones((1, 2))).data, [[0.95949, 0.95337]], atol=1e-5)
    assert rnn.h2h.W.data is None       # drawn at the second step, as in the book
    rnn(np.ones((1, 2)))
    assert rnn.h2h.W.shape == (2, 2)
