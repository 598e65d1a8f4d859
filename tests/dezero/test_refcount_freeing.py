"""dezero graphs are freed by reference counting alone (the garbage collector off).

A Function holds its inputs strongly and its outputs through weakrefs (the
book's step 17), so a forward graph has no reference cycle: dropping the last
name frees every Variable and Function at once. One documented exception,
as in the book and in PyTorch: `y.backward(create_graph=True)` stores in
`x.grad` a graph that refers back to `x` (x -> x.grad -> Mul -> x), a
cycle; `x.cleargrad()` breaks it, or the collector frees it later.
`dezero.grad(..., create_graph=True)` writes no `.grad` and makes no cycle.
"""
import contextlib
import gc
import weakref

import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Function, Variable


@contextlib.contextmanager
def gc_off():
    was = gc.isenabled()
    gc.collect()  # start clean: earlier tests' cycles are not ours
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def reachable(*outputs):
    """Weakrefs to every Variable and Function behind `outputs`, grads and their graphs included."""
    seen, refs, stack = set(), [], list(outputs)
    while stack:
        obj = stack.pop()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        refs.append(weakref.ref(obj))
        if isinstance(obj, Variable):
            stack += [obj.creator, obj.grad]
        else:
            stack += list(obj.inputs) + [r() for r in obj.outputs]
    return refs


def alive(refs):
    return [type(r()).__name__ for r in refs if r() is not None]


def build():
    """A graph with fan-out, broadcasting, a reduction, matmul and a dropped output."""
    x = Variable(np.linspace(-1, 1, 6).reshape(2, 3))
    W = Variable(np.ones((3, 2)) * 0.5)
    a = F.tanh(x)
    b = a * x + F.exp(a)  # x and a used twice
    c = F.matmul(b, W) + Variable(np.array([1.0, 2.0]))
    y = F.sum(F.softmax(c)) + F.max(c) + F.log(F.sum(c * c))
    return x, W, y


def test_forward_graph_is_freed_when_dropped():
    with gc_off():
        x, W, y = build()
        refs = reachable(y)
        assert len(refs) > 20
        del x, W, y
        assert alive(refs) == []


@pytest.mark.parametrize("retain_grad", [False, True])
def test_graph_is_freed_after_backward(retain_grad):
    with gc_off():
        x, W, y = build()
        y.backward(retain_grad=retain_grad)
        assert x.grad is not None and W.grad is not None
        refs = reachable(y)
        del x, W, y
        assert alive(refs) == []


def test_graph_is_freed_under_no_grad_and_after_unchain():
    with gc_off():
        with dezero.no_grad():
            x, W, y = build()
        assert y.creator is None
        refs = [weakref.ref(v) for v in (x, W, y)]
        del x, W, y
        assert alive(refs) == []
        x, W, y = build()
        refs = reachable(y)
        y.unchain_backward()  # truncated BPTT: the graph behind y goes at once
        assert sorted(alive(refs)) == ["Variable"] * 3  # x, W and y, still named
        del x, W
        assert alive(refs) == ["Variable"]  # only y itself


def test_dropped_output_of_a_multi_output_function_is_freed():
    class Halves(Function):
        def forward(self, x):
            return x[:1], x[1:]

        def backward(self, g0, g1):
            return Merge()(g0, g1)

    class Merge(Function):
        def forward(self, a, b):
            return np.concatenate([a, b])

        def backward(self, gy):
            return gy[:1], gy[1:]

    with gc_off():
        x = Variable(np.array([1.0, 2.0, 3.0]))
        first = Halves()(x)[0]  # the second output is dropped here
        f = first.creator
        assert f.outputs[1]() is None, "the dropped output is still alive"
        y = F.sum(first * first)
        y.backward()
        assert x.grad.data.tolist() == [2.0, 0.0, 0.0]  # the dropped output counts as zero grad
        refs = reachable(y)
        del x, first, f, y
        assert alive(refs) == []


def test_dezero_grad_with_create_graph_is_freed():
    with gc_off():
        x = Variable(np.array([0.5, -1.0, 2.0]))
        y = F.sum(F.sin(x) * x)
        (gx,) = dezero.grad(y, [x], create_graph=True)
        (ggx,) = dezero.grad(F.sum(gx), [x])
        np.testing.assert_allclose(ggx.data, 2 * np.cos(x.data) - x.data * np.sin(x.data))
        refs = reachable(y, gx, ggx)
        del x, y, gx, ggx
        assert alive(refs) == []


def test_backward_with_create_graph_makes_a_cycle_through_x_grad():
    """Documented, as in the book and PyTorch: x.grad's graph refers back to x."""
    with gc_off():
        x = Variable(np.array([0.5, -1.0, 2.0]))
        y = F.sum(x * x * x)
        y.backward(create_graph=True)
        assert x.grad.creator is not None
        refs = reachable(y)
        del y
        x_ref = weakref.ref(x)
        del x
        assert x_ref() is not None, "no cycle any more: update docs/RELIABILITY.md and this test"
        assert gc.collect() > 0
        assert alive(refs) == [] and x_ref() is None
    with gc_off():  # cleargrad() breaks the cycle: refcounting frees it again
        x = Variable(np.array([0.5, -1.0, 2.0]))
        y = F.sum(x * x * x)
        y.backward(create_graph=True)
        refs = reachable(y)
        x.cleargrad()
        del x, y
        assert alive(refs) == []
