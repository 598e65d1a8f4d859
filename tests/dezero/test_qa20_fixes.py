"""Fixes from QA pass 20 (report D1): seeds of dezero.grad and backward, iteration
and truth of a Variable, integer inputs to softmax and dropout, clip's bounds,
int shapes. Grads are checked against central differences, and against torch
where it is installed."""
import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Variable


def central(f, x0, eps=1e-6):
    """Central differences of the number f(array) at x0 (float64)."""
    x0 = np.asarray(x0, dtype=np.float64)
    g = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        up, down = x0.copy(), x0.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


# 1. grad_outputs: one seed (Variable, array, number) or one per output

SEED_SPELLINGS = [np.array([1.0, 10.0]), Variable(np.array([1.0, 10.0])), [np.array([1.0, 10.0])],
                  (Variable(np.array([1.0, 10.0])),)]


@pytest.mark.parametrize("seed", SEED_SPELLINGS, ids=["ndarray", "Variable", "list", "tuple"])
def test_grad_takes_an_array_as_one_seed(seed):
    xs = np.array([1.0, 2.0])
    x = Variable(xs.copy())
    g = dezero.grad(x * x, x, grad_outputs=seed)
    np.testing.assert_allclose(g.data, [2.0, 40.0])  # not [2, 4]: list(ndarray) used its first element
    w = np.array([1.0, 10.0])
    np.testing.assert_allclose(g.data, central(lambda a: np.sum(w * a * a), xs), rtol=1e-6)


def test_grad_array_seed_matches_torch():
    torch = pytest.importorskip("torch")
    xs, seed = np.array([0.3, -1.2, 2.0]), np.array([1.0, -2.0, 0.5])
    x = Variable(xs.copy())
    g = dezero.grad(F.sin(x) * x, x, grad_outputs=seed)
    t = torch.tensor(xs, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.sin(t) * t, t, grad_outputs=torch.tensor(seed))
    np.testing.assert_allclose(g.data, gt.numpy(), rtol=1e-12)


@pytest.mark.parametrize("seed", [np.array(3.0), 3.0, np.float64(3.0), 3], ids=["0-d", "float", "np.float64", "int"])
def test_grad_takes_a_number_or_0d_array_as_one_seed(seed):
    x = Variable(np.array(2.0))
    g = dezero.grad(x ** 3, x, grad_outputs=seed)
    assert g.data == pytest.approx(3.0 * 12.0)


def test_grad_takes_one_seed_per_output_in_a_list():
    xs = np.array([1.0, 2.0])
    x = Variable(xs.copy())
    y0, y1 = x * x, F.sin(x)
    g = dezero.grad([y0, y1], x, grad_outputs=[np.array([1.0, 2.0]), None])
    np.testing.assert_allclose(g.data, central(lambda a: np.sum(np.array([1.0, 2.0]) * a * a + np.sin(a)), xs),
                               rtol=1e-6)


@pytest.mark.parametrize("outputs, seeds, given, wanted", [
    (1, [np.ones(2), np.ones(2)], 2, 1),
    (2, np.ones(2), 1, 2),
    (2, [np.ones(2)], 1, 2),
])
def test_grad_says_when_the_seed_count_differs_from_the_outputs(outputs, seeds, given, wanted):
    x = Variable(np.array([1.0, 2.0]))
    ys = x * x if outputs == 1 else [x * x, x * 3]
    with pytest.raises(ValueError, match=rf"gives {given} seed\(s\) for {wanted} output\(s\)"):
        dezero.grad(ys, x, grad_outputs=seeds)


# 2. a seed of another shape than its output's is refused, once, with both shapes


@pytest.mark.parametrize("seed", [Variable(np.ones((2, 2))), np.ones((2, 2)), np.ones(3), np.array(1.0), 1.0])
def test_grad_refuses_a_seed_of_another_shape(seed):
    x = Variable(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"grad_outputs\[0\] has shape \(.*\) but output 0 has shape \(2,\)"):
        dezero.grad(x * x, x, grad_outputs=seed)  # (2, 2): doubled grads, (3,): NumPy's error inside Mul


