"""Variable and Function: the define-by-run graph of the book's steps 1-24."""
import copy
from weakref import ref

import numpy as np

from dezero import events
from dezero.array_box import ArrayBox
from dezero.config import Config
from dezero.cuda import array_types
from dezero.iteration_and_truth import IterationAndTruth

_array_type = np.ndarray
# The registry's own list object (events only mutates it in place), bound
# here so that the hot path's "anyone listening?" test is one global lookup.
_forward_hooks = events._forward_hooks


def as_array(x, array_module=np):
    """Turn a NumPy scalar (what ops on 0-d arrays return) into a 0-d array."""
    if type(x) is _array_type:
        return x
    if isinstance(x, np.generic) or np.isscalar(x):
        return array_module.array(x)
    return x


def as_variable(obj):
    """Return `obj` if it is a Variable, else wrap it (arrays and numbers)."""
    if isinstance(obj, Variable):
        return obj
    if not isinstance(obj, array_types):
        obj = as_array(obj)
        if not isinstance(obj, array_types):
            # Numbers and arrays never get here: the check costs their path nothing.
            error = foreign_variable_error(obj)
            if error is not None:
                raise error
            obj = np.asarray(obj)
    return Variable(obj)


# What a student's Variable holds: an array, or the NumPy scalar of a 0-d op
# when their code has no as_array (book step 9) yet.
_DATA_TYPES = array_types + (np.generic,)


def _not_a_flag(y, retain_grad, create_graph):
    """y.backward(seed), as in PyTorch: the seed would be taken as retain_grad."""
    name = y.name or "y"
    raise TypeError(f"{name}.backward(retain_grad, create_graph): retain_grad must be True or False, got "
                    f"{type(retain_grad).__name__}" + (f" (create_graph: {type(create_graph).__name__})"
                                                       if not isinstance(create_graph, (bool, int)) else "")
                    + f". backward() takes no seed: set {name}.grad = Variable(seed) first (it starts from "
                    f"ones otherwise), or use dezero.grad({name}, inputs, grad_outputs=seed)")


def foreign_variable_error(obj):
    """The TypeError for a Variable-like object that is not dezero's (a
    student's own book-style Variable typed into a notebook cell: it has a
    `data` array), else None. Call it on error paths only: np.asarray would
    make such an object a 0-d object array and fail far from the cause."""
    try:
        data = getattr(obj, "data", None)
    except Exception:  # noqa: BLE001 - a property that raises: not a Variable-like object
        return None
    if isinstance(obj, Variable) or not isinstance(data, _DATA_TYPES):
        return None
    cls = type(obj)
    where = f"{cls.__module__}.{cls.__qualname__}"
    whose = {"__main__": "your notebook's own", "dezero.core_simple": "the book's step-24 core's"}.get(
        cls.__module__, "your own")
    try:
        shown = repr(obj)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
    except Exception:  # noqa: BLE001 - a repr that raises must not hide this message
        shown = f"a {cls.__name__} object"
    return TypeError(
        f"{shown} is an instance of {where}, {whose} {cls.__name__} class, not dezero.Variable; "
        "dezero cannot mix the two. Use one or the other: pass its array (.data) to dezero, or "
        f"make it with dezero.Variable(np.array(...)) instead of {cls.__name__}(...)"
    )


class Variable(ArrayBox, IterationAndTruth):
    """A box for an ndarray that remembers the Function that created it.

    Attributes follow the book: `data`, `name`, `grad` (a Variable, so that
    `create_graph=True` gives higher-order derivatives), `creator`,
    `generation`.
    """

    __slots__ = ("data", "name", "grad", "creator", "generation", "__weakref__")
    # So `cupy_array + Variable` calls Variable.__radd__; NumPy's operators go through
    # __array_ufunc__ (dezero.functions.numpy_ufuncs), to the same methods; np.mean(v) & co.
    # through __array_function__ (dezero.functions.numpy_functions).
    __array_priority__ = 200

    def __init__(self, data, name=None):
        if type(data) is not _array_type and data is not None:
            if not isinstance(data, array_types):
                raise _data_type_error(data)
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def unchain(self):
        """Forget the creator: the graph behind this variable can be freed."""
        self.creator = None

    def unchain_backward(self):
        """Cut every creator link behind this variable (truncated BPTT).

        Unlike the book's, this variable's own creator link is cut too:
        nothing is left behind it at once (the book's kept its last Function,
        and that Function's inputs, alive until the variable itself went), and
        a later `backward()` on it reaches no function, as the book's reached
        only that last one."""
        if self.creator is None:
            return
        funcs = [self.creator]
        self.unchain()
        while funcs:
            f = funcs.pop()
            for x in f.inputs:
                if x.creator is not None:
                    funcs.append(x.creator)
                    x.unchain()

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False, create_graph=False):
        """Backpropagate from this variable in generation order (step 16).

        retain_grad=False frees the grads of intermediate variables (step 18);
        create_graph=True records the backward computation itself, so grads
        can be differentiated again (step 32). A grad left from an earlier
        backward is added to (its own: the seed, not ones): call cleargrad() first.
        Only this pass's grads flow on: an intermediate's grad kept (or set by
        hand) before it is added to, but not passed on again (as in torch).
        """
        from dezero.backprop import backward

        if not isinstance(retain_grad, (bool, int)) or not isinstance(create_graph, (bool, int)):
            _not_a_flag(self, retain_grad, create_graph)
        backward([self], None, retain_grad, create_graph)

    def reshape(self, *shape):
        from dezero.functions import reshape

        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return reshape(self, shape)

    def transpose(self, *axes):
        from dezero.functions import transpose

        if len(axes) == 0:
            axes = None
        elif len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return transpose(self, axes)

    @property
    def T(self):
        from dezero.functions import transpose

        return transpose(self)

    def sum(self, axis=None, keepdims=False, **numpy_kwargs):
        from dezero.functions import sum as sum_

        if numpy_kwargs:
            numpy_defaults_only("sum", numpy_kwargs)
        return sum_(self, axis, keepdims)

    def to_cpu(self):
        from dezero import cuda

        if self.data is not None:
            self.data = cuda.as_numpy(self.data)

    def to_gpu(self):
        from dezero import cuda

        if self.data is not None:
            self.data = cuda.as_cupy(self.data)


