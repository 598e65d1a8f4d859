"""The book's "simple core" as of step 24: the code of steps 28 and 29 runs as printed.

    from dezero.core_simple import Variable
    from dezero.core_simple import setup_variable
    setup_variable()

Here a grad is a plain ndarray (`x.data -= lr * x.grad` works), not a
Variable as in `dezero.core` (step 32 on). It is a module of its own, not a
flag: importing it switches nothing in `dezero`; it has its own `Config`,
and its operators go on its own `Variable` only. It emits no
`dezero.events`: to `%%dezero` its classes are drawn from the objects, as a
student's own are.

Like the book's at step 24 it does not sum grads over broadcast axes (step
40): a Variable of shape () times one of shape (3,) gives the first a grad of
shape (3,). Use `dezero.Variable` for that.

Where the book's code has a bug, the docstring of the part that carries the
fix says so ("Book fix").
"""
import weakref

import numpy as np

from dezero.array_box import ArrayBox
from dezero.config import setting


class Config:
    """Settings of this simple core only; `dezero.Config` is another class."""

    enable_backprop = True


def using_config(name, value):
    return setting(Config, name, value)


def no_grad():
    return using_config("enable_backprop", False)


class Variable(ArrayBox):
    """A box for an ndarray: `data`, `name`, `grad` (an ndarray), `creator`, `generation`."""

    __array_priority__ = 200  # so `ndarray * Variable` calls Variable.__rmul__

    def __init__(self, data, name=None):
        """Book fix: the book's TypeError reads "<class 'float'> is not
        supported"; this one says what was given and how to wrap it."""
        if data is not None and not isinstance(data, np.ndarray):
            if isinstance(getattr(data, "data", None), np.ndarray):
                hint = "pass its array, Variable(v.data)"  # another Variable class (dezero.Variable)
            else:
                hint = f"wrap it first, e.g. Variable(np.array({data!r:.40}))"
            kind = type(data)
            raise TypeError(f"Variable data must be a numpy.ndarray, got {kind.__module__}."
                            f"{kind.__qualname__} ({data!r:.40}); {hint}")
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False):
        """Backpropagate in generation order (step 16); without retain_grad
        the intermediate variables' grads are freed (step 18).

        Book fixes: backward on a variable without a creator (a leaf, or one
        made under no_grad) sets its grad and stops (the book queues None and
        fails on `None.outputs`); every grad is an ndarray (NumPy returns a
        scalar for 0-d * 0-d, so the book's grads of 0-d variables were
        np.float64); a backward returning the wrong number of grads is an
        error (the book's zip dropped the extra ones silently); an output the
        caller dropped, or one off the path to self, counts as a zero grad
        (the book fails on it: only Functions with several outputs have one).
        """
        if self.grad is None:
            self.grad = np.ones_like(self.data)

        funcs = []
        seen_set = set()

        def add_func(f):
            if f not in seen_set:
                funcs.append(f)
                seen_set.add(f)
                funcs.sort(key=lambda x: x.generation)  # pop() takes the latest generation

        if self.creator is not None:
            add_func(self.creator)

        while funcs:
            f = funcs.pop()
            gys = [_output_grad(f, i) for i in range(len(f.outputs))]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            if len(gxs) != len(f.inputs):
                raise ValueError(f"{type(f).__name__}.backward returned {len(gxs)} grads for "
                                 f"{len(f.inputs)} inputs; return one grad per input")

            for x, gx in zip(f.inputs, gxs):
                if x.grad is None:
                    x.grad = as_array(gx)
                else:
                    x.grad = as_array(x.grad + gx)  # not +=: x.grad may be gy itself (step 14)

                if x.creator is not None:
                    add_func(x.creator)

            if not retain_grad:
                for y in f.outputs:
                    y = y()
                    if y is not None:
                        y.grad = None


def _output_grad(f, i):
    """The grad of f's i-th output, zeros where there is none (see Variable.backward)."""
    y = f.outputs[i]()
    if y is None:
        shape, dtype = f.output_specs[i]
        return np.zeros(shape, dtype)
    return y.grad if y.grad is not None else np.zeros_like(y.data)


def as_array(x):
    """A number or NumPy scalar (what ops on 0-d arrays return) as a 0-d array (step 9)."""
    if np.isscalar(x):
        return np.array(x)
    return x


