"""QA R23 (findings 1, 2, 4, 5, 7): bad input to the data loaders and layers is refused
clearly, where it used to give wrong numbers or NumPy's words.

1. DataLoader(x_train, 32) trained on column 0 against column 1; (X, T) became 2 items.
2. Linear's advice for a 1-D input turned one example into len(x) examples.
4. Linear(3.0), Linear(-1), Conv2d(2.5, 3) failed only at the first call.
5. RNN/LSTM errors named a Linear the user never built.
7. load_weights into an unbuilt layer kept the file's dtype and any output size.
"""
import numpy as np
import pytest

import dezero
import dezero.layers as L
from dezero import DataLoader, SeqDataLoader
from dezero.datasets import Dataset, SinCurve, Spiral
from dezero.layers.base import WeightsMismatchError


# ---------------------------------------------------------------- 1. DataLoader datasets
@pytest.mark.parametrize("dataset", [np.arange(15.0).reshape(5, 3), np.arange(10.0)],
                         ids=["2-D", "1-D"])
def test_a_plain_array_is_refused_at_construction(dataset):
    with pytest.raises(TypeError, match=r"items are \(x, t\) pairs, but got an array of shape.*"
                                        r"list\(zip\(x, t\)\).*dezero\.datasets\.Dataset"):
        DataLoader(dataset, 2, shuffle=False)


@pytest.mark.parametrize("pair", [(np.ones((5, 2)), np.zeros(5)), (np.arange(5.0), np.arange(5)),
                                  [np.ones((5, 2)), np.zeros(5)]], ids=["2-D", "1-D", "list"])
def test_x_and_t_arrays_given_together_are_refused(pair):
    # The 2-D form crashed with NumPy's "inhomogeneous shape"; the 1-D one was a dataset of 2.
    with pytest.raises(TypeError, match=r"of 2 arrays \(shapes .*\), a dataset of 2 items; .*"
                                        r"list\(zip\(x, t\)\)"):
        DataLoader(pair, 2)


def test_items_that_are_not_pairs_are_refused_at_construction():
    with pytest.raises(TypeError, match=r"item 0 is tuple"):
        DataLoader([(1.0, 0, 7)] * 4, 2)  # the third part was dropped silently
    with pytest.raises(TypeError, match=r"item 0 is ndarray"):
        DataLoader(list(np.ones((4, 2))), 2)  # rows of an array: (column 0, column 1)
    with pytest.raises(TypeError, match="array of shape"):
        SeqDataLoader(np.arange(10.0), 2)


def test_pairs_and_datasets_still_load():
    x, t = next(DataLoader([(np.ones(2), 0), (np.zeros(2), 1)], 2, shuffle=False))
    assert x.shape == (2, 2) and t.tolist() == [0, 1]  # a list of 2 pairs is not (x, t)
    x, t = next(DataLoader(list(zip(np.ones((5, 3)), range(5))), 2, shuffle=False))
    assert x.shape == (2, 3) and t.tolist() == [0, 1]
    spiral = Spiral()
    x, t = next(DataLoader(spiral, 30, shuffle=False))
    assert np.array_equal(x, spiral.data[:30]) and np.array_equal(t, spiral.label[:30])
    x, t = next(SeqDataLoader(SinCurve(), 30))
    assert x.shape == (30, 1) and t.shape == (30, 1)
    assert len(DataLoader([], 2)) == 0

    class NoLabels(Dataset):
        def prepare(self):
            self.data = np.ones((4, 2))

    x, t = next(DataLoader(NoLabels(), 2))
    assert x.shape == (2, 2) and t.tolist() == [None, None]


def test_the_check_reads_one_item():
    class Counted(Dataset):
        calls = 0

        def prepare(self):
            self.data, self.label = np.ones((6, 2)), np.arange(6)

        def __getitem__(self, index):
            type(self).calls += 1
            return self.data[index], self.label[index]

    DataLoader(Counted(), 3)
    assert Counted.calls == 1


# ---------------------------------------------------------------- 2. Linear's advice for 1-D input
def test_linear_advises_one_row_for_a_1d_input_and_the_advice_works():
    layer = L.Linear(2)
    x = np.array([1.0, 2.0, 3.0])  # one example, 3 features
    with pytest.raises(ValueError, match=r"got shape \(3,\); for one example write "
                                         r"x\.reshape\(1, -1\)") as info:
        layer(x)
    assert "flatten" not in str(info.value)
    assert layer(x.reshape(1, -1)).shape == (1, 2) and layer.in_size == 3


def test_linear_keeps_the_flatten_advice_for_3d_input():
    with pytest.raises(ValueError, match=r"F\.flatten\(x\) or x\.reshape\(len\(x\), -1\)"):
        L.Linear(2)(np.ones((2, 3, 4)))


