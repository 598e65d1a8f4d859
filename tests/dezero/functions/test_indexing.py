"""get_item (slicing, fancy indexing, scatter-add backward) and embed_id."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, gradient_check

INDEXES = [
    ((), ()),
    ((4,), 1),
    ((4,), slice(1, 3)),
    ((3, 4), (slice(None), 2)),
    ((3, 4), (np.array([0, 2]), slice(None, None, 2))),
    ((3, 4), (np.array([0, 0, 2]), np.array([1, 1, 3]))),  # repeated pairs accumulate
    ((3, 4), np.array([2, 2, 0])),
    ((3, 4), (Ellipsis, None, 1)),
    ((3, 4), np.array([[True, False, True, False]] * 3)),
]


@pytest.mark.parametrize("shape, index", INDEXES)
def test_get_item_forward_and_gradient(rng, weighted, shape, index):
    x = rng.standard_normal(shape)
    y = F.get_item(x, index)
    np.testing.assert_array_equal(y.data, x[index])
    assert gradient_check(weighted(lambda v: F.get_item(v, index), y.shape), x)
    np.testing.assert_array_equal(Variable(x)[index].data, x[index])  # the operator


def test_repeated_indices_accumulate_grads():
    x = Variable(np.arange(4.0))
    F.sum(x[np.array([1, 1, 1, 3])]).backward()
    np.testing.assert_array_equal(x.grad.data, [0, 3, 0, 1])


def test_index_given_as_variable():
    x = Variable(np.arange(6.0).reshape(3, 2))
    idx = Variable(np.array([2, 0]))
    np.testing.assert_array_equal(x[idx].data, [[4, 5], [0, 1]])


def test_get_item_grad_is_differentiable(rng, second_order_oracle):
    idx = np.array([0, 2, 2])
    second_order_oracle(lambda v: F.tanh(F.get_item(v, idx)) ** 3,
                        lambda t: t[idx].tanh() ** 3, rng.standard_normal(4))


def test_get_item_grad_backward_is_get_item(rng):
    idx = np.array([1, 1, 0])
    g = F.GetItemGrad(idx, (3,))(Variable(np.array([1.0, 2.0, 3.0])))
    np.testing.assert_array_equal(g.data, [3.0, 3.0, 0.0])
    assert gradient_check(lambda v: F.GetItemGrad(idx, (3,))(v) * np.array([1.0, 2.0, 5.0]),
                          rng.standard_normal(3))


def test_get_item_matches_torch(rng, torch_oracle):
    idx = (np.array([0, 2, 0]), slice(1, None))
    torch_oracle(lambda v: F.get_item(v, idx), lambda t: t[idx], rng.standard_normal((3, 4)))


def test_embed_id(rng, torch_oracle, torch):
    W = rng.standard_normal((5, 3))
    ids = np.array([[0, 4], [4, 1]])
    y = F.embed_id(ids, W)
    np.testing.assert_array_equal(y.data, W[ids])
    assert gradient_check(lambda w: F.embed_id(ids, w) * y.data, W)
    torch_oracle(lambda w: F.embed_id(ids, w),
                 lambda w: torch.nn.functional.embedding(torch.tensor(ids), w), W)


def test_embed_id_rejects_float_ids():
    with pytest.raises(TypeError, match="integer ids"):
        F.embed_id(np.array([0.0, 1.0]), np.ones((2, 2)))
