"""NumPy functions given a Variable (Variable.__array_function__,
dezero/functions/numpy_functions.py): dezero's twin where there is one, the
array where the answer has no gradient, else a message naming the function."""
import re

import numpy as np
import pytest

from dezero import Variable
from dezero.gradcheck import gradient_check

RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 3))
# A weight per output entry: sum(W * f(x)) checks every entry's grad, not only their sum.
TWINS = [
    ("np.mean", lambda v: np.mean(v), lambda a: np.mean(a)),
    ("np.mean axis 0", lambda v: np.mean(v, axis=0), lambda a: np.mean(a, axis=0)),
    ("np.mean axis 1 keepdims", lambda v: np.mean(v, axis=1, keepdims=True), lambda a: np.mean(a, 1, keepdims=True)),
    ("np.average axis 1", lambda v: np.average(v, axis=1), lambda a: np.average(a, axis=1)),
    ("np.average weights", lambda v: np.average(v, weights=X ** 2), lambda a: np.average(a, weights=X ** 2)),
    ("np.average axis weights", lambda v: np.average(v, axis=1, weights=[1.0, 2.0, 3.0]),
     lambda a: np.average(a, axis=1, weights=[1.0, 2.0, 3.0])),
    ("np.reshape", lambda v: np.reshape(v, (3, 2)), lambda a: np.reshape(a, (3, 2))),
    ("np.reshape -1", lambda v: np.reshape(v, (-1, 2)), lambda a: np.reshape(a, (-1, 2))),
    ("np.ravel", lambda v: np.ravel(v), lambda a: np.ravel(a)),
    ("np.expand_dims", lambda v: np.expand_dims(v, 1), lambda a: np.expand_dims(a, 1)),
    ("np.broadcast_to", lambda v: np.broadcast_to(v, (4, 2, 3)), lambda a: np.broadcast_to(a, (4, 2, 3))),
    ("np.clip", lambda v: np.clip(v, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    ("np.dot 2-d", lambda v: np.dot(v, np.ones((3, 4)) * 0.5), lambda a: np.dot(a, np.ones((3, 4)) * 0.5)),
]


@pytest.mark.parametrize("name, on_variable, on_array", TWINS, ids=[t[0] for t in TWINS])
def test_a_numpy_function_with_a_dezero_twin_gives_a_differentiable_variable(name, on_variable, on_array):
    y = on_variable(Variable(X.copy()))
    assert isinstance(y, Variable), f"{name} gave {type(y).__name__}"
    np.testing.assert_allclose(y.data, on_array(X), rtol=1e-12)
    weights = RNG.normal(size=y.shape)
    # (np.clip's kinks at +-0.5 are away from X's entries by more than eps)
    assert gradient_check(lambda v: on_variable(v) * weights, X.copy())


def test_np_mean_grads_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    w = RNG.normal(size=(3,))
    x = Variable(X.copy())
    (np.mean(x, axis=0) * w).sum().backward()
    t = torch.tensor(X, requires_grad=True)
    (t.mean(dim=0) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("call, expected", [
    (lambda v: np.argmax(v), np.argmax(X)),
    (lambda v: np.argmax(v, axis=1), np.argmax(X, axis=1)),
    (lambda v: np.argmin(v, axis=0), np.argmin(X, axis=0)),
    (lambda v: np.argsort(v, axis=1), np.argsort(X, axis=1)),
    (lambda v: np.count_nonzero(v), np.count_nonzero(X)),
    (lambda v: np.allclose(v, X), True),
    (lambda v: np.isclose(v, X), np.ones(X.shape, bool)),
    (lambda v: np.array_equal(v, X), True),    # was False: NumPy compared Variable objects
    (lambda v: np.zeros_like(v), np.zeros_like(X)),
    (lambda v: np.unique(v), np.unique(X)),
    (lambda v: np.shape(v), X.shape),
])
def test_answers_without_gradients_are_computed_on_the_array(call, expected):
    result = call(Variable(X.copy()))
    assert not isinstance(result, Variable)
    np.testing.assert_array_equal(result, expected)


def test_accuracy_written_with_np_argmax_on_the_scores():
    scores = Variable(np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.5]]))
    labels = np.array([1, 2])
    assert (np.argmax(scores, axis=1) == labels).mean() == 0.5


