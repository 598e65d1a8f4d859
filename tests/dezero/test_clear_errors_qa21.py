"""QA 21 (T21-2..8): clear errors for bad conv/pool sizes, embed ids and missing book
models; a warning for BatchNorm on one value per channel; in_size after load_weights.
Each valid call checked here gives the same numbers as before (torch where installed)."""
import sys
import warnings

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import Variable
from dezero.models import MLP
from dezero.utils import pair

X = np.random.default_rng(21).standard_normal((2, 2, 6, 5))
W = np.random.default_rng(22).standard_normal((3, 2, 3, 2))


# --- T21-2: NumPy integers as sizes ---------------------------------------------------------

def test_pair_accepts_numpy_integers_and_returns_python_ints():
    for given, want in [(np.int64(3), (3, 3)), (np.int32(2), (2, 2)),
                        ((np.int64(2), 3), (2, 3)), ([np.uint8(1), np.int16(4)], (1, 4))]:
        got = pair(given)
        assert got == want and all(type(v) is int for v in got)


@pytest.mark.parametrize("bad", [3.0, True, np.float64(2), (2, 2.0), (True, 1), (1, 2, 3)])
def test_pair_refuses_floats_bools_and_other_lengths_saying_what_to_pass(bad):
    with pytest.raises(ValueError, match=r"got .*pass an integer such as 3 or a pair"):
        pair(bad)


def test_numpy_integer_sizes_give_the_numbers_of_python_ints():
    i = np.int64
    assert np.array_equal(F.conv2d(X, W, None, i(2), i(1)).data, F.conv2d(X, W, None, 2, 1).data)
    assert np.array_equal(F.pooling(X, i(2), i(2)).data, F.pooling(X, 2, 2).data)
    assert np.array_equal(F.average_pooling(X, (i(2), 3), 1, i(1)).data,
                          F.average_pooling(X, (2, 3), 1, 1).data)
    assert np.array_equal(F.im2col(X, i(3), i(1), i(1)).data, F.im2col(X, 3, 1, 1).data)
    np.random.seed(0)
    by_numpy = L.Conv2d(4, i(3), stride=i(1), pad=i(1))(X).data
    np.random.seed(0)
    assert np.array_equal(by_numpy, L.Conv2d(4, 3, stride=1, pad=1)(X).data)


# --- T21-3: zero / negative kernel, stride, pad ---------------------------------------------

BAD_SIZES = [
    ("F.conv2d(X, W, stride=0)", r"conv2d: stride must be >= 1 .*got stride=0"),
    ("F.conv2d(X, W, pad=-1)", r"conv2d: pad must be >= 0 .*got pad=-1"),
    ("F.conv2d(X, np.ones((3, 2, 0, 2)))", r"conv2d: W's kernel .*at least 1x1"),
    ("F.conv2d_simple(X, W, stride=(1, 0))", r"conv2d_simple: stride must be >= 1 .*\(1, 0\)"),
    ("F.deconv2d(X, W.transpose(1, 0, 2, 3), stride=0)", r"deconv2d: stride must be >= 1"),
    ("F.pooling(X, 2, 0)", r"pooling: stride must be >= 1 .*got stride=0"),
    ("F.pooling(X, 0)", r"pooling: kernel_size must be >= 1 .*got kernel_size=0"),
    ("F.pooling(X, 2, 1, -1)", r"pooling: pad must be >= 0 .*got pad=-1"),
    ("F.pooling_simple(X, 2, 0)", r"pooling_simple: stride must be >= 1"),
    ("F.average_pooling(X, -2)", r"average_pooling: kernel_size must be >= 1 .*=-2"),
    ("F.im2col(X, 3, 1, -1)", r"im2col: pad must be >= 0"),
    ("F.col2im(np.ones((2, 2, 3, 3, 4, 3)), X.shape, 3, 0, 0, False)", r"col2im: stride"),
    # R21-8: checked once, where the Functions reach it: their own name, not im2col's
    ("F.Col2im(X.shape, 3, 0, 0, False)(np.ones((2, 2, 3, 3, 4, 3)))", r"col2im: stride"),
    ("F.Im2col(3, (1, 0), 0, True)(X)", r"im2col: stride must be >= 1.*got stride=\(1, 0\)"),
    ("L.Conv2d(4, 0)", r"Conv2d: kernel_size must be >= 1 .*got kernel_size=0"),
    ("L.Conv2d(4, 3, stride=0)", r"Conv2d: stride must be >= 1"),
    ("L.Deconv2d(4, 3, pad=-1)", r"Deconv2d: pad must be >= 0"),
    ("F.pooling(X, 7)", r"does not fit an input of 6x5"),
    ("F.deconv2d(X, W.transpose(1, 0, 2, 3), pad=5)", r"deconv2d: pad \(5, 5\) is too large"),
]


