"""E23: a grad has its input's dtype, as in PyTorch. NumPy's promotion made
`float32_x * float64_array` (or an np.int64 scalar, a 0-d float64 exponent) a
float64 result, and backprop gave the float32 input a float64 grad; the
engine now casts a float input's grad to the input's dtype (dezero.backprop).
Python numbers never upcast a float32 graph in the first place."""
import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Variable

X = np.array([1.5, 2.0, 0.5], np.float32)
C = np.array([2.0, 3.0, 0.25])  # float64


# (dezero's expression, torch's) on a float32 x; a float64 constant in each
CASES = {
    "x * c64": (lambda x: x * C, lambda t, c: t * c),
    "c64 * x": (lambda x: C * x, lambda t, c: c * t),
    "x + c64": (lambda x: x + C, lambda t, c: t + c),
    "c64 - x": (lambda x: C - x, lambda t, c: c - t),
    "x / c64": (lambda x: x / C, lambda t, c: t / c),
    "c64 / x": (lambda x: C / x, lambda t, c: c / t),
    "x ** c64": (lambda x: x ** C, lambda t, c: t ** c),
    "c64 ** x": (lambda x: C ** x, lambda t, c: c ** t),
    "x * int64": (lambda x: x * np.int64(3), lambda t, c: t * 3),
    "x ** int64": (lambda x: x ** np.int64(3), lambda t, c: t ** 3),
    "x ** 0-d float64": (lambda x: x ** np.array(2.0), lambda t, c: t ** 2.0),
    "x * 0-d float64": (lambda x: x * np.array(2.0), lambda t, c: t * 2.0),
    "exp(x * c64) * x": (lambda x: F.exp(x * C) * x, lambda t, c: (t * c).exp() * t),
    "max(x * c64)": (lambda x: F.max(x * C), lambda t, c: (t * c).max()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_float32_input_gets_a_float32_grad_as_in_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = CASES[name]
    x = Variable(X.copy())
    F.sum(ours(x)).backward()
    t = torch.tensor(X, requires_grad=True)
    theirs(t, torch.tensor(C)).sum().backward()
    assert str(t.grad.dtype) == "torch.float32"
    assert x.grad.dtype == np.float32, name
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-6)


def test_a_float64_constant_keeps_its_own_float64_grad():
    x, c = Variable(X.copy()), Variable(C.copy())
    F.sum(x * c).backward()
    assert x.grad.dtype == np.float32 and c.grad.dtype == np.float64
    np.testing.assert_allclose(c.grad.data, X)


def test_grads_added_up_and_through_a_matmul_keep_the_dtype():
    x = Variable(X.copy())
    y = x * C + x @ np.ones((3, 2)) @ np.ones(2) + x
    F.sum(y).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, C + 3 * 2 + 1, rtol=1e-6)  # (the scalar product is broadcast 3 times)


def test_float16_inputs_and_retained_intermediates_keep_theirs():
    x = Variable(X.astype(np.float16))
    h = x * 2.0  # float16
    y = F.sum(h * C)  # float64 from here on
    y.backward(retain_grad=True)
    assert x.grad.dtype == h.grad.dtype == np.float16 and y.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, 2 * C, rtol=1e-3)


def test_dezero_grad_casts_too_and_leaves_dot_grad_alone():
    x = Variable(X.copy())
    gx = dezero.grad(F.sum(x * C), x)
    assert gx.dtype == np.float32 and x.grad is None
    np.testing.assert_allclose(gx.data, C.astype(np.float32))


def test_create_graph_casts_inside_the_graph_and_higher_orders_are_right():
    x = Variable(X.copy())
    y = F.sum(x ** 3 * C)
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.dtype == np.float32 and gx.creator is not None
    x.cleargrad()
    F.sum(gx).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, 6 * X * C, rtol=1e-6)


def test_an_integer_input_keeps_its_float_grad_not_rounded_away():
    x = Variable(np.array([1, 2, 3]))
    F.sum(x * 0.5).backward()
    assert x.grad.dtype == np.float64 and np.array_equal(x.grad.data, [0.5, 0.5, 0.5])


