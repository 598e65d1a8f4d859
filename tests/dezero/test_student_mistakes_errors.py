"""Cryptic errors found by a QA tester playing a student (P2): each now says
what was wrong and what to do, and leaves what the user had intact."""
import os

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
import dezero.optimizers as O
from dezero import DataLoader, Variable
from dezero.gradcheck import gradient_check
from dezero.models import MLP


# ---------------------------------------------------------------- 7. backward returning arrays
class _ArraySquare(dezero.Function):
    """Steps 7-24 style: the backward computes on arrays and returns one."""

    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy.data


def test_a_backward_returning_an_array_gives_a_variable_grad():
    x = Variable(np.array(3.0))
    _ArraySquare()(x).backward()
    assert type(x.grad) is Variable and x.grad.data == 6.0  # was np.float64, .data a memoryview


def test_array_grads_from_two_paths_add_up():
    x = Variable(np.array([3.0, 1.0]))
    y = _ArraySquare()(x) + _ArraySquare()(x)
    y.backward()  # was: 'memoryview' + 'memoryview'
    np.testing.assert_array_equal(x.grad.data, [12.0, 4.0])
    x.cleargrad()
    F.exp(_ArraySquare()(x)).backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data * np.exp(x.data ** 2))


def test_array_grads_under_create_graph_say_why_not():
    x = Variable(np.array(3.0))
    y = _ArraySquare()(x)
    with pytest.raises(TypeError, match=r"_ArraySquare\.backward returned a (float64|ndarray).*"
                                        r"create_graph=True cannot record"):
        y.backward(create_graph=True)


def test_a_backward_returning_a_string_names_the_function():
    class Bad(dezero.Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            return "oops"

    y = Bad()(Variable(np.array(1.0)))
    with pytest.raises(TypeError, match=r"Bad\.backward returned a str .*return a Variable"):
        y.backward()


# ---------------------------------------------------------------- 8. logsumexp on a Variable
def test_logsumexp_of_a_variable_is_differentiable_and_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 2.0, 1000.0], [3.0, -4.0, 5.0]])  # 1000: exp overflows unshifted
    x = Variable(data.copy())
    y = F.logsumexp(x)
    gy = np.array([[2.0], [3.0]])
    (y * gy).backward()
    xt = torch.tensor(data, requires_grad=True)
    yt = torch.logsumexp(xt, 1, keepdim=True)
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-300)
    assert gradient_check(lambda v: F.logsumexp(v, axis=0), np.random.default_rng(0).random((3, 2)))
    assert isinstance(F.logsumexp(data), np.ndarray)  # the array helper is unchanged


# ---------------------------------------------------------------- 9. Variable(Variable)
def test_variable_of_a_variable_says_use_it_directly():
    with pytest.raises(TypeError, match=r"already a Variable; use it directly \(or Variable\(v\.data\)"):
        Variable(Variable(np.array(1.0)))


# ---------------------------------------------------------------- 10. MLP arguments
def test_mlp_of_an_int_says_pass_a_tuple():
    with pytest.raises(TypeError, match=r"tuple of layer output sizes.*MLP\(\(10, 1\)\)"):
        MLP(10)


def test_mlp_activation_is_checked_when_built():
    with pytest.raises(TypeError, match=r"activation must be a function, got 'relu'.*F\.relu"):
        MLP((10, 1), activation="relu")
    with pytest.raises(TypeError, match=r"Function class; pass the function F\.relu"):
        MLP((10, 1), activation=F.ReLU)
    assert MLP((2, 1), activation=F.relu)(np.ones((1, 3))).shape == (1, 1)


# ---------------------------------------------------------------- 11. optimizer rates
def test_adam_lr_says_alpha():
    with pytest.raises(TypeError, match=r"called alpha: write Adam\(alpha=0\.01\)"):
        O.Adam(lr=0.01)


@pytest.mark.parametrize("make", [lambda: O.SGD(lr="0.1"), lambda: O.MomentumSGD(momentum="0.9"),
                                  lambda: O.AdaGrad(lr=None), lambda: O.AdaDelta(rho=[0.9]),
                                  lambda: O.Adam(alpha="1e-3")])
def test_optimizer_rates_are_checked_when_built(make):
    with pytest.raises(TypeError, match="must be a real number"):
        make()  # SGD(lr='0.1') failed only in update()


def test_numpy_rates_are_accepted():
    assert O.SGD(lr=np.float32(0.1)).lr == np.float32(0.1)
    assert O.Adam(alpha=np.array(0.01)).alpha == 0.01