class Parameter(Variable):
    """A Variable that a Layer collects as a trainable parameter (step 44)."""


class Function:
    """Base of every operation; subclasses implement `forward` and `backward`.

    `__call__` is the single place where the graph is made, and so the one
    place that emits the `forward` trace event.
    """

    def __call__(self, *inputs):
        # The hot path of every operation. One- and two-input calls (nearly
        # all of them) skip comprehensions; exact-type checks come first (a
        # Parameter or a number takes the general as_variable route); the
        # list handed to observers is made only when somebody listens.
        if getattr(self, "outputs", None) is not None and _in_a_graph(self):
            # Called again while an output of its earlier call lives: this call runs on
            # a copy, so the earlier node keeps its inputs and what its forward kept.
            return copy.copy(self)(*inputs)
        n = len(inputs)
        try:  # (free unless raised: 3.11's exceptions cost nothing until one is)
            if n == 1:
                x0 = inputs[0]
                if type(x0) is not Variable:
                    x0 = as_variable(x0)
                inputs = [x0]
                ys = self.forward(x0.data)
            elif n == 2:
                x0, x1 = inputs
                if type(x0) is not Variable:
                    x0 = as_variable(x0)
                if type(x1) is not Variable:
                    x1 = as_variable(x1)
                inputs = [x0, x1]
                ys = self.forward(x0.data, x1.data)
            else:
                inputs = [x if type(x) is Variable else as_variable(x) for x in inputs]
                ys = self.forward(*[x.data for x in inputs])
        except (TypeError, AttributeError) as exc:
            # NumPy's "loop of ufunc does not support argument 0 of type Variable" names no cause
            bad = next((x for x in inputs if isinstance(getattr(x, "data", None), Variable)), None)
            if bad is not None:
                raise _variable_in_data(bad.data) from exc
            _raise_for_bad_data(inputs, exc)
            raise

        if type(ys) is not tuple:
            if type(ys) is not _array_type:
                if ys is None:
                    raise _returned_none(self)
                ys = as_array(ys)
            try:  # (free unless raised)
                single = Variable(ys)
            except TypeError as exc:
                _refused_output(self, inputs, (ys,), exc)
                raise
            if Config.enable_backprop:
                if n == 1:
                    generation = x0.generation
                elif n == 2:
                    generation = x0.generation if x0.generation > x1.generation else x1.generation
                else:
                    generation = max([x.generation for x in inputs]) if inputs else 0
                self.generation = generation
                self.inputs = inputs
                single.creator = self  # set_creator, inlined
                single.generation = generation + 1
                self.outputs = [ref(single)]
            if _forward_hooks:
                # events.emit_forward, inlined: one call a hook, no snapshot.
                outputs = [single]
                try:
                    for hook in _forward_hooks:
                        hook(self, inputs, outputs)
                except Exception as exc:  # noqa: BLE001 - isolate observer faults
                    events.forward_failed(hook, exc, self, inputs, outputs)
            return single
        return self._call_multi(inputs, ys)

    def _call_multi(self, inputs, ys):
        """The rest of __call__ for a forward that returned a tuple."""
        if any(y is None for y in ys):
            raise _returned_none(self)
        try:
            outputs = [Variable(y if type(y) is _array_type else as_array(y)) for y in ys]
        except TypeError as exc:
            _refused_output(self, inputs, ys, exc)
            raise
        if Config.enable_backprop:
            generation = max([x.generation for x in inputs]) if inputs else 0
            self.generation = generation
            self.inputs = inputs
            for output in outputs:
                output.creator = self
                output.generation = generation + 1
            self.outputs = [ref(output) for output in outputs]
            if len(outputs) > 1:
                # Backward needs the shape of an output the user dropped.
                self.output_specs = [(y.data.shape, y.data.dtype) for y in outputs]
        if _forward_hooks:
            events.emit_forward(self, inputs, outputs)
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(
            f"{type(self).__name__}.forward is not implemented: define "
            "forward(self, x) returning an ndarray"
        )

    def backward(self, *gys):
        raise NotImplementedError(
            f"{type(self).__name__}.backward is not implemented: define "
            "backward(self, gy) returning the input grads"
        )


