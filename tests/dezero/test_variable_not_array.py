"""np.array(v), np.asarray(v), plt.plot(v) on a dezero Variable: one clear
error (as PyTorch refuses np.array of a tensor that requires grad), where
NumPy made an object array of Variables, recording a GetItem per element,
and plt.plot failed with "setting an array element with a sequence". The
NumPy functions whose own code converted a Variable that way (np.trace,
np.dot of 1-d operands, np.trapezoid, np.nansum) keep working through
dezero twins, with their gradients."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import dezero  # noqa: E402
import dezero.functions as F  # noqa: E402
import dezero.layers as L  # noqa: E402
from dezero import Variable, as_array, as_variable, events  # noqa: E402
from dezero.gradcheck import numerical_grad  # noqa: E402

SAID = r"a Variable is not a NumPy array.*Pass its array, v\.data.*np\.array\(\[a\.data, b\.data\]\)"


class _Recorder(events.Observer):
    def __init__(self):
        self.functions = []

    def on_forward(self, function, inputs, outputs):
        self.functions.append(type(function).__name__)


@pytest.fixture
def recorded():
    """The names of the Functions that ran during the test."""
    with events.observing(_Recorder()) as recorder:
        yield recorder.functions


@pytest.fixture
def figure():
    fig = plt.figure()
    yield fig
    plt.close(fig)


@pytest.mark.parametrize("convert", [
    np.array, np.asarray, np.asanyarray, lambda v: np.array(v, dtype=np.float64),
    lambda v: np.asarray(v, dtype=object), lambda v: np.array(v, copy=False), lambda v: v.to_numpy()],
    ids=["array", "asarray", "asanyarray", "array-dtype", "asarray-object", "array-nocopy", "to_numpy"])
def test_converting_a_variable_is_refused_with_what_to_write(convert, recorded):
    v = Variable(np.linspace(0, 1, 5))
    with pytest.raises(TypeError, match=SAID):
        convert(v)
    assert recorded == []   # (NumPy had read it element by element: 5 GetItem calls)
    np.testing.assert_array_equal(np.asarray(v.data), np.linspace(0, 1, 5))


@pytest.mark.parametrize("items", [
    lambda: [Variable(np.array(1.0)), Variable(np.array(2.0))],
    lambda: [Variable(np.ones(3)), Variable(np.zeros(3))],
    lambda: (Variable(np.array(1.0)), 2.0)], ids=["0-d", "1-d", "tuple-mixed"])
def test_a_list_of_variables_is_refused_too(items, recorded):
    with pytest.raises(TypeError, match=SAID):
        np.array(items())
    with pytest.raises(TypeError, match=SAID):
        np.array(items(), dtype=object)
    assert recorded == []


def test_the_error_is_a_type_error_of_the_kind_the_other_numpy_refusals_raise():
    from dezero.functions.numpy_ufuncs import VariableTypeError

    with pytest.raises(VariableTypeError):
        np.asarray(Variable(np.ones(2)))


@pytest.mark.parametrize("draw", [
    lambda x, y: lambda: plt.plot(y), lambda x, y: lambda: plt.plot(x, y), lambda x, y: lambda: plt.plot(x.data, y),
    lambda x, y: lambda: plt.plot(x, y.data, "o-"), lambda x, y: lambda: plt.scatter(x, y),
    lambda x, y: lambda: plt.scatter(x.data, y), lambda x, y: lambda: plt.hist(y), lambda x, y: lambda: plt.bar(x, y),
    lambda x, y: lambda: plt.gca().plot(x, y), lambda x, y: lambda items=[x[0], x[1]]: plt.plot(items),
    lambda x, y: lambda: plt.plot(Variable(np.array(1.0)), 2.0, "o")],
    ids=["plot-y", "plot-xy", "plot-data-var", "plot-var-data", "scatter", "scatter-data-var", "hist", "bar",
         "axes-plot", "plot-list", "plot-0d"])
def test_matplotlib_refuses_a_variable_with_the_same_error_and_records_nothing(draw, figure, recorded):
    x = Variable(np.linspace(0, 1, 5))
    call = draw(x, x * 2)
    recorded.clear()
    with pytest.raises(TypeError, match=SAID):
        call()
    # (matplotlib had walked a Variable element by element before converting it: a GetItem each)
    assert recorded == []


def test_matplotlib_takes_the_arrays(figure):
    x = Variable(np.linspace(0, 1, 5))
    (line,) = plt.plot(x.data, (x * 2).data)
    np.testing.assert_array_equal(line.get_ydata(), np.linspace(0, 2, 5))


def test_an_object_array_filled_one_by_one_still_holds_variables():
    a, b = Variable(np.array(1.0)), Variable(np.array(2.0))
    held = np.empty(2, dtype=object)
    held[0], held[1] = a, b
    assert held[0] is a and held[1] is b


def test_operators_with_arrays_on_either_side_still_give_variables():
    x = Variable(np.array([1.0, 2.0]))
    for y in (np.array([2.0]) + x, x + np.array([2.0]), np.ones(2) * x, x * np.ones(2), np.array(3.0) - x):
        assert isinstance(y, Variable)
    arr = np.ones(2)
    y = arr * x
    y.backward()
    np.testing.assert_array_equal(x.grad.data, arr)
    assert isinstance(as_variable(np.ones(2)), Variable) and as_variable(x) is x
    assert isinstance(as_array(np.float64(2.0)), np.ndarray)


def _grads(f, *arrays):
    """(dezero's grads, central differences) of sum(f(*variables))."""
    xs = [Variable(a.copy()) for a in arrays]
    F.sum(f(*xs)).backward()
    return [x.grad.data for x in xs], numerical_grad(f, *arrays)


@pytest.mark.parametrize("args", [(), (1,), (-1,), (0, 0, 1), (1, 2, 0), (0, -1, -2), (9,)])
def test_trace_gives_numpys_value_and_its_grad(args):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4, 5)) if len(args) == 3 else rng.standard_normal((4, 5))
    y = np.trace(Variable(a), *args)
    assert isinstance(y, Variable)
    np.testing.assert_allclose(y.data, np.trace(a, *args), rtol=1e-12)
    got, numeric = _grads(lambda v: np.trace(v, *args), a)
    np.testing.assert_allclose(got[0], numeric[0], atol=1e-6)