@pytest.mark.parametrize("call, name, example, fix", [
    (lambda a, b: np.concatenate([a, b]), "np.concatenate", "np.concatenate([a.data, b.data])",
     "no differentiable concatenate"),
    (lambda a, b: np.stack([a, b.data]), "np.stack", "np.stack([a.data, b.data])", "no differentiable stack"),
    (lambda a, b: np.vstack([a, b]), "np.vstack", "np.vstack([a.data, b.data])", "dezero.functions"),
    (lambda a, b: np.where(a.data > 0, a, 0), "np.where", None, r"v \* \(v\.data > 0\)"),
    (lambda a, b: np.std(a), "np.std", r"np.std(v.data)", r"F\.mean\(\(v - F\.mean\(v\)\) \*\* 2\) \*\* 0\.5"),
    (lambda a, b: np.cumsum(a), "np.cumsum", "np.cumsum(v.data)", "dezero.functions"),
    (lambda a, b: np.tile(a, 2), "np.tile", "np.tile(v.data, ...)", "dezero.functions"),
    (lambda a, b: np.linalg.norm(a), "np.linalg.norm", "np.linalg.norm(v.data)", "dezero.functions"),
    (lambda a, b: np.sort(a), "np.sort", "np.sort(v.data)", "dezero.functions"),
    # (review: a list first, the call's other arguments were dropped from the example)
    (lambda a, b: np.concatenate([a, b], 0), "np.concatenate", "np.concatenate([a.data, b.data], ...)",
     "no differentiable concatenate"),
])
def test_other_numpy_functions_are_refused_by_the_name_written(call, name, example, fix):
    a, b = Variable(X.copy()), Variable(X.copy())
    with pytest.raises(TypeError) as info:
        call(a, b)
    message = str(info.value)
    assert message.startswith(f"{name} does not work on a dezero Variable ("), message
    if example:
        assert f"e.g. {example}" in message, message
    assert re.search(fix, message), message


def test_a_refusal_loses_nothing():
    a = Variable(X.copy())
    before = a.data.copy()
    with pytest.raises(TypeError):
        np.concatenate([a, a])
    np.testing.assert_array_equal(a.data, before)
    assert a.creator is None and a.grad is None


def test_numpy_functions_that_worked_on_a_variable_still_do():
    v = Variable(X.copy())
    for result, expected in ((np.sum(v, axis=0), X.sum(axis=0)), (np.max(v), X.max()),
                             (np.transpose(v), X.T), (np.trace(v), np.trace(X)), (np.flip(v), np.flip(X)),
                             (np.dot(v[0], v[1]), X[0] @ X[1])):
        assert isinstance(result, Variable)
        np.testing.assert_allclose(result.data, expected, rtol=1e-12)
    w = Variable(X.copy())
    np.trace(w).backward()
    np.testing.assert_array_equal(w.grad.data, np.eye(2, 3))


def test_keywords_the_twin_lacks_go_numpys_way_and_say_what_was_wrong():
    v = Variable(X.copy())
    with pytest.raises(TypeError, match=r"^np\.mean does not work on a dezero Variable"):
        np.mean(v, dtype=np.float32)
    # weights that do not fit are the call's own mistake: NumPy's error, as on an array
    with pytest.raises(ValueError, match=r"^Shape of weights must be consistent"):
        np.average(v, axis=1, weights=[1.0, 2.0])



def test_int_data_averages_as_numpy_does():
    # (F.mean scaled by int64(1/3) = 0; float weights had been cast to the data's ints, giving NaN)
    v = Variable(np.array([1, 2, 3]))
    assert np.mean(v).data == pytest.approx(2.0) and np.mean(v).data.dtype == np.float64
    assert np.average(v, weights=[0.5, 0.25, 0.25]).data == pytest.approx(1.75)
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
        np.average(Variable(X.copy()), axis=1, weights=[1.0, -1.0, 0.0])


@pytest.mark.parametrize("call, on_array", [
    (lambda v: np.sum(v, axis=5), lambda a: np.sum(a, axis=5)),
    (lambda v: np.mean(v, axis=5), lambda a: np.mean(a, axis=5)),
    (lambda v: np.reshape(v, (4, -1)), lambda a: np.reshape(a, (4, -1))),
    (lambda v: np.reshape(v, (-1, -1)), lambda a: np.reshape(a, (-1, -1))),
])
def test_a_mistake_in_the_call_itself_keeps_numpys_own_error(call, on_array):
    with pytest.raises(Exception) as on_numpy:
        on_array(X.copy())
    with pytest.raises(type(on_numpy.value)) as on_dezero:
        call(Variable(X.copy()))
    assert str(on_dezero.value) == str(on_numpy.value)
    assert "dezero Variable" not in str(on_dezero.value)


@pytest.mark.parametrize("call", [lambda v: np.clip(v, min=-0.5, max=0.5),
                                  lambda v: np.clip(v, np.float64(-0.5), np.array(0.5))])
def test_clip_takes_numpys_keywords_and_0d_bounds(call):
    y = call(Variable(X.copy()))
    assert isinstance(y, Variable)
    np.testing.assert_array_equal(y.data, np.clip(X, -0.5, 0.5))