@pytest.mark.parametrize("expr", [lambda x: x * 2.0, lambda x: x * 2, lambda x: x + 1, lambda x: 1 - x,
                                  lambda x: x / 3.0, lambda x: 3 / x, lambda x: x ** 2, lambda x: x ** 0.5,
                                  lambda x: 2.0 ** x, lambda x: x * np.float64(2.0), lambda x: -x])
def test_python_numbers_do_not_upcast_a_float32_graph(expr):
    x = Variable(X.copy())
    y = expr(x)
    F.sum(y).backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


class _Steps(dezero.events.Observer):
    def __init__(self):
        self.heard = []

    def on_backward_step(self, function, gys, gxs, pending):
        self.heard.append((function, list(gxs)))


def test_step_hooks_hear_the_grads_as_stored_so_a_tracer_sees_no_grad_kept_from_before():
    # %%dezero's tracer takes an x.grad that is not the grad it heard for a grad kept from an
    # earlier backward ("The grad of x also holds an earlier backward's"): it must hear the cast one.
    x, c = Variable(X.copy()), Variable(C.copy())
    with dezero.events.observing(_Steps()) as steps:
        y = x * c + x  # Add returns one gy for both inputs: only x's use is cast
        F.sum(y).backward()
    [(_, mul_gxs)] = [(f, gxs) for f, gxs in steps.heard if type(f).__name__ == "Mul"]
    assert mul_gxs[0].dtype == np.float32 and mul_gxs[1].dtype == np.float64
    [(_, add_gxs)] = [(f, gxs) for f, gxs in steps.heard if type(f).__name__ == "Add"]
    assert [g.dtype for g in add_gxs] == [np.float64, np.float32]  # (x * c, then x)
    x2 = Variable(X.copy())
    with dezero.events.observing(_Steps()) as steps:
        F.sum(x2 * C + x2 * C).backward()
    [(_, add_gxs)] = [(f, gxs) for f, gxs in steps.heard if type(f).__name__ == "Add"]
    assert [g.dtype for g in add_gxs] == [np.float64, np.float64]  # (intermediates: float64 themselves)
    assert x2.grad.dtype == np.float32
    np.testing.assert_allclose(x2.grad.data, 2 * C, rtol=1e-6)


def test_a_float32_x_plus_itself_with_a_float64_seed_hears_both_uses_cast():
    x = Variable(X.copy())
    y = x + x
    y.grad = Variable(np.ones(3))  # a float64 seed
    with dezero.events.observing(_Steps()) as steps:
        y.backward()
    [(_, gxs)] = steps.heard
    assert [g.dtype for g in gxs] == [np.float32, np.float32] and gxs[0] is not gxs[1]
    assert x.grad.dtype == np.float32 and np.array_equal(x.grad.data, [2.0, 2.0, 2.0])


def test_step_hooks_hear_the_cast_grad_of_a_backward_that_returned_arrays():
    # (second read: the hooks' list was matched by identity with the wrapped grad, so a backward
    # returning arrays (steps 7-24 style) was heard uncast, and a tracer read x.grad as carried)
    from dezero import Function
    from dezero.events import Observer, observing

    class ArrayMul(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, gy):
            a, b = self.inputs
            return (np.asarray(gy.data * b.data, dtype=np.float64),
                    np.asarray(gy.data * a.data, dtype=np.float64))

    class Heard(Observer):
        def __init__(self):
            self.dtypes = []

        def on_backward_step(self, function, gys, gxs, pending):
            self.dtypes.append([g.data.dtype if hasattr(g, "data") else np.asarray(g).dtype for g in gxs])

    x = Variable(np.array(2.0, dtype=np.float32))
    heard = Heard()
    with observing(heard):
        ArrayMul()(x, x).backward()
    assert x.grad.dtype == np.float32 and float(x.grad.data) == 4.0
    assert heard.dtypes == [[np.float32, np.float32]]