# ---------------------------------------------------------------- 4. sizes checked at construction
@pytest.mark.parametrize("build, error, words", [
    (lambda: L.Linear(3.0), TypeError, r"Linear: out_size must be a positive integer.*float 3\.0; write 3"),
    (lambda: L.Linear(-1), ValueError, r"Linear: out_size must be a positive integer.*got -1"),
    (lambda: L.Linear(0), ValueError, r"Linear: out_size .* got 0"),
    (lambda: L.Linear(True), TypeError, r"Linear: out_size .* got bool"),
    (lambda: L.Linear(3, in_size=2.5), TypeError, r"Linear: in_size .* got float 2\.5"),
    (lambda: L.Conv2d(2.5, 3), TypeError, r"Conv2d: out_channels .* got float 2\.5"),
    (lambda: L.Deconv2d(-1, 3), ValueError, r"Deconv2d: out_channels .* got -1"),
    (lambda: L.Conv2d(4, 3, in_channels=0), ValueError, r"Conv2d: in_channels .* got 0"),
    (lambda: L.EmbedID(5.0, 2), TypeError, r"EmbedID: in_size .* got float 5\.0"),
    (lambda: L.RNN(4.0), TypeError, r"RNN: hidden_size .* got float 4\.0"),
    (lambda: L.LSTM(4, in_size=-2), ValueError, r"LSTM: in_size .* got -2"),
], ids=["Linear-float", "Linear-negative", "Linear-zero", "Linear-bool", "Linear-in_size",
        "Conv2d", "Deconv2d", "Conv2d-in_channels", "EmbedID", "RNN", "LSTM"])
def test_bad_sizes_are_refused_when_the_layer_is_built(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_numpy_integer_sizes_still_work():
    layer = L.Linear(np.int64(3), in_size=np.int32(2))
    assert layer.W.shape == (2, 3) and layer(np.ones((1, 2))).shape == (1, 3)
    assert L.Conv2d(np.int64(4), 3)(np.ones((1, 2, 5, 5))).shape == (1, 4, 3, 3)


# ---------------------------------------------------------------- 5. RNN/LSTM name themselves
@pytest.mark.parametrize("cls", [L.RNN, L.LSTM])
def test_recurrent_layers_name_themselves_and_advise_one_row(cls):
    layer = cls(4)
    with pytest.raises(ValueError, match=rf"{cls.__name__} expects one time step .*"
                                         r"got shape \(3,\); for one sequence write "
                                         r"x\.reshape\(1, -1\)") as info:
        layer(np.ones(3))
    assert "Linear" not in str(info.value) and "flatten" not in str(info.value)
    with pytest.raises(ValueError, match=r"one time step at a time"):
        layer(np.ones((2, 5, 3)))
    assert layer(np.ones(3).reshape(1, -1)).shape == (1, 4)
    with pytest.raises(ValueError, match=rf"{cls.__name__} has in_size 3 but got an input with 2 "
                                         rf"features .*build a new {cls.__name__}"):
        layer(np.ones((1, 2)))


# ---------------------------------------------------------------- 7. load_weights into unbuilt layers
def test_an_unbuilt_layer_takes_its_dtype_from_the_layer_not_the_file(tmp_path):
    saved = L.Linear(5, dtype=np.float64)
    saved(np.ones((1, 4)))
    path = saved.save_weights(tmp_path / "w64")
    layer = L.Linear(5)  # float32, unbuilt
    layer.load_weights(path)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32 and layer.in_size == 4
    assert layer(np.ones((1, 4), dtype=np.float32)).dtype == np.float32


def test_an_unbuilt_layer_refuses_a_W_with_another_output_size(tmp_path):
    model = dezero.Model()
    model.l = L.Linear(5, nobias=True)
    model.l(np.ones((1, 4)))
    path = model.save_weights(tmp_path / "nb")
    other = dezero.Model()
    other.l = L.Linear(3, nobias=True)  # no b to catch the mismatch
    with pytest.raises(WeightsMismatchError, match=r"l/W: file \(4, 5\), layer \(any, 3\).*"
                                                   "nothing was loaded"):
        other.load_weights(path)
    assert other.l.W.data is None and other.l.in_size is None


@pytest.mark.parametrize("cls", [L.Conv2d, L.Deconv2d])
def test_an_unbuilt_conv_layer_checks_the_kernel_and_takes_the_channels(cls, tmp_path):
    saved = cls(6, 5)
    saved(np.ones((1, 2, 8, 8), dtype=np.float32))
    path = saved.save_weights(tmp_path / "conv")
    with pytest.raises(WeightsMismatchError, match="W: file .* layer .*any"):
        cls(6, 3).load_weights(path)  # another kernel size
    layer = cls(6, 5)
    layer.load_weights(path)
    assert layer.in_channels == 2 and np.array_equal(layer.W.data, saved.W.data)