def test_trace_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((3, 4, 5))
    for offset, dim1, dim2 in ((0, 1, 2), (1, 0, 2), (-2, 2, 1)):
        v, t = Variable(a.copy()), torch.tensor(a, requires_grad=True)
        weights = np.arange(1.0, 1.0 + np.trace(a, offset, dim1, dim2).size).reshape(np.trace(a, offset, dim1, dim2).shape)
        F.sum(np.trace(v, offset, dim1, dim2) * weights).backward()
        (torch.diagonal(t, offset, dim1, dim2).sum(-1) * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(v.grad.data, t.grad.numpy(), rtol=1e-12)
    m = np.random.default_rng(2).standard_normal((4, 4))
    np.testing.assert_allclose(np.linalg.trace(Variable(m)).data, torch.trace(torch.tensor(m)).item(), rtol=1e-12)


def test_trace_of_int_data_and_its_mistakes_are_numpys():
    y = np.trace(Variable(np.eye(3, dtype=int)))
    assert y.data == 3 and y.data.dtype.kind == "i"
    with pytest.raises(ValueError, match="at least two dimensions"):
        np.trace(Variable(np.ones(3)))
    with pytest.raises(ValueError, match="cannot be the same"):
        np.trace(Variable(np.ones((2, 2))), 0, 1, 1)


def test_average_of_int_data_with_weights_is_numpys_and_float_data_has_its_grad():
    v = Variable(np.array([1, 2, 3]))
    y = np.average(v, weights=[0.5, 0.25, 0.25])
    assert y.data == pytest.approx(1.75) and y.data.dtype == np.float64
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
        np.average(Variable(np.ones((2, 3))), axis=1, weights=[1.0, -1.0, 0.0])
    a = np.random.default_rng(3).standard_normal((2, 3))
    got, numeric = _grads(lambda x: np.average(x, axis=1, weights=[1.0, 2.0, 3.0]), a)
    np.testing.assert_allclose(got[0], numeric[0], atol=1e-6)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((), (3,))])
def test_dot_of_1d_and_2d_operands_gives_numpys_value_and_grads(shapes):
    rng = np.random.default_rng(4)
    a, b = (rng.standard_normal(s) for s in shapes)
    y = np.dot(Variable(a), Variable(b))
    np.testing.assert_allclose(y.data, np.dot(a, b), rtol=1e-12)
    got, numeric = _grads(lambda p, q: np.dot(p, q), a, b)
    for g, n in zip(got, numeric):
        np.testing.assert_allclose(g, n, atol=1e-6)
    assert np.dot([1.0, 2.0, 3.0], Variable(np.ones(3))).data == 6.0
    with pytest.raises(ValueError, match="not aligned"):
        np.dot(Variable(np.ones(3)), Variable(np.ones(2)))


@pytest.mark.parametrize("kwargs", [{}, {"dx": 0.5}, {"x": [0.0, 1.0, 3.0, 4.0]}])
def test_trapezoid_gives_numpys_value_and_its_grad(kwargs):
    a = np.random.default_rng(5).standard_normal((2, 4))
    y = np.trapezoid(Variable(a), **kwargs)
    np.testing.assert_allclose(y.data, np.trapezoid(a, **kwargs), rtol=1e-12)
    got, numeric = _grads(lambda v: np.trapezoid(v, **kwargs), a)
    np.testing.assert_allclose(got[0], numeric[0], atol=1e-6)
    np.testing.assert_allclose(np.trapezoid(Variable(a.T), axis=0, **kwargs).data, np.trapezoid(a.T, axis=0, **kwargs))


