"""dezero.layers: Layer bookkeeping, save/load, and each layer against NumPy/PyTorch."""
import os

import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
from dezero import Parameter, Variable, cuda, gradient_check
from dezero.layers import WeightsMismatchError


class TwoLayer(L.Layer):
    def __init__(self, hidden=4, out=2):
        super().__init__()
        self.l0 = L.Linear(hidden)
        self.scale = Parameter(np.array(2.0, dtype=np.float32), name="scale")
        self.l1 = L.Linear(out)

    def forward(self, x):
        return self.l1(F.sigmoid(self.l0(x))) * self.scale


# ------------------------------------------------------------------ Layer
def test_setattr_registers_params_and_layers_in_assignment_order():
    layer = L.Layer()
    layer.p2 = Parameter(np.array(1.0))
    layer.p1 = Parameter(np.array(2.0))
    layer.sub = L.Linear(3, in_size=2)
    layer.plain = Variable(np.array(3.0))  # a plain Variable is not a parameter
    layer.number = 5
    assert list(layer._params) == ["p2", "p1", "sub"]
    params = list(layer.params())
    assert params[0] is layer.p2 and params[1] is layer.p1
    assert params[2] is layer.sub.W and params[3] is layer.sub.b


def test_reassigning_to_a_non_parameter_unregisters():
    layer = L.Linear(3, in_size=2)
    layer.b = None
    assert list(layer.params()) == [layer.W]
    layer.b = Parameter(np.zeros(3))
    del layer.b
    assert list(layer.params()) == [layer.W]


def test_attribute_set_before_super_init_is_still_registered():
    class Early(L.Layer):
        def __init__(self):
            self.w = Parameter(np.ones(2))
            super().__init__()  # must not forget w
            self.v = Parameter(np.ones(3))

    layer = Early()
    assert [p.shape for p in layer.params()] == [(2,), (3,)]


def test_params_order_is_the_same_across_fresh_constructions():
    shapes = []
    for _ in range(2):
        model = TwoLayer()
        model(np.ones((1, 3), dtype=np.float32))
        shapes.append([(p.name, p.shape) for p in model.params()])
    assert shapes[0] == shapes[1] == [("W", (3, 4)), ("b", (4,)), ("scale", ()),
                                      ("W", (4, 2)), ("b", (2,))]


def test_shared_parameter_is_yielded_once():
    layer = L.Layer()
    layer.a = L.Linear(2, in_size=2)
    layer.b = L.Linear(2, in_size=2)
    layer.b.W = layer.a.W
    assert len(list(layer.params())) == 3


def test_call_keeps_weak_references_and_forward_must_be_defined():
    lin = L.Linear(2, in_size=3)
    x = Variable(np.ones((1, 3), dtype=np.float32))
    y = lin(x)
    assert lin.inputs[0]() is x and lin.outputs[0]() is y
    with pytest.raises(NotImplementedError, match="forward"):
        L.Layer()(x)


def test_cleargrads_clears_every_param():
    model = TwoLayer()
    y = model(np.ones((2, 3), dtype=np.float32))
    F.sum(y).backward()
    assert all(p.grad is not None for p in model.params())
    model.cleargrads()
    assert all(p.grad is None for p in model.params())


# ------------------------------------------------------------------ save / load
def _trained_model():
    np.random.seed(1)
    model = TwoLayer()
    model(np.ones((1, 3), dtype=np.float32))
    return model


def test_save_load_round_trip_with_flat_keys(tmp_path):
    model = _trained_model()
    path = model.save_weights(tmp_path / "w.npz")
    with np.load(path) as npz:
        assert sorted(npz.files) == ["l0/W", "l0/b", "l1/W", "l1/b", "scale"]
    other = TwoLayer()  # lazy: shapes come from the file
    other.load_weights(tmp_path / "w.npz")
    for a, b in zip(model.params(), other.params()):
        np.testing.assert_array_equal(a.data, b.data)
    x = np.random.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(model(x).data, other(x).data)


def test_save_adds_npz_suffix_and_load_finds_it(tmp_path):
    model = _trained_model()
    assert model.save_weights(tmp_path / "w") == os.fspath(tmp_path / "w.npz")
    other = TwoLayer()
    other.load_weights(tmp_path / "w")
    np.testing.assert_array_equal(other.l0.W.data, model.l0.W.data)


def test_load_names_missing_unexpected_and_mismatched_keys(tmp_path):
    model = _trained_model()
    model.save_weights(tmp_path / "w.npz")

    class Other(L.Layer):
        def __init__(self):
            super().__init__()
            self.l0 = L.Linear(5, in_size=3)  # shape mismatch for l0/W and l0/b
            self.extra = Parameter(np.zeros(1))  # missing from the file

    other = Other()
    before = other.l0.W.data.copy()
    with pytest.raises(WeightsMismatchError) as info:
        other.load_weights(tmp_path / "w.npz")
    msg = str(info.value)
    assert "missing from the file: extra" in msg
    assert "l1/W" in msg and "l1/b" in msg and "scale" in msg  # unexpected
    assert "l0/W: file (3, 4), layer (3, 5)" in msg
    assert "nothing was loaded" in msg
    assert isinstance(info.value, ValueError)
    np.testing.assert_array_equal(other.l0.W.data, before)  # all-or-nothing


def test_save_of_uninitialised_lazy_layer_says_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="call the layer on an input once"):
        L.Linear(3).save_weights(tmp_path / "w.npz")
    assert not os.listdir(tmp_path)


def test_failed_save_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    model = _trained_model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    old = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    assert os.listdir(tmp_path) == ["w.npz"]
    assert path.read_bytes() == old


