"""dezero.models: Model.plot, Sequential, MLP."""
import shutil

import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
from dezero import Model, Variable, dot, gradient_check
from dezero.models import MLP, Sequential


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_mlp_matches_numpy_and_has_book_structure():
    np.random.seed(0)
    model = MLP((10, 3))
    x = np.random.randn(5, 2).astype(np.float32)
    y = model(x)
    assert [type(layer) for layer in model.layers] == [L.Linear, L.Linear]
    assert list(model._params) == ["l0", "l1"]
    h = _np_sigmoid(x @ model.l0.W.data + model.l0.b.data)
    np.testing.assert_allclose(y.data, h @ model.l1.W.data + model.l1.b.data, rtol=1e-5)
    assert [p.shape for p in model.params()] == [(2, 10), (10,), (10, 3), (3,)]


def test_mlp_activation_and_gradient_check():
    np.random.seed(0)
    model = MLP((4, 1), activation=F.relu)
    x = np.random.randn(3, 2)
    model(x)  # initialise
    for p in model.params():
        p.data = p.data.astype(np.float64)
    h = np.maximum(x @ model.l0.W.data + model.l0.b.data, 0)
    np.testing.assert_allclose(model(x).data, h @ model.l1.W.data + model.l1.b.data)
    gradient_check(model, x)


def test_mlp_rejects_no_layers():
    with pytest.raises(ValueError, match="at least one"):
        MLP(())


def test_mlp_fits_a_small_regression_with_sgd():
    from dezero.optimizers import SGD

    np.random.seed(0)
    x = np.random.rand(50, 1)
    t = np.sin(2 * np.pi * x)
    model = MLP((10, 1))
    opt = SGD(0.2).setup(model)
    losses = []
    for _ in range(300):
        loss = F.mean_squared_error(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        losses.append(float(loss.data))
    assert losses[-1] < 0.5 * losses[0]


def test_sequential_chains_layers_and_functions():
    np.random.seed(0)
    seq = Sequential(L.Linear(4), F.relu, L.Linear(2))
    x = np.random.randn(3, 5).astype(np.float32)
    y = seq(x)
    h = np.maximum(x @ seq.l0.W.data + seq.l0.b.data, 0)
    np.testing.assert_allclose(y.data, h @ seq.l2.W.data + seq.l2.b.data, rtol=1e-5)
    assert list(seq._params) == ["l0", "l2"]  # functions hold no parameters
    assert len(list(seq.params())) == 4


def test_sequential_rejects_non_callables():
    with pytest.raises(TypeError, match="item 1 is a int"):
        Sequential(L.Linear(2), 3)


def test_model_is_a_layer_with_save_load(tmp_path):
    np.random.seed(0)
    model = MLP((3, 2))
    x = np.ones((1, 4), dtype=np.float32)
    model(x)
    model.save_weights(tmp_path / "mlp.npz")
    other = MLP((3, 2))
    other.load_weights(tmp_path / "mlp.npz")
    np.testing.assert_array_equal(other(x).data, model(x).data)
    assert isinstance(model, L.Layer)


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_plot_writes_the_graph(tmp_path):
    model = MLP((3, 2))
    path = model.plot(Variable(np.ones((1, 4), dtype=np.float32)), to_file=tmp_path / "m.svg")
    text = (tmp_path / "m.svg").read_text()
    assert str(path).endswith("m.svg")
    assert "Linear" in text and "Sigmoid" in text


def test_plot_without_graphviz_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(dot, "svg_fallback", None)
    with pytest.raises(RuntimeError, match="Install Graphviz"):
        MLP((2,)).plot(np.ones((1, 2), dtype=np.float32), to_file=tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()


def test_plot_without_graphviz_uses_the_fallback_when_set(monkeypatch, tmp_path):
    calls = []

    def fallback(output, to_file, verbose):
        calls.append((output.shape, to_file, verbose))
        return str(to_file)

    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(dot, "svg_fallback", fallback)
    with pytest.warns(RuntimeWarning, match="not drawn by Graphviz"):  # the user is told why
        result = MLP((2,)).plot(np.ones((1, 3), dtype=np.float32), to_file=tmp_path / "m.svg")
    assert calls == [((1, 2), tmp_path / "m.svg", True)]
    assert result == str(tmp_path / "m.svg")


def test_user_model_subclass_as_in_the_book():
    class TwoLayerNet(Model):
        def __init__(self, hidden_size, out_size):
            super().__init__()
            self.l1 = L.Linear(hidden_size)
            self.l2 = L.Linear(out_size)

        def forward(self, x):
            return self.l2(F.sigmoid(self.l1(x)))

    model = TwoLayerNet(100, 10)
    y = model(np.random.randn(5, 10).astype(np.float32))
    assert y.shape == (5, 10)
    assert [p.shape for p in model.params()] == [(10, 100), (100,), (100, 10), (10,)]