def numpy_defaults_only(method, numpy_kwargs):
    """np.sum(v) / np.max(v) call v.sum(axis=..., out=None): with NumPy's
    defaults that is dezero's method; other keywords are refused by name."""
    given = [f"{k}=" for k, v in numpy_kwargs.items() if v is not None or k not in ("out", "dtype")]
    if given:
        raise TypeError(f"Variable.{method} takes axis and keepdims only, got {', '.join(given)}: use "
                        f"F.{method}(v, axis, keepdims) (dezero.functions, differentiable), or "
                        f"np.{method}(v.data, ...) for a plain array")


def _variable_in_data(data):
    # Steps 28-29's `x.data -= lr * x.grad` with this core's Variable grads makes x.data a
    # Variable; the next operation then wrapped it, far from the line that did it.
    return TypeError(
        f"Variable data must be a numpy.ndarray, got a Variable ({data!r:.40}): some Variable's .data "
        "became a Variable, e.g. by `x.data -= lr * x.grad` (x.grad is a Variable in this core, an "
        "array in step 24's dezero.core_simple); write `x.data -= lr * x.grad.data`")


def _returned_none(function):
    # A forward without `return` made Variable(None), which failed later, far from the cause.
    name = type(function).__name__
    return TypeError(f"{name}.forward returned None: a forward must return its output array(s); "
                     f"did {name}.forward forget `return`?")


def _data_type_error(data):
    """The TypeError for Variable data that is not an array: raised by the
    constructor and, for `x.data = ...` (a plain slot, so that reading it
    stays fast), by the first operation that meets it."""
    if isinstance(data, Variable):
        return TypeError(
            f"Variable(...) got a Variable ({data!r:.40}): it is already a Variable; use it "
            "directly (or Variable(v.data) for a new leaf variable with the same array)")
    error = foreign_variable_error(data)
    if error is not None:
        return error
    return TypeError(
        f"Variable data must be a numpy.ndarray, got {type(data).__name__} "
        f"({data!r:.40}); wrap it first, e.g. Variable(np.array({data!r:.40}))"
    )


def _raise_for_bad_data(inputs, cause=None):
    # Error paths only: a list assigned to `x.data` made `x * 2` a repeated list and
    # `x + x` a concatenated one, and the failure showed up in the next Variable(...).
    for x in inputs:
        if not isinstance(x, Variable):
            continue  # (as_variable refused it: its own error is the one to see)
        data = x.data
        if data is not None and not isinstance(data, array_types) and not isinstance(data, Variable):
            error = _data_type_error(data)
            raise TypeError(f"{error} (an input's .data was set to it after it was made: "
                            f"assign an array, e.g. x.data = np.array({data!r:.40}))") from cause


def _in_a_graph(function):
    """Whether an output of `function`'s last call is alive with it as its
    creator. A Function object is one node: a second call used to overwrite
    its inputs, outputs and what forward kept (x_shape, a mask, ...), so
    backward through the first call's output read the second call's (the
    book's `f = Square(); f(f(x))` gave x.grad None; its step-4
    `numerical_diff(f, x)` calls one `f` twice); such a call runs on a copy."""
    for r in function.outputs:
        y = r()
        if y is not None and y.creator is function:
            return True
    return False


def _refused_output(function, inputs, ys, cause=None):
    """Variable() refused an output of `function`'s forward: raise what went
    wrong where it is known (an input's .data is a Variable; forward returned
    a Variable; an input's .data was set to a list); else the caller re-raises
    Variable's own error."""
    for x in inputs:
        if isinstance(x.data, Variable):
            # `x.data -= lr * x.grad` made x.data a Variable, so a built-in forward (x ** 2)
            # returned one: the student's update line is the cause, not Pow.forward.
            raise _variable_in_data(x.data) from cause
    if any(isinstance(y, Variable) for y in ys):
        name = type(function).__name__
        raise TypeError(f"{name}.forward returned a Variable: forward works on arrays (the inputs' .data) "
                        f"and must return array(s); compute with NumPy in forward, or build {name} from F "
                        "functions in a plain Python function instead of a Function subclass")
    _raise_for_bad_data(inputs, cause)