def test_a_0d_seed_for_a_bigger_output_says_how_to_spread_it():
    x = Variable(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"c \* np.ones\(\(2,\)\)"):
        dezero.grad(x + np.ones((2,)), x, grad_outputs=2.0)


def test_backward_refuses_a_hand_set_grad_of_another_shape():
    x = Variable(np.array([1.0, 2.0]))
    y = x * x
    y.grad = Variable(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"y.grad, the seed of y.backward\(\), has shape \(2, 2\) but y has shape "
                                         r"\(2,\).*cleargrad"):
        y.backward()
    assert x.grad is None


def test_a_one_number_seed_fits_a_one_number_output():
    x = Variable(np.array([[3.0]]))
    y = x * 2
    y.grad = Variable(np.array(5.0))  # the book's `y.grad = np.array(1.0)`, for a (1, 1) output
    y.backward()  # failed in sum_to: "cannot sum an array of shape () to shape (1, 1)"
    assert x.grad.shape == (1, 1) and x.grad.data[0, 0] == 10.0
    g = dezero.grad(x * 3, x, grad_outputs=np.array([2.0]))
    assert g.shape == (1, 1) and g.data[0, 0] == 6.0


def test_seeds_of_the_right_shape_and_retained_grads_still_seed():
    x = Variable(np.array(2.0))
    a = x * 3
    y = a * 5
    y.backward(retain_grad=True)
    x.cleargrad()
    a.backward()  # a.grad (5) is the seed, as in the book
    assert x.grad.data == 15.0
    x = Variable(np.array([1.0, 2.0]))
    y = x * x
    y.grad = Variable(np.array([1.0, 10.0]))
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 40.0])


# 3. iteration and truth of a Variable


@pytest.mark.parametrize("use", [sum, list, tuple, lambda v: [e for e in v], lambda v: max(v)],
                         ids=["sum", "list", "tuple", "for", "max"])
def test_iterating_a_0d_variable_is_refused(use):
    with pytest.raises(TypeError, match=r"iteration over a 0-d Variable.*v.data.item\(\)"):
        use(Variable(np.array(3.0)))  # sum() gave 0 and list() [] without a word


def test_iterating_a_variable_gives_its_rows_in_the_graph():
    xs = np.arange(6.0).reshape(3, 2)
    x = Variable(xs.copy())
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, Variable) and r.creator is not None for r in rows)
    np.testing.assert_array_equal(rows[1].data, xs[1])
    y = sum(r * r for r in x)  # Python's sum over a Variable's rows keeps the graph
    F.sum(y).backward()
    np.testing.assert_allclose(x.grad.data, central(lambda a: np.sum(a * a), xs), rtol=1e-6)
    a, b = Variable(np.array([1.0, 2.0]))
    assert (a.data, b.data) == (1.0, 2.0)


@pytest.mark.parametrize("data", [np.array(0.0), np.array(1.0), np.array([0.0]), np.array([1.0, 2.0]), None])
def test_a_variable_has_no_truth_value(data):
    v = Variable(data)
    with pytest.raises(TypeError, match=r"no truth value.*v.data > 0.*v is not None"):
        bool(v)  # [0.0] was True (len 1), 0-d: "len() of unsized object"
    with pytest.raises(TypeError, match="no truth value"):
        if v:
            pass
    with pytest.raises(TypeError, match="no truth value"):
        not v  # noqa: B015


def test_variables_in_containers_need_no_truth_value():
    a, b = Variable(np.array(1.0)), Variable(np.array([1.0, 2.0]))
    vs = [a, b]
    assert b in vs and vs.index(b) == 1 and {a: 1, b: 2}[b] == 2
    assert a is not None and [v for v in vs if v is not None] == vs


