"""A float32 network stays float32: values, grads and running statistics (as in the book)."""
import numpy as np

import dezero.functions as F
from dezero import Variable


def test_float32_network_forward_and_grads_stay_float32(rng):
    f32 = np.float32

    def var(*shape):
        return Variable(rng.standard_normal(shape).astype(f32))

    x, W, b = var(4, 1, 5, 5), var(2, 1, 3, 3), Variable(np.zeros(2, f32))
    gamma, beta = Variable(np.ones(2, f32)), Variable(np.zeros(2, f32))
    mean, v = np.zeros(2, f32), np.ones(2, f32)
    W2, b2 = var(8, 3), Variable(np.zeros(3, f32))
    Wd = var(2, 1, 2, 2)

    h = F.conv2d(x, W, b, 1, 1)
    h = F.relu(F.batch_norm(h, gamma, beta, mean, v))
    h = F.average_pooling(F.pooling(h, 2, 2), 1)
    rec = F.deconv2d(h, Wd, None, 2, 0)
    y = F.linear(F.leaky_relu(F.sigmoid(F.dropout(F.flatten(h)))), W2, b2)
    zeros = np.zeros((4, 3), f32)
    loss = (F.softmax_cross_entropy(y, np.array([0, 1, 2, 0]))
            + F.mean_squared_error(F.log_softmax(y), zeros)
            + F.sigmoid_cross_entropy(y, np.ones((4, 3), f32))
            + F.binary_cross_entropy(F.softmax(y), zeros)
            + F.mean(F.max(y, axis=1)) + F.sum(F.clip(y, -1, 1)[:, 0])
            + F.mean(F.tanh(rec)) + F.sum(F.matmul(y, F.transpose(y))) * 0.001)
    loss.backward()
    assert loss.dtype == f32
    for p in (x, W, b, gamma, beta, W2, b2, Wd):
        assert p.grad.dtype == f32
    assert mean.dtype == v.dtype == f32