@pytest.mark.parametrize("call, message", BAD_SIZES, ids=[c for c, _ in BAD_SIZES])
def test_bad_sizes_are_refused_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        eval(call)


def test_sizes_at_the_limits_still_work():
    assert F.conv2d(X, W, stride=1, pad=0).shape == (2, 3, 4, 4)
    assert F.deconv2d(X, W.transpose(1, 0, 2, 3), pad=1).shape == (2, 3, 6, 4)
    assert F.deconv2d(X, W.transpose(1, 0, 2, 3), pad=(3, 2)).shape == (2, 3, 2, 2)
    assert F.pooling(X, 1).shape == X.shape
    assert F.pooling(X, 2, 2, 1).shape == (2, 2, 4, 3)


# --- T21-4: max pooling with a pad as large as the kernel ------------------------------------

@pytest.mark.parametrize("k, p", [(2, 2), (3, 3), ((2, 3), (0, 3)), (1, 1)])
def test_max_pooling_refuses_a_pad_as_large_as_the_kernel(k, p):
    with pytest.raises(ValueError, match=r"pooling: pad must be smaller than the kernel size"):
        F.pooling(X, k, 1, p)


def test_max_pooling_with_a_pad_over_half_the_kernel_still_runs_finite():
    # refused by PyTorch, but finite here (-inf padding never wins): a student's code keeps running
    assert np.isfinite(F.pooling(X, 3, 1, 2).data).all()


def test_pooling_simple_and_average_pooling_keep_larger_pads():
    # zero padding (the book's pooling_simple) and averages stay finite: not refused
    assert np.isfinite(F.pooling_simple(X, 2, 1, 2).data).all()
    assert np.isfinite(F.average_pooling(X, 2, 1, 2).data).all()


@pytest.mark.parametrize("k, s, p", [(2, 1, 1), (3, 2, 1), ((2, 3), 1, (1, 1))])
def test_max_pooling_with_allowed_pads_still_matches_torch(k, s, p):
    torch = pytest.importorskip("torch")
    x = Variable(X.copy())
    y = F.pooling(x, k, s, p)
    F.sum(y * y).backward()
    tx = torch.tensor(X, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, k, s, p)
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=0, atol=1e-14)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=0, atol=1e-14)


def test_conv2d_after_the_checks_still_matches_torch():
    torch = pytest.importorskip("torch")
    for s, p in [(1, 0), (2, 1), ((1, 2), (2, 0))]:
        want = torch.nn.functional.conv2d(torch.tensor(X), torch.tensor(W), None, s, p).numpy()
        np.testing.assert_allclose(F.conv2d(X, W, None, s, p).data, want, atol=1e-13)
        np.testing.assert_allclose(F.conv2d_simple(X, W, None, s, p).data, want, atol=1e-13)


# --- T21-5: embed ids out of range ----------------------------------------------------------

@pytest.mark.parametrize("ids, shown", [(np.array([-1]), r"\[-1\]"), (np.array([0, 5, 7]), r"\[5, 7\]"),
                                        (5, r"\[5\]"), ([[0, -2]], r"\[-2\]")])
def test_embed_id_refuses_ids_outside_the_table(ids, shown):
    with pytest.raises(ValueError, match=r"ids must be in \[0, in_size\) .*= 5\); got " + shown):
        L.EmbedID(5, 2)(ids)


def test_embed_id_valid_ids_pick_the_rows_and_sum_grads():
    table = np.arange(10.0).reshape(5, 2)
    w = Variable(table.copy())
    y = F.embed_id(np.array([[0, 4], [4, 2]]), w)
    np.testing.assert_array_equal(y.data, table[[[0, 4], [4, 2]]])
    F.sum(y).backward()
    np.testing.assert_array_equal(w.grad.data[:, 0], [1, 0, 1, 0, 2])
    assert F.embed_id(np.int64(3), w).shape == (2,)


# --- T21-6: BatchNorm with one value per channel ------------------------------------------

def _bn(x):
    c = x.shape[1]
    return F.batch_norm(x, np.ones(c), np.full(c, 0.5), np.zeros(c), np.ones(c))


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1, 1)])
def test_batch_norm_warns_on_one_value_per_channel_and_keeps_the_book_result(shape):
    with pytest.warns(RuntimeWarning, match=r"variance is 0.*with dezero.test_mode\(\):"):
        y = _bn(np.random.default_rng(0).standard_normal(shape))
    np.testing.assert_array_equal(y.data, np.full(shape, 0.5))  # every output is beta