# 4. softmax and softmax_cross_entropy of integer scores

INT_SCORES = np.array([[1, 2, 0], [3, -1, 2]])


def test_softmax_of_int_scores_is_the_float_softmax():
    xi, xf = Variable(INT_SCORES.copy()), Variable(INT_SCORES.astype(np.float64))
    yi, yf = F.softmax(xi), F.softmax(xf)
    assert yi.dtype == np.float64
    np.testing.assert_allclose(yi.data, yf.data, rtol=1e-15)
    w = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    F.sum(yi * w).backward()
    F.sum(yf * w).backward()
    np.testing.assert_allclose(xi.grad.data, xf.grad.data, rtol=1e-15)

    def value(a):
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return np.sum(w * e / e.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(xi.grad.data, central(value, INT_SCORES), rtol=1e-6, atol=1e-9)


def test_softmax_cross_entropy_backward_on_int_scores():
    t = np.array([1, 0])
    xi = Variable(INT_SCORES.copy())
    loss = F.softmax_cross_entropy(xi, t)
    loss.backward()  # was "Cannot cast ufunc 'exp' output from dtype('float64') to dtype('int64')"

    def value(a):
        m = a.max(axis=1, keepdims=True)
        log_p = a - m - np.log(np.exp(a - m).sum(axis=1, keepdims=True))
        return -log_p[np.arange(2), t].sum() / 2
    np.testing.assert_allclose(xi.grad.data, central(value, INT_SCORES), rtol=1e-6, atol=1e-9)
    torch = pytest.importorskip("torch")
    tt = torch.tensor(INT_SCORES, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(tt, torch.tensor(t)).backward()
    np.testing.assert_allclose(xi.grad.data, tt.grad.numpy(), rtol=1e-12)
    assert loss.data == pytest.approx(value(INT_SCORES.astype(float)), rel=1e-12)


def test_softmax_of_small_ints_is_float32():
    assert F.softmax(Variable(np.array([[1, 2]], dtype=np.int8))).dtype == np.float32


# 5. dropout of an integer Variable


def test_dropout_of_int_variable_scales_in_float():
    np.random.seed(0)
    x = Variable(np.array([1, 2, 3, 4, 5, 6]))
    y = F.dropout(x, 0.5)
    assert not np.isnan(y.data).any()  # int64(1 - 0.5) was 0: mask / 0
    kept = y.data != 0
    assert kept.any()
    np.testing.assert_allclose(y.data[kept], 2.0 * x.data[kept])
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2.0 * kept)
    assert F.dropout(Variable(np.ones(4, dtype=np.float32))).dtype == np.float32


# 6. clip: None for no bound, array bounds

XS = np.array([-2.0, -0.3, 0.4, 1.7, 3.0])
LO, HI = np.array([-1.0, -1.0, 0.5, 0.0, 2.5]), np.array([1.0, 0.0, 1.0, 2.0, 4.0])
CLIPS = [
    ("None-hi", lambda v: F.clip(v, None, 1.0), lambda a: np.clip(a, None, 1.0), dict(max=1.0)),
    ("lo-None", lambda v: F.clip(v, 0.0, None), lambda a: np.clip(a, 0.0, None), dict(min=0.0)),
    ("np-None-hi", lambda v: np.clip(v, None, 1.0), lambda a: np.clip(a, None, 1.0), dict(max=1.0)),
    ("np-lo-None", lambda v: np.clip(v, 0, None), lambda a: np.clip(a, 0, None), dict(min=0.0)),
    ("arrays", lambda v: F.clip(v, LO, HI), lambda a: np.clip(a, LO, HI), dict(min=LO, max=HI)),
    ("np-arrays", lambda v: np.clip(v, LO, HI), lambda a: np.clip(a, LO, HI), dict(min=LO, max=HI)),
    ("array-None", lambda v: F.clip(v, LO, None), lambda a: np.clip(a, LO, None), dict(min=LO)),
]


@pytest.mark.parametrize("dz, ref, _", [c[1:] for c in CLIPS], ids=[c[0] for c in CLIPS])
def test_clip_bounds_values_and_grads(dz, ref, _):
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x = Variable(XS.copy())
    y = dz(x)
    np.testing.assert_array_equal(y.data, ref(XS))
    F.sum(y * w).backward()
    np.testing.assert_allclose(x.grad.data, central(lambda a: np.sum(w * ref(a)), XS), atol=1e-6)


@pytest.mark.parametrize("dz, _, bounds", [c[1:] for c in CLIPS], ids=[c[0] for c in CLIPS])
def test_clip_bounds_match_torch_clamp(dz, _, bounds):
    torch = pytest.importorskip("torch")
    x = Variable(XS.copy())
    dz(x).backward()
    t = torch.tensor(XS, requires_grad=True)
    kw = {k: torch.tensor(b) if isinstance(b, np.ndarray) else b for k, b in bounds.items()}
    torch.clamp(t, **kw).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy())