# ---------------------------------------------------------------- 12. matmul / linear shapes
def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4, 5\).*last axis of x \(3\) "
                                         r"must equal the second-to-last axis of W \(4\)"):
        F.matmul(np.ones((2, 3)), np.ones((4, 5)))


def test_linear_shape_mismatch_names_w_and_bias():
    with pytest.raises(ValueError, match=r"linear: shapes \(2, 3\) and \(4, 5\)"):
        F.linear(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"bias b of shape \(4,\).*shape \(5,\)"):
        F.linear(np.ones((2, 3)), np.ones((3, 5)), np.ones(4))


# ---------------------------------------------------------------- 13. x.data = a list
def test_a_list_assigned_to_data_gets_the_constructors_message():
    x = Variable(np.array([1.0, 2.0]))
    x.data = [3.0, 4.0]
    with pytest.raises(TypeError, match=r"Variable data must be a numpy\.ndarray, got list.*"
                                        r"x\.data = np\.array\(\[3\.0, 4\.0\]\)"):
        x + x  # was a concatenated list, then an error in the next Variable(...)
    y = x * 2  # NumPy turns the list into an array here: the forward works ...
    with pytest.raises(TypeError, match="got list"):
        y.backward()  # ... and the backward says what is wrong


# ---------------------------------------------------------------- 14. DataLoader of non-pairs
def test_dataloader_of_a_plain_array_says_items_must_be_pairs():
    with pytest.raises(TypeError, match=r"items are \(x, t\) pairs.*list\(zip\(x, t\)\)"):
        DataLoader(np.arange(10.0), 3, shuffle=False)  # (refused when made: QA R23-1)
    x, t = next(DataLoader(list(zip(np.ones((4, 2)), [0, 1, 0, 1])), 2, shuffle=False))
    assert x.shape == (2, 2) and t.tolist() == [0, 1]


# ---------------------------------------------------------------- 15-16. save / load weights
def test_save_weights_to_a_missing_folder_names_the_users_path(tmp_path):
    model = MLP((2, 1))
    model(np.ones((1, 3)))
    path = str(tmp_path / "nodir" / "w.npz")
    with pytest.raises(FileNotFoundError, match=r"w\.npz'.*folder .*nodir' does not exist.*makedirs"):
        model.save_weights(path)
    assert not os.path.exists(tmp_path / "nodir")


@pytest.mark.parametrize("content", [b"hello", b"PK\x03\x04 not really a zip"])
def test_load_weights_of_a_non_npz_file_says_so_without_pickle_advice(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    model = MLP((2, 1))
    model(np.ones((1, 3)))
    before = model.l0.W.data.copy()
    with pytest.raises(ValueError) as info:
        model.load_weights(str(path))
    assert "not a weights file saved by save_weights" in str(info.value)
    assert "allow_pickle" not in str(info.value)
    np.testing.assert_array_equal(model.l0.W.data, before)


def test_load_weights_of_an_npy_file_says_so(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match=r"single array \(\.npy\)"):
        MLP((2, 1)).load_weights(str(path))


# ---------------------------------------------------------------- 17. W before the first call
def test_shape_of_an_unbuilt_w_says_when_it_is_created():
    layer = L.Linear(3)
    with pytest.raises(AttributeError, match=r"W has no shape yet.*first call.*in_size="):
        layer.W.shape  # was: 'NoneType' object has no attribute 'shape'
    assert not hasattr(layer.W, "ndim")  # still an AttributeError, so hasattr keeps working
    layer(np.ones((2, 4)))
    assert layer.W.shape == (4, 3)


def test_a_forward_that_returns_a_variable_is_told_so():
    class Bad(dezero.Function):
        def forward(self, x):
            return F.square(Variable(x))

    with pytest.raises(TypeError, match=r"Bad\.forward returned a Variable: forward works on arrays"):
        Bad()(Variable(np.array(2.0)))


def test_a_foreign_argument_keeps_its_own_error_not_a_data_one():
    # as_variable refused a non-dezero object: no ".data was set" message about the raw arguments
    class Own:  # a student's own Variable class
        def __init__(self, data):
            self.data, self.grad, self.creator = data, None, None

    for args in ((np.ones((2, 2)), Own(np.ones((2, 2)))), (Own(np.ones((2, 2))), 2.0)):
        with pytest.raises(TypeError, match="own Own class, not dezero.Variable"):
            F.MatMul()(*args)  # was: "got memoryview" / AttributeError 'float' has no 'data'
