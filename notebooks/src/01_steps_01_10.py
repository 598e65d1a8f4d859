# %% [markdown]
# # Steps 1–10: variables, functions, derivatives, backpropagation, tests
#
# In these steps we type the book's own classes into cells. `%%dezero` draws *our* classes too
# (anything with `.data` and `.creator`), so from step 7 on every cell shows the graph it built.

# %%
%load_ext dezero_magic
import numpy as np

# %% [markdown]
# ## Step 1 — a variable is a box holding an `ndarray`

# %%
class Variable:
    def __init__(self, data):
        self.data = data

x = Variable(np.array(1.0))
print(x.data)
x.data = np.array(2.0)
print(x.data, x.data.ndim)

# %% [markdown]
# ## Steps 2–3 — functions, and chaining them
#
# `Function.__call__` takes the data out of the input box and puts the result into a new box;
# subclasses only say what `forward` computes.

# %%
assert not hasattr(Variable, "set_creator"), \
    "Variable is a later step's (step 7 or later): re-run the step-1 cell, then this one"
class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        return output

    def forward(self, x):
        raise NotImplementedError()


class Square(Function):
    def forward(self, x):
        return x ** 2


class Exp(Function):
    def forward(self, x):
        return np.exp(x)


A, B, C = Square(), Exp(), Square()
x = Variable(np.array(0.5))
y = C(B(A(x)))
print(y.data)

# %% [markdown]
# ## Step 4 — numerical differentiation
#
# The centred difference $\frac{f(x+h) - f(x-h)}{2h}$: easy, but one evaluation per input and
# subject to rounding error.

# %%
assert not hasattr(Variable, "set_creator") and not hasattr(Square, "backward"), \
    "Variable and Square are a later step's: re-run the step-1 and steps 2-3 cells, then this one"
def numerical_diff(f, x, eps=1e-4):
    x0 = Variable(x.data - eps)
    x1 = Variable(x.data + eps)
    y0 = f(x0)
    y1 = f(x1)
    return (y1.data - y0.data) / (2 * eps)


def f(x):
    A, B, C = Square(), Exp(), Square()
    return C(B(A(x)))


x = Variable(np.array(0.5))
dy_numerical = numerical_diff(f, x)
print(dy_numerical)

# %% [markdown]
# ## Steps 5–6 — backpropagation by hand
#
# Each variable gets a `grad`; each function remembers its input and gains a `backward` that
# multiplies the incoming gradient by its local derivative. We call the `backward`s ourselves, from
# the output back to the input.

# %%
class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        self.input = input
        return output


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.input.data
        return 2 * x * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x = self.input.data
        return np.exp(x) * gy


A, B, C = Square(), Exp(), Square()
x = Variable(np.array(0.5))
a = A(x)
b = B(a)
y = C(b)

y.grad = np.array(1.0)
b.grad = C.backward(y.grad)
a.grad = B.backward(b.grad)
x.grad = A.backward(a.grad)
print("backprop :", x.grad)
print("numerical:", dy_numerical)

# %% [markdown]
# ## Step 7 — automatic backpropagation (define-by-run)
#
# A variable remembers its `creator`, a function its `input` and `output`: running the forward pass
# *builds* the graph, and `backward` walks it (recursively here). Now `%%dezero` can draw it.

# %%
class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        f = self.creator
        if f is not None:
            x = f.input
            x.grad = f.backward(self.grad)
            x.backward()


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        output.set_creator(self)
        self.input = input
        self.output = output
        return output

# %% [markdown]
# `Square` and `Exp` were defined on the old `Function`; define them again on the new one.

# %%
class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy

# %%
%%dezero
assert hasattr(Variable, "set_creator") and issubclass(Square, Function), \
    "re-run the step-7 cells (class Variable ... set_creator, then Square and Exp again), then this one"
A, B, C = Square(), Exp(), Square()
x = Variable(np.array(0.5))
a = A(x)
b = B(a)
y = C(b)
y.grad = np.array(1.0)
y.backward()
print(x.grad)

# %% [markdown]
# ## Steps 8–9 — a loop instead of recursion, and friendlier functions
#
# `backward` keeps a list of functions to process; `square(x)` and `exp(x)` hide the classes;
# the output's grad starts as ones; only `ndarray`s are accepted, and scalars that NumPy returns
# (`x ** 2` of a 0-d array is a NumPy scalar) are turned back into arrays.

# %%
def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data)} is not supported")
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = [self.creator]
        while funcs:
            f = funcs.pop()
            x, y = f.input, f.output
            x.grad = f.backward(y.grad)
            if x.creator is not None:
                funcs.append(x.creator)


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(as_array(y))
        output.set_creator(self)
        self.input = input
        self.output = output
        return output


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


# Step 9's Variable under a name of its own: the cells below check that no earlier step's
# class cell ran since (going back to step 7 and jumping here mixes the two steps' classes).
Step9Variable = Variable

# %%
%%dezero
assert Variable is Step9Variable, "re-run the steps 8-9 cell (def as_array ... class Variable ...), then this one"
x = Variable(np.array(0.5))
y = square(exp(square(x)))
y.backward()
print(x.grad)

# %%
try:
    Variable(1.0)
except TypeError as e:
    print("rejected:", e)

# %% [markdown]
# ## Step 10 — tests
#
# Unit tests for `square`: the forward value, the backward value, and a *gradient check*
# comparing backprop with the numerical derivative on a random input.

# %%
import sys
import unittest

assert Variable is Step9Variable, "re-run the steps 8-9 cell (def as_array ... class Variable ...), then this one"


def numerical_diff(f, x, eps=1e-4):
    y0 = f(Variable(x.data - eps))
    y1 = f(Variable(x.data + eps))
    return (y1.data - y0.data) / (2 * eps)


class SquareTest(unittest.TestCase):
    def test_forward(self):
        y = square(Variable(np.array(2.0)))
        self.assertEqual(y.data, np.array(4.0))

    def test_backward(self):
        x = Variable(np.array(3.0))
        y = square(x)
        y.backward()
        self.assertEqual(x.grad, np.array(6.0))

    def test_gradient_check(self):
        x = Variable(np.random.rand(1))
        y = square(x)
        y.backward()
        num_grad = numerical_diff(square, x)
        self.assertTrue(np.allclose(x.grad, num_grad))


suite = unittest.defaultTestLoader.loadTestsFromTestCase(SquareTest)
result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
assert result.wasSuccessful(), "a test failed (see above): re-run the steps 8-9 cell, then this one"

# %% [markdown]
# ## The same with the `dezero` package
#
# The package grew out of exactly these classes. Its `gradient_check` compares backprop with
# numerical gradients for every input and says which one disagrees.

# %%
import dezero
import dezero.functions as F

# (xd, yd: x and y stay the steps 8-9 cell's, whose Gradients check needs its graph alive)
xd = dezero.Variable(np.array(0.5), name="x")
yd = F.square(F.exp(F.square(xd)))
yd.backward()
print("dezero backprop:", xd.grad.data)
print("numerical      :", dezero.numerical_diff(lambda v: F.square(F.exp(F.square(v))), xd))
dezero.gradient_check(lambda v: F.square(F.exp(F.square(v))), np.array(0.5))
print("gradient_check passed")