def as_variable(obj):
    """`obj` if it is a Variable, else a Variable holding it (step 21)."""
    if isinstance(obj, Variable):
        return obj
    return Variable(obj)


class Function:
    """Base of every operation: subclasses define `forward` and `backward`
    on ndarrays. `__call__` links the graph: inputs kept, outputs as weak
    references (step 17), only while Config.enable_backprop (step 18)."""

    def __call__(self, *inputs):
        """Book fix: a forward that returns None (a forgotten `return`) is a
        TypeError here; the book made Variable(None) and failed far later."""
        inputs = [as_variable(x) for x in inputs]

        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        if any(y is None for y in ys):
            name = type(self).__name__
            raise TypeError(f"{name}.forward returned None: a forward must return its output "
                            f"array(s); did {name}.forward forget `return`?")
        outputs = [Variable(as_array(y)) for y in ys]

        if Config.enable_backprop:
            self.generation = max([x.generation for x in inputs], default=0)  # default: no inputs
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
            if len(outputs) > 1:
                # Backward gives a dropped output zeros of its shape (see Variable.backward).
                self.output_specs = [(y.shape, y.dtype) for y in outputs]

        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys):
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return gy * x1, gy * x0


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        return gy, -gy


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        gx0 = gy / x1
        gx1 = gy * (-x0 / x1 ** 2)
        return gx0, gx1


class Pow(Function):
    """x ** c for a constant c (step 20)."""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        """Book fix: x ** 0 is constant, so its grad is 0; the book's
        0 * x ** -1 is NaN at x = 0 (and an error for integer x)."""
        x = self.inputs[0].data
        c = self.c
        if np.isscalar(c) and c == 0:
            return np.zeros_like(gy)
        return c * x ** (c - 1) * gy


def _operand(x, like):
    """The other operand of a binary op as the book's `as_array(x1)` makes it.

    Book fixes: a Python number next to a float Variable takes its dtype
    (NumPy 2 made `float32 array * np.array(2.0)` float64; NumPy 1, the
    book's, kept float32); a non-numeric operand (a string, a Variable of
    another class such as dezero.Variable) is a TypeError here, not a NumPy
    error inside forward.
    """
    if isinstance(x, (Variable, np.ndarray)):
        return x
    data = like.data if isinstance(like, Variable) else like
    if (isinstance(x, (int, float)) and not isinstance(x, bool)
            and isinstance(data, np.ndarray) and data.dtype.kind == "f"):
        return np.array(x, dtype=data.dtype)
    try:
        arr = np.asarray(as_array(x))
    except TypeError:  # (a dezero.Variable refuses np.asarray: this module's error names both classes)
        arr = None
    if arr is None or arr.dtype.kind not in "biufc":
        kind = type(x)
        raise TypeError(f"a dezero.core_simple Variable cannot be combined with "
                        f"{kind.__module__}.{kind.__qualname__} {x!r:.40}; use a number, "
                        "a numeric ndarray or a dezero.core_simple Variable")
    return arr


def add(x0, x1):
    return Add()(x0, _operand(x1, x0))


def mul(x0, x1):
    return Mul()(x0, _operand(x1, x0))


def neg(x):
    return Neg()(x)


def sub(x0, x1):
    return Sub()(x0, _operand(x1, x0))


def rsub(x0, x1):
    return Sub()(_operand(x1, x0), x0)


def div(x0, x1):
    return Div()(x0, _operand(x1, x0))


def rdiv(x0, x1):
    return Div()(_operand(x1, x0), x0)


def pow(x, c):
    return Pow(c)(x)


def setup_variable():
    """Give this module's Variable its operators (step 21); dezero.Variable is untouched."""
    Variable.__add__ = add
    Variable.__radd__ = add
    Variable.__mul__ = mul
    Variable.__rmul__ = mul
    Variable.__neg__ = neg
    Variable.__sub__ = sub
    Variable.__rsub__ = rsub
    Variable.__truediv__ = div
    Variable.__rtruediv__ = rdiv
    Variable.__pow__ = pow


# The book's dezero/__init__.py calls setup_variable() on importing the simple
# core, so its Variable always has operators; the step-28 call is a repeat.
setup_variable()