def test_nansum_without_nans_is_sum_and_with_nans_says_how():
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.nansum(Variable(a), axis=0).data, a.sum(axis=0))
    with pytest.raises(TypeError, match=r"np\.nansum does not work.*F\.sum\(v\[~np\.isnan\(v\.data\)\]\)"):
        np.nansum(Variable(np.array([1.0, np.nan])))   # (it had summed the NaN: variable(nan))


def test_answers_without_gradients_are_computed_on_the_array():
    v = Variable(np.array([3.0, 1.0, 2.0]))
    np.testing.assert_array_equal(np.isin(v, [1.0]), [False, True, False])   # (was all False)
    keys = np.array([[3.0, 1.0, 2.0], [1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(np.lexsort(Variable(keys)), np.lexsort(keys))
    assert np.array_str(v) == np.array_str(v.data)
    assert np.linalg.matrix_rank(Variable(np.eye(3))) == 3


def test_a_refusal_names_the_function_called():
    with pytest.raises(TypeError, match=r"^np\.prod does not work on a dezero Variable.*np\.prod\(v\.data\)"):
        np.prod(Variable(np.ones(3)))
    with pytest.raises(TypeError, match=r"^np\.mean does not work on a dezero Variable \(NumPy converts it"):
        np.mean(Variable(np.ones(3)), dtype=np.float32)


@pytest.mark.parametrize("make", [lambda: L.Linear(2), lambda: L.Linear(2, in_size=3)])
def test_layers_take_arrays_and_variables_alike_with_their_grads(make):
    layer = make()
    x = np.random.default_rng(6).standard_normal((4, 3))
    from_array = layer(x)
    np.testing.assert_array_equal(layer(Variable(x.copy())).data, from_array.data)
    np.testing.assert_array_equal(layer(x.tolist()).data, from_array.data)
    numeric = numerical_grad(lambda xv, wv: F.linear(xv, wv, layer.b.data), x, layer.W.data)
    xv = Variable(x.copy())
    layer.cleargrads()
    F.sum(layer(xv)).backward()
    np.testing.assert_allclose(xv.grad.data, numeric[0], atol=1e-6)
    np.testing.assert_allclose(layer.W.grad.data, numeric[1], atol=1e-6)


def test_a_layer_given_a_list_of_variables_says_to_pass_their_arrays():
    a, b = Variable(np.ones(3)), Variable(np.zeros(3))
    with pytest.raises(TypeError, match=r"Linear takes a Variable or a numpy array.*np\.array\(\[a\.data, b\.data\]\)"):
        L.Linear(2)([a, b])
    assert L.Linear(2)(np.array([a.data, b.data])).shape == (2, 2)


def test_datasets_and_the_book_step_24_core_are_unchanged():
    from dezero import core_simple as cs

    train = dezero.datasets.Spiral(train=True)
    x, t = train[0]
    assert isinstance(x, np.ndarray) and np.ndim(t) == 0
    # the step-24 core's own Variable is not dezero.Variable: NumPy still converts it as the book's did
    assert np.array(cs.Variable(np.ones(2))).dtype == object
    with pytest.raises(TypeError, match="core_simple Variable cannot be combined with dezero.core.Variable"):
        cs.Variable(np.array(1.0)) + Variable(np.array(1.0))


@pytest.mark.parametrize("write", [
    lambda v: np.copyto(v, np.zeros(3)), lambda v: np.put(v, [0], [0.0]), lambda v: np.putmask(v, v.data > 0, 0.0),
    lambda v: np.place(v, v.data > 0, [0.0])], ids=["copyto", "put", "putmask", "place"])
def test_a_refused_in_place_function_leaves_the_variable_as_it_was(write):
    # (the refusal first tries the call on the arrays, to tell the call's own mistakes: on a copy)
    v = Variable(np.ones(3))
    with pytest.raises(TypeError, match="does not work on a dezero Variable"):
        write(v)
    np.testing.assert_array_equal(v.data, np.ones(3))


def test_np_sum_of_a_list_of_variables_says_to_use_pythons_sum_which_keeps_the_graph():
    # Review: np.sum([x * x for x in xs]) had given a Variable through an object array; now refused,
    # and the message names the spelling that keeps the graph.
    xs = [Variable(np.array(float(i))) for i in range(3)]
    with pytest.raises(TypeError, match=r"Python's sum\(vs\) instead of np\.sum\(vs\)"):
        np.sum([x * x for x in xs])
    y = sum(x * x for x in xs)
    y.backward()
    assert float(y.data) == 5.0 and [float(x.grad.data) for x in xs] == [0.0, 2.0, 4.0]


@pytest.mark.parametrize("combine", [lambda v, s: v + [s, s], lambda v, s: v * (s,), lambda v, s: [s, s] - v])
def test_a_variable_combined_with_a_list_of_variables_says_so(combine):
    # Review: the operator's own error had become np.array's refusal (the user called neither np.array nor plt).
    v, s = Variable(np.ones(2)), Variable(np.array(2.0))
    with pytest.raises(TypeError, match=r"cannot be combined with (list|tuple) .*it holds Variables: combine them one "
                                        r"by one, e\.g\. sum\(vs\)"):
        combine(v, s)
