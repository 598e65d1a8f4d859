# %% [markdown]
# # Steps 17–18: memory — reference counts, weak references, `retain_grad`, `no_grad`
#
# Python frees an object when its reference count drops to zero. A variable refers to its creator
# and the creator to its outputs: a **cycle**, which only the slower garbage collector frees. The
# book breaks it with `weakref`, then saves more memory by dropping gradients nobody needs and by
# not building the graph at all when no backward will follow. Every figure below is measured.

# %%
%load_ext dezero_magic
import gc
import sys
import tracemalloc
import weakref

import numpy as np

import dezero
import dezero.functions as F

# %% [markdown]
# ## Step 17.2 — reference counting

# %%
class obj:
    pass


a = obj()
print("references to a:", sys.getrefcount(a) - 1)   # minus getrefcount's own argument
b = a
print("after b = a:    ", sys.getrefcount(a) - 1)
del b
print("after del b:    ", sys.getrefcount(a) - 1)

# %% [markdown]
# ## Step 17.4 — `weakref`: refer without counting

# %%
a = np.array([1, 2, 3])
b = weakref.ref(a)
print(b, b())
a = None
print(b, b())

# %% [markdown]
# ## A cycle, measured
#
# The step-16 classes with strong references both ways (`Function.outputs` holds the outputs), and
# the step-17 ones with weak references. We build `square(square(square(x)))` on a 1 MB array ten
# times, rebinding `x` and `y` each time as in the book, with the garbage collector paused so that
# only reference counting frees memory, and measure what stays allocated.

# %%
def as_array(x):
    return np.array(x) if np.isscalar(x) else x


class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1


class Function:
    weak_outputs = True   # step 17; False gives the step-16 cycle

    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        self.generation = max(x.generation for x in inputs)
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        if self.weak_outputs:
            self.outputs = [weakref.ref(output) for output in outputs]
        else:
            self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


def square(x):
    return Square()(x)


def kept_after_loop(weak):
    Function.weak_outputs = weak
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        for i in range(10):
            x = Variable(np.random.randn(125_000))   # 1 MB
            y = square(square(square(x)))
        del x, y
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
        gc.collect()
    return kept


strong_mb = kept_after_loop(weak=False) / 1e6
weak_mb = kept_after_loop(weak=True) / 1e6
print(f"strong outputs (cycle):  {strong_mb:6.1f} MB still allocated after the loop")
print(f"weakref outputs:         {weak_mb:6.1f} MB")
assert strong_mb > 30 > 1 > weak_mb

# %% [markdown]
# With the cycle every one of the ten graphs (4 arrays of 1 MB each) waits for the garbage
# collector; with weak references each graph is freed as soon as `y` is rebound.
# `%%dezero` draws the step-17 classes too — the outputs are reached through the weak references:

# %%
%%dezero
x = Variable(np.array(2.0))
y = square(square(x))

# %% [markdown]
# ## Step 18.1 — `retain_grad`: drop the gradients of intermediate variables
#
# With the package now. After `backward()` only the leaves (`x0`, `x1`) keep their gradients;
# `retain_grad=True` keeps every one. The graphs show the difference: `t` and `y` read "grad freed"
# in the first cell and "grad 1" in the second. (The Gradients tab checks only the leaves' gradients,
# the same in both cells.)

# %%
%%dezero
x0 = dezero.Variable(np.array(1.0), name="x0")
x1 = dezero.Variable(np.array(1.0), name="x1")
t = x0 + x1
y = x0 + t
y.backward()
print("retain_grad=False:", y.grad, t.grad, " leaves:", x0.grad, x1.grad)

# %%
%%dezero --retain-grad
x0 = dezero.Variable(np.array(1.0), name="x0")
x1 = dezero.Variable(np.array(1.0), name="x1")
t = x0 + x1
y = x0 + t
y.backward(retain_grad=True)
print("retain_grad=True: ", y.grad, t.grad, " leaves:", x0.grad, x1.grad)

# %% [markdown]
# ## Steps 18.3–18.5 — `no_grad`: no graph at all
#
# In inference nobody calls `backward`, so functions need not keep their inputs. `Config` switches
# graph building off, `using_config` / `no_grad` do it for a `with` block. Measured: the memory
# still held after `square(square(square(x)))` on an 8 MB array.

# %%
def held_after_forward(enable_backprop):
    tracemalloc.start()
    try:
        with dezero.using_config("enable_backprop", enable_backprop):
            x = dezero.Variable(np.ones((100, 100, 100)))
            y = F.square(F.square(F.square(x)))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return held, y.creator is not None


with_graph, has_creator = held_after_forward(True)
without_graph, no_creator = held_after_forward(False)
print(f"enable_backprop=True : {with_graph / 1e6:5.1f} MB held, y.creator set: {has_creator}")
print(f"no_grad()            : {without_graph / 1e6:5.1f} MB held, y.creator set: {no_creator}")
assert with_graph > 1.5 * without_graph

# %%
%%dezero --no-grad
x = dezero.Variable(np.array(2.0), name="x")
y = F.square(F.square(x))
print(y, y.creator)

# %% [markdown]
# ## All modes at once
#
# `--modes` runs the cell again once per step-18 setting (default, `retain_grad=True`, `no_grad`) and
# shows what each keeps, measured in bytes (a chart in the Memory tab, a table in exported pages). The
# "no weakrefs" mode of step 17 is computed from the graph, not measured: holding outputs weakly is
# written in the `Function` class, not a setting a re-run could switch.

# %%
%%dezero --modes
x = dezero.Variable(np.random.default_rng(0).standard_normal(100_000), name="x")
y = F.sum(F.square(F.square(F.square(x))))
y.backward()
