"""The backward engine: generation order, retain_grad, dropped outputs, errors,
grad(), and no recursion on very long graphs."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Function, Variable


def test_generation_order_gives_the_right_grad_on_a_diamond():
    """Step 16: y = (x^2)^2 + (x^2)^2 needs a's grad complete before Square(x) runs."""
    x = Variable(np.array(2.0))
    a = F.square(x)
    y = F.square(a) + F.square(a)
    y.backward()
    assert y.data == 32.0
    assert x.grad.data == 64.0


def test_retain_grad_false_frees_intermediate_grads():
    x0, x1 = Variable(np.array(1.0)), Variable(np.array(1.0))
    t = x0 + x1
    y = x0 + t
    y.backward()
    assert y.grad is None and t.grad is None  # step 18
    assert x0.grad.data == 2.0 and x1.grad.data == 1.0


def test_retain_grad_true_keeps_them():
    x0, x1 = Variable(np.array(1.0)), Variable(np.array(1.0))
    t = x0 + x1
    y = x0 + t
    y.backward(retain_grad=True)
    assert y.grad.data == 1.0 and t.grad.data == 1.0


def test_grad_is_a_variable_without_graph_by_default():
    x = Variable(np.array(3.0))
    y = x**3
    y.backward()
    assert isinstance(x.grad, Variable) and x.grad.data == 27.0
    assert x.grad.creator is None
    x.cleargrad()
    y = x**3
    y.backward(create_graph=True)
    assert x.grad.creator is not None


class TwoOut(Function):
    """Returns (x * 2, x * 3); backward combines both output grads."""

    def forward(self, x):
        return x * 2, x * 3

    def backward(self, g0, g1):
        return 2 * g0 + 3 * g1


def test_dropped_second_output_gets_a_zero_grad():
    """The book reads `output().grad` of every output; the dropped one is
    dead (weakref None) and backward crashed. Here it counts as zeros."""
    x = Variable(np.array([1.0, 2.0]))
    y0, _ = TwoOut()(x)
    del _
    y0.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_unused_second_output_still_alive_counts_as_zero():
    x = Variable(np.array(1.0))
    y0, y1 = TwoOut()(x)
    F.square(y0).backward()
    assert x.grad.data == 2 * 2 * 2.0  # d/dx (2x)^2 = 8x
    assert y1.grad is None


def test_both_outputs_used():
    x = Variable(np.array(1.0))
    y0, y1 = TwoOut()(x)
    (y0 + y1).backward()
    assert x.grad.data == 5.0


def test_wrong_grad_shape_names_the_function_and_shapes():
    class BadShape(Function):
        def forward(self, x):
            return x.sum()

        def backward(self, gy):
            return gy  # should be broadcast back to x's shape

    y = BadShape()(Variable(np.ones((2, 3))))
    with pytest.raises(ValueError) as info:
        y.backward()
    message = str(info.value)
    assert "BadShape.backward" in message and "()" in message and "(2, 3)" in message


def test_wrong_number_of_grads_is_named():
    class TooMany(Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            return gy, gy

    y = TooMany()(Variable(np.array(1.0)))
    with pytest.raises(ValueError, match="TooMany.backward returned 2 grads for 1 inputs"):
        y.backward()


def test_config_restored_after_a_failing_backward():
    class Boom(Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            raise KeyError("boom")

    y = Boom()(Variable(np.array(1.0)))
    with pytest.raises(KeyError):
        y.backward()
    assert dezero.Config.enable_backprop is True


def test_grad_function_leaves_dot_grad_untouched():
    x = Variable(np.array(3.0))
    y = x * x * 2.0
    gx, = [dezero.grad(y, [x])[0]]
    assert gx.data == 12.0
    assert x.grad is None and y.grad is None
    assert dezero.grad(y, x).data == 12.0  # a single input gives a single grad


def test_grad_of_an_unrelated_input_is_zeros():
    x = Variable(np.ones(3))
    z = Variable(np.ones(3))
    y = F.sum(x * 2.0)
    gx, gz = dezero.grad(y, [x, z])
    np.testing.assert_array_equal(gx.data, 2.0)
    np.testing.assert_array_equal(gz.data, np.zeros(3))


def test_grad_with_grad_outputs_and_several_outputs():
    x = Variable(np.array([1.0, 2.0]))
    y0, y1 = x * 2.0, x * x
    gx = dezero.grad([y0, y1], x, grad_outputs=[np.array([1.0, 1.0]), Variable(np.array([1.0, 0.0]))])
    np.testing.assert_array_equal(gx.data, [2.0 + 2.0, 2.0])


def test_backward_twice_accumulates_into_leaves():
    x = Variable(np.array(2.0))
    y = F.square(x)
    y.backward(retain_grad=True)
    y.backward(retain_grad=True)
    # the second pass starts from y's kept grad, so x gets 4 + 4
    assert x.grad.data == 8.0


def _run(code, timeout=120):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout)


LONG_CHAIN = """
    import gc, sys, weakref
    import numpy as np
    import dezero
    from dezero import Variable
    sys.setrecursionlimit(1000)  # the default: nothing may recurse per node
    N = 1_000_000
    x = Variable(np.array(1.0))
    y = x
    for _ in range(N):
        y = -y
    y.backward()
    assert x.grad.data == 1.0, x.grad  # (-1)^N with N even
    mid_func = weakref.ref(y.creator)
    del y  # frees a million Functions and Variables: must not overflow the C stack
    assert mid_func() is None
    print("ok")
"""


@pytest.mark.slow
def test_million_op_chain_forward_backward_and_deletion():
    """No recursion anywhere: a 1,000,000-op chain runs forward, backward and is freed."""
    result = _run(LONG_CHAIN)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_long_chain_without_backward_is_freed_without_a_crash():
    code = """
        import numpy as np
        import dezero.functions as F
        from dezero import Variable
        x = Variable(np.array(0.5))
        y = x
        for _ in range(200_000):
            y = F.sin(y)
        del y
        print("ok")
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr[-2000:]


def test_long_chain_of_create_graph_grads_is_freed_without_a_crash():
    code = """
        import numpy as np
        from dezero import Variable
        x = Variable(np.array(1.0))
        y = x
        for _ in range(100_000):
            y = y * 1.0
        y.backward(create_graph=True)
        g = x.grad
        del y
        x.cleargrad()
        g.backward()
        del g
        print("ok")
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