def test_load_casts_to_the_parameter_dtype(tmp_path):
    src = L.Linear(2, in_size=3, dtype=np.float64)
    src.save_weights(tmp_path / "w.npz")
    dst = L.Linear(2, in_size=3)
    dst.load_weights(tmp_path / "w.npz")
    assert dst.W.dtype == np.float32
    np.testing.assert_allclose(dst.W.data, src.W.data, rtol=1e-6)


# ------------------------------------------------------------------ Linear
def test_linear_lazy_init_follows_np_random_seed_and_the_book_scale():
    np.random.seed(0)
    lin = L.Linear(4)
    assert lin.W.data is None
    x = np.ones((2, 3), dtype=np.float32)
    y = lin(x)
    np.random.seed(0)
    expected_W = np.random.randn(3, 4).astype(np.float32) * np.sqrt(1 / 3)
    np.testing.assert_allclose(lin.W.data, expected_W, rtol=1e-6)
    assert lin.W.dtype == np.float32 and lin.b.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_allclose(y.data, x @ expected_W, rtol=1e-5)


def test_linear_values_match_numpy_and_grads_match_numerical(rng):
    lin = L.Linear(3, in_size=4, dtype=np.float64)
    lin.b.data = rng.standard_normal(3)
    x = rng.standard_normal((5, 4))
    np.testing.assert_allclose(lin(x).data, x @ lin.W.data + lin.b.data)

    gradient_check(lambda x: lin(x), x)
    gradient_check(lambda W: F.linear(x, W, lin.b), lin.W.data)
    gradient_check(lambda b: F.linear(x, lin.W, b), lin.b.data)


def test_linear_against_torch(rng):
    torch = pytest.importorskip("torch")
    lin = L.Linear(3, in_size=4, dtype=np.float64)
    lin.b.data = rng.standard_normal(3)
    x = rng.standard_normal((5, 4))
    xv = Variable(x)
    y = lin(xv)
    F.sum(y * y).backward()
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(lin.W.data.T.copy(), requires_grad=True)
    bt = torch.tensor(lin.b.data, requires_grad=True)
    yt = torch.nn.functional.linear(xt, Wt, bt)
    (yt * yt).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(lin.W.grad.data, Wt.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(lin.b.grad.data, bt.grad.numpy(), rtol=1e-10)


def test_linear_nobias_and_bad_inputs():
    lin = L.Linear(2, nobias=True, in_size=3)
    assert lin.b is None and list(lin.params()) == [lin.W]
    with pytest.raises(ValueError, match="in_size 3 but got an input with 4 features"):
        lin(np.ones((1, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="flatten"):
        lin(np.ones((1, 2, 3), dtype=np.float32))


# ------------------------------------------------------------------ GPU moves
@pytest.mark.skipif(cuda.gpu_enable, reason="a GPU is present")
def test_to_gpu_without_gpu_says_what_to_do():
    with pytest.raises(RuntimeError, match="CuPy"):
        L.Linear(2, in_size=2).to_gpu()


def test_to_cpu_keeps_numpy_arrays_and_returns_the_layer():
    lin = L.Linear(2, in_size=2)
    W = lin.W.data
    assert lin.to_cpu() is lin
    assert lin.W.data is W


@pytest.mark.skipif(not cuda.gpu_enable, reason="needs CuPy and a CUDA GPU")
def test_to_gpu_round_trip_and_lazy_init_on_gpu(tmp_path):
    lin = L.Linear(3, in_size=2)
    W = lin.W.data.copy()
    lin.to_gpu()
    assert cuda.get_array_module(lin.W.data) is cuda.cupy
    y = lin(cuda.as_cupy(np.ones((1, 2), dtype=np.float32)))
    assert cuda.get_array_module(y.data) is cuda.cupy
    F.sum(y).backward()
    lin.save_weights(tmp_path / "w.npz")  # saving copies to the CPU, the layer stays
    assert cuda.get_array_module(lin.W.data) is cuda.cupy
    lin.to_cpu()
    np.testing.assert_array_equal(lin.W.data, W)
    assert isinstance(lin.W.grad.data, np.ndarray)
    lazy = L.Linear(3).to_gpu()
    lazy(cuda.as_cupy(np.ones((1, 2), dtype=np.float32)))
    assert cuda.get_array_module(lazy.W.data) is cuda.cupy


# ------------------------------------------------------------------ EmbedID
def test_embed_id_picks_rows_and_accumulates_repeated_ids():
    np.random.seed(0)
    emb = L.EmbedID(5, 3)
    assert emb.W.shape == (5, 3) and emb.W.dtype == np.float32
    ids = np.array([[1, 4], [1, 0]])
    y = emb(ids)
    np.testing.assert_array_equal(y.data, emb.W.data[ids])
    F.sum(y).backward()
    expected = np.zeros((5, 3))
    for i in ids.ravel():
        expected[i] += 1
    np.testing.assert_array_equal(emb.W.grad.data, expected)


def test_embed_id_against_torch():
    torch = pytest.importorskip("torch")
    np.random.seed(1)
    emb = L.EmbedID(6, 2, dtype=np.float64)
    ids = np.array([2, 2, 5, 0])
    y = emb(ids)
    F.sum(y * y).backward()
    Wt = torch.tensor(emb.W.data, requires_grad=True)
    yt = torch.nn.functional.embedding(torch.tensor(ids), Wt)
    (yt * yt).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy())
    np.testing.assert_allclose(emb.W.grad.data, Wt.grad.numpy())


def test_saved_file_gets_normal_permissions(tmp_path):
    model = _trained_model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    (tmp_path / "ref").write_bytes(b"")
    assert (path.stat().st_mode & 0o777) == ((tmp_path / "ref").stat().st_mode & 0o777)
