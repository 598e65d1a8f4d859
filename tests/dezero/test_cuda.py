"""dezero.cuda: the NumPy/CuPy indirection. GPU cases skip without CuPy and a GPU."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, cuda


def test_cpu_arrays_use_numpy():
    x = np.ones(3)
    assert cuda.get_array_module(x) is np
    assert cuda.get_array_module(Variable(x)) is np
    assert cuda.as_numpy(x) is x
    np.testing.assert_array_equal(cuda.as_numpy(Variable(x)), x)
    assert isinstance(cuda.as_numpy(3.0), np.ndarray)
    np.testing.assert_array_equal(cuda.as_numpy([1, 2]), [1, 2])


def test_add_at_accumulates_repeated_indices():
    a = np.zeros(3)
    cuda.add_at(a, np.array([0, 0, 2]), np.array([1.0, 2.0, 5.0]))
    np.testing.assert_array_equal(a, [3.0, 0.0, 5.0])


@pytest.mark.skipif(cuda.gpu_enable, reason="a GPU is present")
def test_as_cupy_without_gpu_says_what_to_do():
    with pytest.raises(RuntimeError, match="CuPy"):
        cuda.as_cupy(np.ones(2))
    x = Variable(np.ones(2))
    with pytest.raises(RuntimeError, match="stay on the CPU"):
        x.to_gpu()


gpu = pytest.mark.skipif(not cuda.gpu_enable, reason="needs CuPy and a CUDA GPU")


@gpu
def test_round_trip_and_module():
    x = np.arange(6.0).reshape(2, 3)
    g = cuda.as_cupy(x)
    assert cuda.get_array_module(g) is cuda.cupy
    np.testing.assert_array_equal(cuda.as_numpy(g), x)


@gpu
def test_functions_run_on_the_gpu_and_agree_with_the_cpu(rng):
    x = rng.standard_normal((2, 2, 5, 5))
    W = rng.standard_normal((3, 2, 3, 3))
    t = np.array([0, 2])

    def loss(x, W):
        h = F.pooling(F.relu(F.conv2d(x, W, None, 1, 1)), 2, 2)
        h = F.flatten(h)[:, :3] + F.get_item(h, (slice(None), 0, 0, slice(0, 3)))
        return F.softmax_cross_entropy(h, t) + F.sum(F.dropout(h, 0.0)) * 0

    xs_cpu = [Variable(x), Variable(W)]
    xs_gpu = [Variable(cuda.as_cupy(x)), Variable(cuda.as_cupy(W))]
    for xs in (xs_cpu, xs_gpu):
        loss(*xs).backward()
    np.testing.assert_allclose(cuda.as_numpy(xs_gpu[1].grad.data), xs_cpu[1].grad.data, rtol=1e-6)
