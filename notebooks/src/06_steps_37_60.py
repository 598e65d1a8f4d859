# %% [markdown]
# # Steps 37–60: tensors, and a neural network on the spiral data set
#
# Everything so far worked on scalars; from step 37 on variables hold tensors and the functions
# that change shapes (`sum`, `reshape`, `broadcast_to`, `matmul`) get backward passes whose
# gradients have the shape of their inputs. Then layers, models, optimizers, a data set and a data
# loader — and a network that learns the spiral. `-v` draws shapes on the graph.

# %%
%load_ext dezero_magic
import matplotlib.pyplot as plt
import numpy as np

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import DataLoader, Variable
from dezero.datasets import Spiral
from dezero.models import MLP
from dezero.optimizers import SGD

# %% [markdown]
# ## Steps 37–40 — functions on tensors, sum, reshape, broadcast
#
# Element-wise functions act on every element; the gradient of a broadcast `b` is summed back to
# `b`'s shape (step 40), and `x.grad` always has `x`'s shape.

# %%
%%dezero -v
x = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), name="x")
b = Variable(np.array([10.0, 20.0, 30.0]), name="b")
y = F.sum(F.sin(x + b).reshape(3, 2).T, axis=0)
y.backward()
print(y.shape, x.grad.shape, b.grad.shape)

# %%
RERUN_40 = "x and b are another cell's now: re-run the step-40 cell above (%%dezero -v), then this one"
assert x.grad is not None and b.grad is not None, RERUN_40
assert x.grad.shape == x.shape and b.grad.shape == b.shape, RERUN_40
assert np.allclose(b.grad.data, x.grad.data.sum(axis=0)), RERUN_40   # summed over the broadcast axis
dezero.gradient_check(lambda x, b: F.sin(x + b), x.data, b.data)
print("gradient check passed")

# %% [markdown]
# ## Step 41 — matrix product
#
# For $y = xW$: $\partial L/\partial x = (\partial L/\partial y) W^T$ and
# $\partial L/\partial W = x^T (\partial L/\partial y)$.

# %%
%%dezero -v -b y
x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")
W = Variable(np.random.default_rng(1).standard_normal((3, 4)), name="W")
y = F.sum(F.matmul(x, W))
y.name = "y"

# %%
RERUN_41 = "x and W are another cell's now: re-run the step-41 cell above (%%dezero -v -b y), then this one"
assert x.grad is not None and W.grad is not None and x.shape == (2, 3), RERUN_41
assert np.allclose(x.grad.data, np.ones((2, 4)) @ W.data.T), RERUN_41
assert np.allclose(W.grad.data, x.data.T @ np.ones((2, 4))), RERUN_41
print(x.grad.shape, W.grad.shape)

# %% [markdown]
# ## Step 42 — linear regression
#
# A cell that trains in a loop: `%%dezero` shows the graph of the **last** backward pass.

# %%
%%dezero
rng = np.random.default_rng(0)
x = rng.random((100, 1))
t = 5 + 2 * x + rng.random((100, 1))
W = Variable(np.zeros((1, 1)), name="W")
b = Variable(np.zeros(1), name="b")

def predict(x):
    return F.matmul(x, W) + b

for i in range(100):
    y_pred = predict(x)
    loss = F.mean_squared_error(t, y_pred)
    W.cleargrad()
    b.cleargrad()
    loss.backward()
    W.data -= 0.1 * W.grad.data
    b.data -= 0.1 * b.grad.data
print("W =", W.data.ravel(), " b =", b.data, " loss =", loss.data)

# %% [markdown]
# ## Steps 43–45 — layers and models
#
# `L.Linear` holds its parameters (`W` created lazily on the first call, from the input size);
# a `Model` collects the layers' parameters, `MLP((10, 1))` is a two-layer network.

# %%
model = MLP((10, 1))
y = model(np.random.default_rng(0).random((5, 2)))
print(y.shape, [p.shape for p in model.params()])

# %% [markdown]
# ## Steps 46–50 — optimizer, data set, data loader: the spiral
#
# Three classes of points on interleaved spirals; an MLP with one hidden layer of 10 units trained
# with SGD in mini-batches of 30. (The book trains 300 epochs; 100 are enough to see it work
# and keep this notebook quick.)

# %%
train_set = Spiral(train=True)
test_set = Spiral(train=False)
print(len(train_set), train_set[0])

# NumPy's global generator shuffles the data (already when the loader is built) and draws the
# weights, so seed it first.
np.random.seed(0)
train_loader = DataLoader(train_set, batch_size=30)
test_loader = DataLoader(test_set, batch_size=30, shuffle=False)
model = MLP((10, 3))
optimizer = SGD(lr=1.0).setup(model)

history = []
for epoch in range(100):
    sum_loss, sum_acc = 0.0, 0.0
    for x, t in train_loader:
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        acc = F.accuracy(y, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        sum_loss += float(loss.data) * len(t)
        sum_acc += float(acc.data) * len(t)
    history.append((sum_loss / len(train_set), sum_acc / len(train_set)))

with dezero.no_grad():
    test_acc = np.mean([float(F.accuracy(model(x), t).data) for x, t in test_loader])
print(f"train loss {history[-1][0]:.3f}, train accuracy {history[-1][1]:.3f}, test accuracy {test_acc:.3f}")
assert history[-1][0] < history[0][0], "the loss did not go down: re-run the cells from train_set = Spiral(train=True) to this one"

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
ax1.plot([h[0] for h in history], label="loss")
ax1.plot([h[1] for h in history], label="accuracy")
ax1.set_xlabel("epoch")
ax1.legend()
xs = np.array([x for x, _ in train_set])
ts = np.array([t for _, t in train_set])
g0, g1 = np.meshgrid(np.linspace(-1.1, 1.1, 150), np.linspace(-1.1, 1.1, 150))
with dezero.no_grad():
    scores = model(np.c_[g0.ravel(), g1.ravel()].astype(np.float32))
ax2.contourf(g0, g1, np.argmax(scores.data, axis=1).reshape(g0.shape), alpha=0.3, cmap="brg")
ax2.scatter(xs[:, 0], xs[:, 1], c=ts, s=8, cmap="brg")
ax2.set_aspect("equal")
plt.show()

# %% [markdown]
# ## One training step, as a graph
#
# The forward and backward pass of one mini-batch through the trained network: `Linear` layers,
# the sigmoid, softmax cross-entropy. Parameters are the leaves whose gradients the optimizer uses
# (the batch `x` is drawn with a gradient too: dezero computes it, the optimizer ignores it).

# %%
%%dezero -v
x, t = next(iter(DataLoader(train_set, batch_size=30, shuffle=False)))
loss = F.softmax_cross_entropy(model(x), t)
model.cleargrads()
loss.backward()
print(loss)

# %% [markdown]
# ## Steps 51–60, briefly
#
# The rest of the book reuses the same machinery: MNIST (a download, not done here), `Config.train`
# with dropout (`dezero.test_mode()` switches it off), CNNs and RNNs built from the same functions.
# Dropout in training and in test mode:

# %%
x = np.ones(10)
np.random.seed(0)
print("train:", F.dropout(x).data)
with dezero.test_mode():
    print("test: ", F.dropout(x).data)