def test_clip_second_derivative_with_one_sided_bound():
    x = Variable(np.array([0.5, 2.0]))
    y = F.sum(F.clip(x, None, 1.0) ** 3)
    gx = dezero.grad(y, x, create_graph=True)
    np.testing.assert_allclose(dezero.grad(F.sum(gx), x).data, [6 * 0.5, 0.0])


def test_clip_refuses_bad_bounds_clearly():
    x = Variable(XS.copy())
    with pytest.raises(ValueError, match=r"array bounds must broadcast to x's shape \(5,\)"):
        F.clip(x, np.zeros((2, 5)), 1.0)
    with pytest.raises(ValueError, match="x_min <= x_max"):
        F.clip(x, HI, LO)
    with pytest.raises(ValueError, match="x_min <= x_max"):
        np.clip(x, 1.0, 0.0)  # not "NumPy converts it to an array first"
    with pytest.raises(TypeError, match=r"got a Variable.*x_min=v.data"):
        F.clip(x, Variable(np.array(0.0)), 1.0)


# 7. an int shape


@pytest.mark.parametrize("make, ref", [
    (lambda v: F.reshape(v, 6), lambda a: a.reshape(6)),
    (lambda v: F.reshape(v, np.int64(6)), lambda a: a.reshape(6)),
    (lambda v: F.sum_to(v, 3), lambda a: a.sum(axis=0)),
    (lambda v: F.broadcast_to(v[0], 3), lambda a: a[0]),
    (lambda v: F.broadcast_to(v[0, :1], 3), lambda a: np.broadcast_to(a[0, :1], (3,))),
], ids=["reshape", "reshape-np.int64", "sum_to", "broadcast_to-same", "broadcast_to"])
def test_an_int_shape_is_a_1d_shape(make, ref):
    xs = np.arange(6.0).reshape(2, 3)
    x = Variable(xs.copy())
    y = make(x)  # was "'int' object is not iterable"
    assert y.shape == ref(xs).shape and y.ndim == 1
    np.testing.assert_array_equal(y.data, ref(xs))
    w = np.arange(1.0, 1.0 + y.size)
    F.sum(y * w).backward()
    np.testing.assert_allclose(x.grad.data, central(lambda a: np.sum(w * ref(a)), xs), rtol=1e-6, atol=1e-9)


def test_broadcast_to_and_sum_to_int_shape_grads():
    xs = np.array([1.5])
    x = Variable(xs.copy())
    w = np.array([1.0, 2.0, 3.0])
    F.sum(F.broadcast_to(x, 3) * w).backward()
    np.testing.assert_allclose(x.grad.data, central(lambda a: np.sum(w * np.broadcast_to(a, 3)), xs), rtol=1e-6)
    m = Variable(np.arange(6.0).reshape(2, 3))
    F.sum(F.sum_to(m, 3) * w).backward()
    np.testing.assert_allclose(m.grad.data, np.broadcast_to(w, (2, 3)))


