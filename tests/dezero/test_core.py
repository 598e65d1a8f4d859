"""Variable and Function (steps 1-24): attributes, errors, graph links, memory."""
import gc
import weakref

import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Function, Parameter, Variable, as_array, as_variable


def test_variable_holds_data_and_book_attributes():
    data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = Variable(data, name="x")
    assert x.data is data
    assert x.name == "x"
    assert x.grad is None and x.creator is None and x.generation == 0
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and x.dtype == np.float64
    assert len(x) == 2


def test_variable_accepts_none():
    x = Variable(None)
    assert x.data is None
    assert repr(x) == "variable(None)"


def test_repr_as_in_the_book():
    assert repr(Variable(np.array(1.0))) == "variable(1.0)"
    assert repr(Variable(np.array([1, 2, 3]))) == "variable([1 2 3])"
    # Rows of a matrix are indented under the first (step 19).
    assert repr(Variable(np.array([[1, 2, 3], [4, 5, 6]]))) == (
        "variable([[1 2 3]\n          [4 5 6]])"
    )


@pytest.mark.parametrize("bad", [1, 1.5, [1, 2], "a", (1,)])
def test_variable_rejects_non_arrays_with_the_fix(bad):
    with pytest.raises(TypeError) as info:
        Variable(bad)
    message = str(info.value)
    assert type(bad).__name__ in message
    assert "np.array(" in message


def test_as_array_turns_numpy_scalars_into_0d_arrays():
    y = np.array(1.0) * np.array(2.0)  # numpy returns a float64 scalar here
    assert not isinstance(y, np.ndarray)
    a = as_array(y)
    assert isinstance(a, np.ndarray) and a.ndim == 0 and a == 2.0
    arr = np.ones(3)
    assert as_array(arr) is arr
    assert isinstance(as_array(3), np.ndarray)


def test_as_variable():
    x = Variable(np.array(1.0))
    assert as_variable(x) is x
    p = Parameter(np.array(2.0))
    assert as_variable(p) is p
    v = as_variable(np.array([1.0, 2.0]))
    assert isinstance(v, Variable) and v.data.tolist() == [1.0, 2.0]
    assert as_variable(3.0).data == 3.0


def test_function_links_creator_inputs_outputs_and_generation():
    x = Variable(np.array(2.0))
    a = F.square(x)
    b = F.exp(a)
    f = b.creator
    assert isinstance(f, F.Exp)
    assert f.inputs == [a]
    assert f.outputs[0]() is b  # a weak reference (step 17)
    assert isinstance(f.outputs[0], weakref.ref)
    assert (x.generation, a.generation, b.generation) == (0, 1, 2)
    assert a.creator.generation == 0 and f.generation == 1


def test_function_output_of_0d_forward_is_an_array():
    y = F.square(Variable(np.array(3.0)))
    assert isinstance(y.data, np.ndarray) and y.data.shape == () and y.data == 9.0


class _Split(Function):
    """Two inputs in, two outputs out (variable-length inputs and outputs, step 11-12)."""

    def forward(self, a, b):
        return a + b, a * b

    def backward(self, g_sum, g_prod):
        a, b = self.inputs
        return g_sum + g_prod * b, g_sum + g_prod * a


def test_variable_length_inputs_and_outputs():
    a, b = Variable(np.array(2.0)), Variable(np.array(3.0))
    s, p = _Split()(a, b)
    assert (s.data, p.data) == (5.0, 6.0)
    y = s + p
    y.backward()
    assert a.grad.data == 1 + 3.0 and b.grad.data == 1 + 2.0


def test_unimplemented_forward_and_backward_say_what_to_define():
    class Nothing(Function):
        pass

    with pytest.raises(NotImplementedError, match="Nothing.forward"):
        Nothing()(np.array(1.0))

    class OnlyForward(Function):
        def forward(self, x):
            return x

    y = OnlyForward()(np.array(1.0))
    with pytest.raises(NotImplementedError, match="OnlyForward.backward"):
        y.backward()


def test_cleargrad_resets_so_grads_do_not_accumulate():
    x = Variable(np.array(3.0))
    y = x + x
    y.backward()
    assert x.grad.data == 2.0
    y = x + x
    y.backward()
    assert x.grad.data == 4.0  # accumulated (step 14)
    x.cleargrad()
    y = x + x
    y.backward()
    assert x.grad.data == 2.0


def test_reshape_transpose_T_and_sum_methods():
    x = Variable(np.arange(6.0).reshape(2, 3))
    assert x.reshape((3, 2)).shape == (3, 2)
    assert x.reshape(3, 2).shape == (3, 2)
    assert x.transpose().shape == (3, 2)
    assert x.T.shape == (3, 2)
    y = Variable(np.zeros((2, 3, 4)))
    assert y.transpose(1, 0, 2).shape == (3, 2, 4)
    assert y.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert x.sum().data == 15.0
    assert x.sum(axis=0).data.tolist() == [3.0, 5.0, 7.0]
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    y = x.reshape(6).T.sum()
    y.backward()
    assert x.grad.shape == (2, 3)
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))


def test_graph_is_freed_by_reference_counting_alone():
    """Step 17: outputs are weak references, so no cycle keeps a graph alive."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = Variable(np.random.default_rng(0).standard_normal(100))
        y = x
        for _ in range(10):
            y = F.sin(F.square(y) * 0.5)
        y.backward()
        fref = weakref.ref(y.creator)
        mid = weakref.ref(y.creator.inputs[0])
        yref = weakref.ref(y)
        del y
        assert yref() is None
        assert fref() is None
        assert mid() is None
        assert x.grad is not None  # the leaf keeps its grad
    finally:
        if was_enabled:
            gc.enable()


def test_no_grad_graph_keeps_no_inputs():
    x = Variable(np.array(1.0))
    with dezero.no_grad():
        y = F.square(x)
    assert y.creator is None
    assert y.generation == 0


def test_unchain_backward_cuts_links():
    x = Variable(np.array(1.0))
    y = F.square(F.square(F.square(x)))
    y.unchain_backward()
    assert y.creator is None
    # the inner Functions lost their outputs' creators too: nothing to walk from y
    y.backward()
    assert x.grad is None


def test_a_forward_without_return_is_told_where_it_happened():
    class Cube(Function):
        def forward(self, x):
            y = x ** 3  # noqa: F841 - the student's missing `return`

    class Pair(Function):
        def forward(self, x):
            return x, None

    x = Variable(np.array(1.0))
    with pytest.raises(TypeError, match=r"Cube.forward returned None.*forget `return`"):
        Cube()(x)
    with pytest.raises(TypeError, match="Pair.forward returned None"):
        Pair()(x)
    assert x.creator is None and x.grad is None
