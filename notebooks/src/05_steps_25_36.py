# %% [markdown]
# # Steps 25–36: graph visualisation, higher-order derivatives, Newton's method
#
# The book draws graphs with Graphviz (`get_dot_graph`); `%%dezero` draws them in the notebook
# itself and still gives you the DOT text. Then: gradient descent, Newton's method, and derivatives
# of derivatives — backward passes that build graphs of their own (`create_graph=True`).

# %%
%load_ext dezero_magic
import matplotlib.pyplot as plt
import numpy as np

import dezero
import dezero.functions as F
from dezero import Function, Variable

# %% [markdown]
# ## Steps 25–26 — visualising a graph
#
# `-o t` keeps the trace; `t.dot()` is the Graphviz source the book's `plot_dot_graph` would draw
# (paste it into any Graphviz tool), `-v` adds shapes and dtypes to the variables.

# %%
%%dezero -v -o t -b z
x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")
y = Variable(np.random.default_rng(1).standard_normal((2, 3)), name="y")
z = F.sum((x + y) * x - y ** 2)
z.name = "z"

# %%
print(t.dot())

# %% [markdown]
# ## Step 27 — Taylor series of sin
#
# `my_sin` adds terms until they are smaller than `threshold`: a smaller threshold, a deeper graph.
# Our own `Sin` class gives the exact value to compare with (printed, not drawn).

# %%
import math


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * F.cos(self.inputs[0])


def my_sin(x, threshold=1e-4):
    y = 0
    for i in range(100000):
        c = (-1) ** i / math.factorial(2 * i + 1)
        t = c * x ** (2 * i + 1)
        y = y + t
        if abs(t.data) < threshold:
            break
    return y

# %%
%%dezero
x = Variable(np.array(np.pi / 4), name="x")
y = my_sin(x)
y.backward()
print("taylor:", y.data, x.grad.data)

# %%
x = Variable(np.array(np.pi / 4), name="x")
y = Sin()(x)
y.backward()
print("exact: ", y.data, x.grad.data)

# %% [markdown]
# ## Step 28 — gradient descent on the Rosenbrock function
#
# The minimum is at (1, 1); with learning rate 0.001 gradient descent creeps along the valley.
# The book's step 28 imports the step-24 core here (`from dezero.core_simple import Variable`),
# where a grad is an array and `x0.data -= lr * x0.grad` works as printed; this notebook keeps the
# full core, where the grad is a Variable: hence `x0.grad.data`.

# %%
def rosenbrock(x0, x1):
    return 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2


x0 = Variable(np.array(0.0))
x1 = Variable(np.array(2.0))
lr, iters = 0.001, 10000
path = []
for i in range(iters):
    path.append((float(x0.data), float(x1.data)))
    y = rosenbrock(x0, x1)
    x0.cleargrad()
    x1.cleargrad()
    y.backward()
    x0.data -= lr * x0.grad.data
    x1.data -= lr * x1.grad.data
print(x0, x1)

path = np.array(path)
X, Y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-1, 3, 200))
plt.figure(figsize=(5, 4))
plt.contour(X, Y, 100 * (Y - X ** 2) ** 2 + (1 - X) ** 2, levels=np.logspace(-1, 3.5, 12))
plt.plot(path[:, 0], path[:, 1], ".-", markevery=500, color="tab:red")
plt.plot(1, 1, "*", markersize=12, color="tab:blue")
plt.title("gradient descent, 10000 steps")
plt.show()

# %% [markdown]
# ## Step 29 — Newton's method, second derivative by hand
#
# For $f(x) = x^4 - 2x^2$, $x \leftarrow x - f'(x)/f''(x)$ with $f''(x) = 12x^2 - 4$ typed by hand.
# It reaches the minimum at 1 in a handful of steps.

# %%
def f(x):
    return x ** 4 - 2 * x ** 2


def gx2(x):
    return 12 * x ** 2 - 4


x = Variable(np.array(2.0))
for i in range(7):
    print(i, x)
    y = f(x)
    x.cleargrad()
    y.backward()
    x.data -= x.grad.data / gx2(x.data)

# %% [markdown]
# ## Steps 30–33 — the backward pass builds a graph too
#
# With `create_graph=True`, `x.grad` is a `Variable` *with a creator*: the graph of the derivative.
# `%dezero gx` draws it; a second `backward` on it gives the second derivative, so Newton's method
# needs no hand-written $f''$.

# %%
x = Variable(np.array(2.0), name="x")
y = f(x)
y.backward(create_graph=True)
gx = x.grad
gx.name = "gx"
print("f'(2) =", gx)

# %%
%dezero gx

# %%
x.cleargrad()
gx.backward()
print("f''(2) =", x.grad, "(by hand: 12 * 4 - 4 = 44)")
assert x.grad is not None and x.grad.data == 44.0, \
    "x and gx are another cell's now: re-run the step-33 cell (x = Variable(np.array(2.0), name=\"x\") ...), then this one"

# %%
x = Variable(np.array(2.0))
for i in range(7):
    print(i, x)
    y = f(x)
    x.cleargrad()
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    x.data -= gx.data / x.grad.data
assert np.isclose(x.data, 1.0), "Newton's method did not reach x = 1: re-run the step-33 cell that defines f, then this one"

# %% [markdown]
# ## Step 34 — higher derivatives of sin

# %%
x = Variable(np.linspace(-7, 7, 200))
y = F.sin(x)
y.backward(create_graph=True)
logs = [y.data]
for i in range(3):
    logs.append(x.grad.data)
    gx = x.grad
    x.cleargrad()
    gx.backward(create_graph=True)

plt.figure(figsize=(6, 3))
for i, values in enumerate(logs):
    plt.plot(x.data, values, label=["y=sin(x)", "y'", "y''", "y'''"][i])
plt.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Step 35 — the graph of a higher derivative of tanh
#
# Each derivative's graph is bigger than the last. The third derivative of tanh:

# %%
x = Variable(np.array(1.0), name="x")
y = F.tanh(x)
y.backward(create_graph=True)
for i in range(2):
    gx = x.grad
    x.cleargrad()
    gx.backward(create_graph=True)
gx = x.grad
gx.name = "d3y/dx3"
print(gx)

# %%
%dezero gx

# %% [markdown]
# ## Step 36 — double backprop
#
# $y = x^2$, $z = (dy/dx)^3 + y$; $dz/dx = 24x^2 + 2x = 100$ at $x = 2$. The gradient of a
# gradient is an ordinary graph, so `%%dezero` shows it and steps through its backward pass.

# %%
%%dezero
x = Variable(np.array(2.0), name="x")
y = x ** 2
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
z = gx ** 3 + y
z.backward()
print(x.grad)

# %%
assert x.grad is not None and x.grad.data == 100.0, "x is another cell's now: re-run the step-36 cell above, then this one"
