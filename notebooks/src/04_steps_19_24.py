# %% [markdown]
# # Steps 19–24: a friendlier `Variable`, operators, and the optimisation test functions
#
# From here on we use the `dezero` package; where the book writes a new function class we write it
# ourselves as a subclass of `dezero.Function`, and `%%dezero` draws it like the built-in ones.

# %%
%load_ext dezero_magic
import numpy as np

import dezero
import dezero.functions as F
from dezero import Function, Variable

# %% [markdown]
# ## Step 19 — names, shape, `len`, `print`

# %%
x = Variable(np.array([[1, 2, 3], [4, 5, 6]]), name="x")
print(x.name, x.shape, x.ndim, x.size, x.dtype, len(x))
print(x)

# %% [markdown]
# ## Steps 20–22 — operators
#
# A function class, a Python function that calls it, and a special method on `Variable`. Here is
# the book's `Mul`, typed by us (the package has its own; ours replaces `*` for a moment):

# %%
class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return gy * x1, gy * x0


def mul(x0, x1):
    return Mul()(x0, dezero.as_array(x1) if np.isscalar(x1) else x1)


# The package's operator, taken from dezero itself: `Variable.__mul__` would be our `mul` when
# this cell runs a second time, and the cell below could then no longer put the package's back.
builtin_mul = dezero.arithmetic.mul
Variable.__mul__ = mul

# %%
%%dezero
Variable.__mul__ = mul   # ours, also when the next cell has already put the package's back
a = Variable(np.array(3.0), name="a")
b = Variable(np.array(2.0), name="b")
c = Variable(np.array(1.0), name="c")
y = a * b + c
y.backward()
print(y, a.grad, b.grad)

# %%
Variable.__mul__ = builtin_mul   # back to the package's operator

# %% [markdown]
# Step 21: numbers and arrays on either side (`__rmul__`, `__radd__`, and `__array_priority__` so
# that an `ndarray` on the left defers to `Variable`). Step 22: `-x`, `x - y`, `x / y`, `x ** c`.

# %%
%%dezero -b y
x = Variable(np.array(2.0), name="x")
y = np.array(3.0) + 3.0 * x + 1.0 - x / 4 + (-x) ** 3
y.name = "y"
print(type(y).__name__, y)

# %% [markdown]
# The derivative by hand: $dy/dx = 3 - 1/4 - 3x^2 = -9.25$ at $x = 2$.

# %%
print(x.grad)
assert np.isclose(x.grad.data, 3 - 0.25 - 3 * 2.0 ** 2), \
    "x is no longer the x of the step-22 cell: re-run that cell (%%dezero -b y), then this one"

# %% [markdown]
# ## Step 24 — differentiating complicated functions
#
# The optimisation test functions: Sphere, Matyas and Goldstein–Price. We write them as ordinary
# Python with operators; define-by-run builds the graph as they run.

# %%
def sphere(x, y):
    return x ** 2 + y ** 2


def matyas(x, y):
    return 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y


def goldstein(x, y):
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)) * \
        (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2))

# %%
%%dezero
x = Variable(np.array(1.0), name="x")
y = Variable(np.array(1.0), name="y")
z = sphere(x, y)
z.backward()
print(x.grad, y.grad)

# %%
%%dezero
x = Variable(np.array(1.0), name="x")
y = Variable(np.array(1.0), name="y")
z = matyas(x, y)
z.backward()
print(x.grad, y.grad)

# %% [markdown]
# Goldstein–Price has dozens of nodes; the book's values at (1, 1) are -5376 and 8064, and the
# gradient check agrees with the numerical derivative.

# %%
%%dezero
x = Variable(np.array(1.0), name="x")
y = Variable(np.array(1.0), name="y")
z = goldstein(x, y)
z.backward()
print(x.grad, y.grad)

# %%
assert (x.grad.data, y.grad.data) == (-5376.0, 8064.0), \
    "x and y are no longer the Goldstein cell's: re-run the Goldstein cell above, then this one"
dezero.gradient_check(goldstein, np.array(1.0), np.array(1.0))
from dezero.benchmark_functions import goldstein as package_goldstein
assert package_goldstein(x, y).data == z.data, "re-run the Goldstein cell above, then this one"
print("gradient check passed; the package's goldstein gives the same value", z.data)