# 8. docstrings


def test_docstrings_say_what_differs():
    assert "eps" in dezero.optimizers.Adam.__doc__ and "torch" in dezero.optimizers.Adam.__doc__
    assert "cleargrad()" in Variable.backward.__doc__


# 9. np.float64 exponents, broadcast_to to fewer axes, batch_norm's per-channel arrays


def test_pow_of_a_numpy_float_keeps_float32():
    xs = np.array([0.5, 1.5, 2.0], dtype=np.float32)
    x = Variable(xs.copy())
    y = x ** np.float64(2)  # was float64, while x * np.float64(2) stays float32
    assert y.dtype == np.float32 == (x * np.float64(2)).dtype
    F.sum(y).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, 2 * xs, rtol=1e-6)
    gx = dezero.grad(F.sum(x ** np.float64(3)), x, create_graph=True)
    assert gx.dtype == np.float32
    np.testing.assert_allclose(gx.data, 3 * xs ** 2, rtol=1e-6)


def test_broadcast_to_fewer_axes_names_both_shapes():
    with pytest.raises(ValueError, match=r"shape \(1, 3\) to shape \(2,\)"):
        F.broadcast_to(Variable(np.ones((1, 3))), (2,))


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 2, 2)])
def test_batch_norm_says_gamma_and_beta_need_one_entry_per_channel(shape):
    x = Variable(np.ones(shape))
    with pytest.raises(ValueError, match=r"shape \(3,\): x.shape\[1\] = 3 entries.*gamma \(4,\), beta \(4,\)"):
        F.batch_norm(x, np.ones(4), np.zeros(4), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match=r"got mean \(4,\), var \(4,\)"):
        F.batch_norm(x, np.ones(3), np.zeros(3), np.zeros(4), np.ones(4))


# Review of the fixes: small and unsigned ints wrapped round in the shift by the max

@pytest.mark.parametrize("scores", [np.array([[0, 200]], dtype=np.uint8), np.array([[-100, 100]], dtype=np.int8),
                                    np.array([[-30000, 30000]], dtype=np.int16)])
def test_softmax_of_far_apart_small_ints_is_the_float_softmax(scores):
    wide = scores.astype(np.float64)
    expected = np.exp(wide - wide.max()) / np.exp(wide - wide.max()).sum()
    np.testing.assert_allclose(F.softmax(Variable(scores)).data, expected, atol=1e-6)
    np.testing.assert_allclose(F.log_softmax(Variable(scores)).data, wide - wide.max(), rtol=1e-6)
    loss = F.softmax_cross_entropy(Variable(scores), np.array([1]))
    assert np.isfinite(loss.data) and abs(float(loss.data)) < 1e-6


def test_a_seed_passed_to_backward_as_torch_does_is_refused_with_how_to_seed():
    x = Variable(np.array([1.0, 2.0]))
    y = x * x
    for seed in (Variable(np.ones(2)), np.ones(2)):
        with pytest.raises(TypeError, match=r"retain_grad must be True or False.*y\.grad = "):
            y.backward(seed)
    assert x.grad is None


def test_clip_without_bounds_is_the_identity_on_any_numpy():
    x = Variable(np.array([-2.0, 3.0]))
    y = F.clip(x)
    y.backward()
    assert y.data.tolist() == [-2.0, 3.0] and x.grad.data.tolist() == [1.0, 1.0]
    assert y.data is not x.data


def test_a_one_number_seed_is_reshaped_without_a_function_in_the_graph():
    x = Variable(np.array([3.0]))
    y = x * x
    y.grad = Variable(np.array(2.0))      # the book's y.grad = np.array(1.0) style, for a (1,) output
    y.backward(retain_grad=True)
    assert x.grad.data.tolist() == [12.0] and y.grad.creator is None and y.grad.shape == (1,)
