# %% [markdown]
# # Steps 11–16: many inputs, reusing a variable, generations
#
# We keep typing the book's classes. The key moment is step 15: a graph that branches and joins
# again, where the simple list-based backward runs the functions in the **wrong order**.

# %%
%load_ext dezero_magic
import numpy as np


def as_array(x):
    return np.array(x) if np.isscalar(x) else x

# %% [markdown]
# ## Steps 11–13 — variable-length arguments
#
# `Function.__call__(*inputs)` takes any number of variables, `forward(*xs)` gets the unpacked
# arrays, and a single output is returned as itself rather than a one-element list. `backward` of
# a variable now loops over all the inputs of a function.

# %%
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
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx                    # step 13: overwrites (fixed in step 14)
                if x.creator is not None:
                    funcs.append(x.creator)


class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


def add(x0, x1):
    return Add()(x0, x1)


def square(x):
    return Square()(x)


# Steps 14 and 16 below replace `backward`, then the classes themselves, under the same names.
# These two names keep step 13's, so that the cells of steps 13-15 still do what their text says
# when a lecturer goes back and runs them again after a later step.
backward_step13 = Variable.backward
ListVariable = Variable

# %%
%%dezero
x = Variable(np.array(2.0))
y = Variable(np.array(3.0))
z = add(square(x), square(y))
z.backward()
print(z.data, x.grad, y.grad)

# %% [markdown]
# ## Step 14 — using the same variable twice
#
# `y = add(x, x)` should give `dy/dx = 2`, but the step-13 `backward` *overwrites* `x.grad` with
# each contribution and gets 1. (The cell calls it by its name, `backward_step13(y14)` for
# `y14.backward()`, because the next step replaces the method. Each cell names its output apart, `y14`,
# `y15`, ...: after Run All every cell's graph is still alive for its Gradients check.)

# %%
%%dezero
x = Variable(np.array(3.0))
y14 = add(x, x)
backward_step13(y14)   # y14.backward() as step 13 wrote it
print("step 13: x.grad =", x.grad, "(should be 2)")

# %% [markdown]
# The fix: add the gradient when there already is one, and `cleargrad()` before reusing a
# variable in a new computation.

# %%
def backward_step14(self):
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    funcs = [self.creator]
    while funcs:
        f = funcs.pop()
        gys = [output.grad for output in f.outputs]
        gxs = f.backward(*gys)
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        for x, gx in zip(f.inputs, gxs):
            x.grad = gx if x.grad is None else x.grad + gx
            if x.creator is not None:
                funcs.append(x.creator)


def cleargrad(self):
    self.grad = None


# ListVariable: the step-13 class, also when this cell runs again after step 16 redefined Variable
ListVariable.backward = backward_step14
ListVariable.cleargrad = cleargrad

# %%
%%dezero
assert hasattr(Variable, "cleargrad"), "re-run the step-14 cell (def backward_step14 ...), then this one"
x = Variable(np.array(3.0))
y = add(x, x)
y.backward()
print("step 14: x.grad =", x.grad)
x.cleargrad()
y3x = add(add(x, x), x)
y3x.backward()
print("after cleargrad, y = 3x: x.grad =", x.grad)

# %% [markdown]
# ## Step 15 — a graph that branches and joins: the wrong order
#
# `a = A(x); b = B(a); c = C(a); y = D(b, c)`. Backward must run `D`, then `B` and `C` (in any
# order), and `A` only once both have added their part to `a.grad`. The list-based `backward` pops
# the *last* function added, so it runs **D, C, A, B, A**: `A` runs twice, the first time with half
# of `a.grad`, and `x.grad` comes out wrong. The names of the functions are their classes (the cell
# calls the list-based `backward` by its name, `backward_step14(y15)`, so that it still shows the
# wrong order when you run it again after step 16):

# %%
class A(Square):
    pass


class B(Square):
    pass


class C(Square):
    pass


class D(Add):
    pass

# %%
%%dezero -o old
assert issubclass(A, Square), "re-run the step-15 class cell (class A(Square) ...), then this one"
x = Variable(np.array(2.0))
a = A()(x)
b = B()(a)
c = C()(a)
y15 = D()(b, c)
backward_step14(y15)   # y15.backward() with step 14's list of functions
print("list order: y =", y15.data, " x.grad =", x.grad, "(the right answer is 8 * x**3 = 64)")

# %% [markdown]
# ## Step 16 — generations
#
# Each function and variable records its *generation* (its distance from the inputs); `backward`
# always takes the function of the highest generation next and adds each function only once.

# %%
class Variable(Variable):
    def __init__(self, data):
        super().__init__(data)
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs, seen = [], set()

        def add_func(f):
            if f not in seen:
                funcs.append(f)
                seen.add(f)
                funcs.sort(key=lambda func: func.generation)

        add_func(self.creator)
        while funcs:
            f = funcs.pop()
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    add_func(x.creator)


class Function(Function):
    def __call__(self, *inputs):
        self.generation = max(x.generation for x in inputs)
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class A(Square):
    pass


class B(Square):
    pass


class C(Square):
    pass


class D(Add):
    pass

# %%
%%dezero -o new
assert hasattr(Variable(np.array(0.0)), "generation"), \
    "re-run the step-16 class cell (class Variable(Variable) ...), then this one"
x = Variable(np.array(2.0))
a = A()(x)
b = B()(a)
c = C()(a)
y16 = D()(b, c)
y16.backward()
print("generation order: y =", y16.data, " x.grad =", x.grad)

# %% [markdown]
# ## The two orders
#
# The order in which the backward methods actually ran, as `%%dezero` recorded it (`-o old`,
# `-o new` kept the two traces), one graph above the other:

# %%
from html import escape

from IPython.display import HTML


def backward_order(trace):
    return [trace.graph.functions[step.func].op for step in trace.graph.steps]


old_order, new_order = backward_order(old), backward_order(new)
print("list (step 14):      ", ", ".join(old_order))
print("generations (step 16):", ", ".join(new_order))
assert old_order == ["D", "C", "A", "B", "A"], "re-run the step-15 cell (%%dezero -o old), then this one"
assert len(new_order) == 4 and new_order[0] == "D" and new_order[-1] == "A", \
    "re-run the step-16 class cell (class Variable(Variable) ...) and the %%dezero -o new cell, then this one"
HTML(f'<div><b>{escape("list order: " + ", ".join(old_order))}</b><br>{old.svg()}</div>'
     f'<div style="margin-top:1.5em"><b>{escape("generation order: " + ", ".join(new_order))}</b><br>'
     f'{new.svg()}</div>')

# %% [markdown]
# ## The same graph with the `dezero` package
#
# The package's backward uses generations (with a heap instead of sorting). Press **next** in the
# Backward tab to step through it. Here the functions are the package's `Square` and `Add`, so the
# tab names each one by its output: `A` is Square → a, `B` Square → b, `C` Square → c and `D`
# Add → y. The switch "book steps 8–14: list, pop last" replays the old order D, C, A, B, A, which
# reads Add → y, Square → c, **Square → a**, Square → b, **Square → a**: Square → a runs twice and
# x.grad comes out 96 instead of 64.

# %%
import dezero
import dezero.functions as F

# %%
%%dezero
x = dezero.Variable(np.array(2.0), name="x")
a = F.square(x)
b = F.square(a)
c = F.square(a)
y = b + c
y.backward()
print(x.grad)
