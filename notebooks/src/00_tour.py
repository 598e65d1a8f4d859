# %% [markdown]
# # `%%dezero` in five minutes
#
# `dezero` is the framework that *Deep Learning from Scratch 3* builds in 60 steps. The IPython
# extension `dezero_magic` adds one thing to a notebook: a cell that starts with `%%dezero` runs
# exactly as a normal cell **and** shows the computation it built as a graph, with values, gradients,
# the backward pass step by step, and what the memory-saving modes keep or free.
#
# Run the cells from top to bottom (Run > Run All Cells). Each `%%dezero` cell below shows one view.

# %%
%load_ext dezero_magic
import numpy as np
import dezero
import dezero.functions as F
from dezero import Variable

# %% [markdown]
# ## 1. The graph
#
# Ovals are variables (value and gradient), boxes are functions. `-b y` calls `y.backward()` after
# the cell, so x's gradient appears on the graph; the other variables' gradients are freed once used
# (they read "grad freed"), and §3 keeps them. The fill of a variable shows the size of its grad.
# Hover a node for its value and grad.

# %%
%%dezero -b y
x = Variable(np.array(0.5), name="x")
y = F.tanh(x) * x ** 2 + F.exp(x)
y.name = "y"

# %% [markdown]
# ## 2. The backward stepper
#
# A graph that branches and joins again (step 15 of the book): `a` is used twice, so its gradient
# is the sum of two contributions and `A` must run *after* both `B` and `C`. Press **next** to follow
# the backward pass in generation order and watch the queue the algorithm holds; the switch replays
# the book's old, stack-based algorithm with its order D, C, A, B, A and its wrong gradient.

# %%
%%dezero
x = Variable(np.array(2.0), name="x")
a = F.square(x)        # A
b = F.square(a)        # B
c = F.square(a)        # C
y = b + c              # D
y.backward()
print("y =", y.data, " dy/dx =", x.grad.data)

# %% [markdown]
# ## 3. Gradients
#
# The Matyas function, one of the optimisation test functions of step 24. `--retain-grad` keeps the
# gradients of the intermediate variables (normally they are freed as soon as they have been used),
# so the graph shows every variable's value and gradient; the Gradients tab checks the leaves'
# gradients against numerical ones: x and y, and the constants 0.26 and 0.48 (each a leaf Variable
# without a name, which the operators made).

# %%
%%dezero --retain-grad
x = Variable(np.array(1.0), name="x")
y = Variable(np.array(1.0), name="y")
z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y
z.backward()
print(x.grad, y.grad)

# %% [markdown]
# ## 4. Memory modes
#
# Steps 17–18 save memory in three ways: weak references from functions to their outputs, freeing
# intermediate gradients (`retain_grad=False`) and not building the graph at all (`no_grad`).
# `--modes` runs the cell again once per memory mode (the default `retain_grad=False`,
# `retain_grad=True`, `no_grad`) and shows what each keeps, measured in bytes. Its view opens on the
# Memory tab: pick a mode with the buttons at its top.

# %%
%%dezero --modes
x = Variable(np.random.default_rng(0).standard_normal(10_000), name="x")
y = F.sum(F.square(F.square(F.square(x))))
y.backward()

# %% [markdown]
# ## 5. Your own classes
#
# Students type the book's own `Variable` and `Function` into cells (steps 1–10). `%%dezero` draws
# those too: anything with `.data` and `.creator` is a variable, its creator with `input`/`inputs`
# and `output`/`outputs` is a function, and the order in which *your* `backward` methods ran is the
# backward pass. The view never runs your code again by itself: the Gradients tab's check and the
# Backward tab's book-order replay run your `forward`/`backward` only when you press their button or
# switch (their prints are hidden).

# %%
class MyVariable:
    def __init__(self, data):
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


class MyFunction:
    def __call__(self, input):
        output = MyVariable(np.asarray(self.forward(input.data)))
        output.set_creator(self)
        self.input, self.output = input, output
        return output


class Square(MyFunction):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


class Exp(MyFunction):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy

# %%
%%dezero
x = MyVariable(np.array(0.5))
a = Square()(x)
b = Exp()(a)
y = Square()(b)
y.backward()
print(x.grad)

# %% [markdown]
# ## 6. Later
#
# `%dezero VAR` draws the graph behind a variable made in an earlier cell, and `-o NAME` keeps the
# trace to look at: `t.graph` (plain data), `t.svg()`, `t.text()`, `t.dot()`.

# %%
%%dezero -o t -b loss
w = Variable(np.array([[0.5, -1.0]]), name="w")
loss = F.sum(F.tanh(w) ** 2)
loss.name = "loss"

# %%
print(t.text())

# %%
%dezero loss