def test_batch_norm_layer_warns_in_train_mode_only():
    bn = L.BatchNorm()
    with pytest.warns(RuntimeWarning, match="one value per channel"):
        bn(np.ones((1, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with dezero.test_mode():
            bn(np.ones((1, 2)))
        bn(np.ones((1, 2, 2, 1)))  # two values per channel
        bn(np.ones((2, 2)))


def test_batch_norm_warning_names_the_users_line_for_the_function_and_the_layer():
    # R21-7: through L.BatchNorm it named dezero/layers/normalization.py (a fixed stacklevel)
    c = 2
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        F.batch_norm(np.ones((1, c)), np.ones(c), np.zeros(c), np.zeros(c), np.ones(c))
        L.BatchNorm()(np.ones((1, c)))
    assert [(w.filename, w.lineno) for w in got] == [(__file__, line), (__file__, line + 1)]


def test_batch_norm_of_a_batch_still_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((4, 3, 2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = _bn(x)
    want = torch.nn.functional.batch_norm(torch.tensor(x), None, None, torch.ones(3, dtype=float),
                                          torch.full((3,), 0.5, dtype=float), True, 0.1, 2e-5)
    np.testing.assert_allclose(y.data, want.numpy(), atol=1e-12)


# --- T21-7: sizes of a lazy layer filled by load_weights --------------------------------------

def test_load_weights_sets_the_input_size_of_unbuilt_lazy_layers(tmp_path):
    mlp = MLP((4, 3))
    mlp(np.ones((2, 10)))
    mlp.save_weights(tmp_path / "mlp")
    loaded = MLP((4, 3))
    loaded.load_weights(tmp_path / "mlp.npz")
    assert (loaded.l0.in_size, loaded.l1.in_size) == (10, 4)
    assert type(loaded.l0.in_size) is int
    for cls, path in [(L.Conv2d, "conv"), (L.Deconv2d, "deconv")]:
        layer = cls(3, 2)
        layer(np.ones((1, 5, 4, 4)))
        layer.save_weights(tmp_path / path)
        fresh = cls(3, 2)
        fresh.load_weights(tmp_path / (path + ".npz"))
        assert fresh.in_channels == 5
        np.testing.assert_array_equal(fresh(np.ones((1, 5, 4, 4))).data,
                                      layer(np.ones((1, 5, 4, 4))).data)


def test_load_weights_keeps_a_given_input_size(tmp_path):
    layer = L.Linear(3, in_size=2)
    layer.save_weights(tmp_path / "lin")
    again = L.Linear(3, in_size=2)
    again.load_weights(tmp_path / "lin.npz")
    assert again.in_size == 2
    np.testing.assert_array_equal(again.W.data, layer.W.data)


# --- T21-8: the book's models and datasets that are not shipped ---------------------------

@pytest.mark.parametrize("statement, name", [
    ("from dezero.models import VGG16", "VGG16"),
    ("from dezero.models import ResNet50", "ResNet50"),
    ("import dezero.models; dezero.models.SqueezeNet", "SqueezeNet"),
    ("from dezero.datasets import CIFAR10", "CIFAR10"),
    ("import dezero.datasets; dezero.datasets.ImageNet", "ImageNet"),
])
def test_missing_book_names_say_they_are_not_shipped(statement, name):
    with pytest.raises(ImportError, match=rf"{name} is not shipped.*downloads nothing"
                                          r".*VGG16 class.*into a cell"):
        exec(statement, {})


@pytest.mark.parametrize("module, name", [("models", "VGG16"), ("datasets", "CIFAR10")])
def test_hasattr_of_a_not_shipped_name_raises_the_import_error_as_documented(module, name):
    # R21-6: the price of an ImportError (which `from ... import` keeps) over an AttributeError
    mod = getattr(__import__(f"dezero.{module}"), module)
    with pytest.raises(ImportError, match=f"{name} is not shipped"):
        hasattr(mod, name)
    with pytest.raises(ImportError, match=f"{name} is not shipped"):
        getattr(mod, name, None)
    assert "hasattr(" in mod.__doc__ and "raise" in mod.__doc__


def test_other_missing_names_stay_plain_attribute_errors():
    import dezero.datasets
    import dezero.models

    assert not hasattr(dezero.models, "Vgg16")
    assert not hasattr(dezero.datasets, "nothing")
    exec("from dezero.datasets import Spiral, MNIST\nfrom dezero.models import MLP, Model", {})
