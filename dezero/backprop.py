"""The backward engine: generation order with a priority queue, no recursion.

The book keeps a Python list and re-sorts it on every push, which is
quadratic on wide graphs; here a heap keyed by (-generation, -sequence) pops
the highest generation first and, among equals, the function queued last
(the order the book's stable sort + pop() gives), in O(log n) a push.
"""
import gc
import heapq

import numpy as np

from dezero import events
from dezero.config import Config
from dezero.core import Variable, _raise_for_bad_data, as_array
from dezero.cuda import array_types
from dezero.grad_fit import fit_grad as _fit_grad, fitted as _fitted

_observers = events._observers  # the registry's own list, mutated in place


def _ones_like(x):
    return Variable(np.ones_like(x.data) if isinstance(x.data, np.ndarray) else x.data * 0 + 1)


def _zeros(spec, like):
    shape, dtype = spec
    xp = np
    if like is not None and not isinstance(like, np.ndarray):
        from dezero.cuda import get_array_module

        xp = get_array_module(like)
    return Variable(xp.zeros(shape, dtype=dtype))


def _add(a, b):
    return a + b


def _add_data(a, b):
    s = a.data + b.data
    return Variable(s if type(s) is np.ndarray else as_array(s))


def _missing_grad(f, k, y):
    """Zeros for output k of `f`: one the user dropped (y is None), or one off
    the path to the result (the book crashes on both)."""
    spec = f.output_specs[k] if hasattr(f, "output_specs") else (y.data.shape, y.data.dtype)
    return _zeros(spec, f.inputs[0].data if f.inputs else None)


def _as_grad(f, gx, create_graph):
    """A grad that a backward returned as an array or a number (steps 7-24 style,
    where grads were arrays), wrapped into a Variable. Left as it was, it became
    `x.grad`, whose `.data` is then a memoryview, and two such grads failed to add."""
    if isinstance(gx, Variable):
        return gx
    if create_graph:
        raise TypeError(
            f"{type(f).__name__}.backward returned a {type(gx).__name__}, not a Variable, "
            "so create_graph=True cannot record how it was computed; compute the grad from "
            "gy and self.inputs with dezero operations (e.g. 2 * x * gy, F.exp(x) * gy)")
    array = _numeric(gx)
    if array is None:
        raise TypeError(
            f"{type(f).__name__}.backward returned a {type(gx).__name__} ({gx!r:.40}) as a "
            "grad; return a Variable (compute it from gy with dezero operations, or wrap an "
            "array with Variable(...)), one per input")
    return Variable(array)


def _numeric(value):
    """`value` (a number or an array) as a numeric array, or None for anything else."""
    array = as_array(value)
    return array if isinstance(array, array_types) and array.dtype.kind in "biufc" else None


def _shape(g):
    return np.shape(g.data if isinstance(g, Variable) else g)


def _fit_seed(seed, y, i):
    """A seed grad whose shape is not its output's: one number for a one-number
    output is reshaped to it; any other shape is refused. Before, backward
    broadcast it through the first function and summed it back (a (2, 2) seed
    for a (2,) output doubled every grad), or failed inside some backward."""
    shape = _shape(seed)
    if int(np.prod(shape)) == 1 and y.data.size == 1 and hasattr(seed, "reshape"):
        # the array reshaped, not the Variable: no Reshape in the graph (%%dezero drew one)
        return Variable(seed.data.reshape(y.data.shape)) if isinstance(seed, Variable) else seed.reshape(y.data.shape)
    name = y.name or "y"
    many = f" (one number c for every element: c * np.ones({y.data.shape}))" if shape == () else ""
    if i is None:
        where = (f"{name}.grad, the seed of {name}.backward(), has shape {shape} but {name} has shape "
                 f"{y.data.shape}. Call {name}.cleargrad() to start from ones, or set {name}.grad to an "
                 f"array of {name}'s shape (e.g. Variable(np.ones({y.data.shape}))){many}")
    else:
        where = (f"grad_outputs[{i}] has shape {shape} but output {i} has shape {y.data.shape}: give "
                 f"each output a seed of its own shape (e.g. np.ones({y.data.shape})), or None for ones{many}")
    raise ValueError(f"a seed grad must have its output's shape (another shape is broadcast through the "
                     f"graph and summed back: wrong grads, or a failure inside a backward); {where}")


def _seed_variable(seed, y):
    """A seed set as `y.grad = 3.0` or an array, as a Variable; anything else refused."""
    array = _numeric(seed)
    if array is None:
        name = y.name or "y"
        raise TypeError(f"{name}.grad, the seed of {name}.backward(), is a {type(seed).__name__} ({seed!r:.40}); "
                        f"set it to a number or an array of {name}'s shape, or call {name}.cleargrad() to "
                        "start from ones")
    return Variable(array)


def backward(outputs, seeds, retain_grad=False, create_graph=False, store=None):
    """Backpropagate from `outputs` (a list of Variables).

    seeds: initial output grads (None: ones, or the output's existing grad).
    store: None writes grads into `Variable.grad` (the book's semantics);
    a dict collects them by id() instead and leaves every `.grad` untouched.

    Book fix: an output that the user dropped (its weakref is dead), or that
    lies off the path to the result, counts as a zero grad; the book crashes.

    Book fix: an intermediate's grad kept by an earlier retain_grad pass is
    not passed on again. The book adds this pass's grad to it and passes the
    sum on, so a second backward over a retained graph (or the step-33 idiom
    run with retain_grad) counted the earlier pass twice; torch propagates
    the current pass's grad only. The kept grad still adds up, as a leaf's.
    """
    retain_grad = retain_grad or Config.retain_grad
    heap = []
    seen = set()
    counter = 0
    push, pop = heapq.heappush, heapq.heappop

    # Whether a non-leaf x already has a grad of THIS pass: its creator is queued
    # (`seen`) -- for a creator of several outputs, x's id must be in `fresh` too.
    # The outputs' seeds count (a leftover output grad is the book's seed). An
    # intermediate whose .grad a retain_grad pass left has none of this pass's
    # until one comes: it then replaces the leftover while the pass runs.
    fresh = set()
    for i, y in enumerate(outputs):
        seed = None if seeds is None else seeds[i]
        if store is None:
            if y.grad is None:
                y.grad = seed if seed is not None else _ones_like(y)
            else:
                g = y.grad
                if type(g) is not Variable and not isinstance(g, Variable):
                    # `y.grad = 3.0` or an array as the seed: a number failed later on `.data`
                    g = _seed_variable(g, y)
                if y.data is not None and _shape(g) != y.data.shape:  # (once an output, not a step)
                    g = _fit_seed(g, y, None)
                y.grad = g  # (only once accepted: a refused seed leaves y.grad as the user set it)
            fresh.add(id(y))
        else:
            if seed is None:
                seed = _ones_like(y)
            elif y.data is not None and _shape(seed) != y.data.shape:
                seed = _fit_seed(seed, y, i)
            old = store.get(id(y))
            # (one output listed twice is seeded twice, as torch.autograd.grad does)
            # (on the arrays: an Add here, before the pass, was heard as a call of the user's)
            store[id(y)] = seed if old is None else (_add if create_graph else _add_data)(old, seed)
        f = y.creator
        if f is not None and f not in seen:
            seen.add(f)
            counter += 1
            push(heap, (-f.generation, -counter, f))

    observed = bool(_observers)
    step_hooks = None
    # Without create_graph a grad is plain data: sum two of them on the arrays
    # rather than through an Add Function (same values, no graph either way).
    accumulate = _add if create_graph else _add_data
    leftovers = []  # (intermediate, the grad an earlier pass left on it)
    old_enable = Config.enable_backprop
    gc_was_enabled = gc.isenabled()
    completed = begun = False
    muted_at = events._muted[0]  # (a Ctrl-C inside mute_internal_forward still gets it undone)
    # Every change of global state is made inside the try, each one noted:
    # a Ctrl-C between two of them (Python checks for it after C calls) left
    # enable_backprop False and the collector off for the rest of a session.
    try:
        if observed:
            events.notify_backward_begin(list(outputs), retain_grad, create_graph, collects=store is not None)
            begun = True  # (after it: an observer never hears the end of a pass it did not hear begin)
            step_hooks = events.step_hooks()
            if not create_graph:
                events.mute_internal_forward()
        # Set once for the whole pass (not per step): grads are recorded as a
        # graph only when create_graph is asked for.
        Config.enable_backprop = create_graph
        # The cyclic collector finds nothing to free here (the graph is acyclic
        # and kept alive by the caller) yet its passes over the ever-growing set
        # of tracked grads cost up to a third of a long backward; pause it for
        # this pass only. It is always restored, and unreachable cycles made
        # meanwhile are collected at its next run.
        if gc_was_enabled:
            gc.disable()
        while heap:
            f = pop(heap)[2]
            refs = f.outputs
            if len(refs) == 1:  # nearly every function: no per-step loop
                y = refs[0]()
                if y is None:
                    g = None
                elif store is None:
                    g = y.grad
                else:
                    g = store.get(id(y))
                if g is None:
                    g = _missing_grad(f, 0, y)
                gys = None  # made for observers only
                try:  # (free unless raised)
                    gxs = f.backward(g)
                except (TypeError, AttributeError) as exc:
                    _raise_for_bad_data(f.inputs, exc)
                    raise
            else:
                gys = []
                for k, ref in enumerate(refs):
                    y = ref()
                    if y is None:
                        g = None
                    elif store is None:
                        g = y.grad
                    else:
                        g = store.get(id(y))
                    gys.append(_missing_grad(f, k, y) if g is None else g)
                try:
                    gxs = f.backward(*gys)
                except (TypeError, AttributeError) as exc:
                    _raise_for_bad_data(f.inputs, exc)
                    raise
            y = None  # hold no output alive past its step
            if type(gxs) is not tuple:
                gxs = (gxs,)
            inputs = f.inputs
            if len(gxs) != len(inputs):
                raise ValueError(
                    f"{type(f).__name__}.backward returned {len(gxs)} grads for "
                    f"{len(inputs)} inputs; return one grad per input"
                )
            fitted = None  # the grads as stored, once one was cast: what the step hooks hear
            for x, gx in zip(inputs, gxs):
                if type(gx) is not Variable:  # replaces the `is None` test: same cost
                    if gx is None:
                        continue
                    gx = _as_grad(f, gx, create_graph)
                data = x.data
                if data is not None:
                    gd = gx.data  # (not `g`: the step hooks below are given g)
                    if gd.dtype is not data.dtype or gd.shape != data.shape:  # (dtypes are shared objects)
                        cast = _fit_grad(f, inputs, gxs, data, gx)
                        if cast is not gx:
                            fitted = _fitted(fitted, inputs, gxs, x, cast)
                            gx = cast
                c = x.creator
                if store is None:
                    old = x.grad
                    if old is None:
                        x.grad = gx
                        if c is not None and len(c.outputs) > 1:
                            fresh.add(id(x))
                    elif c is None or (c in seen and (len(c.outputs) == 1 or id(x) in fresh)):
                        x.grad = accumulate(old, gx)
                    else:
                        # A grad an earlier retain_grad pass left on an intermediate: passed
                        # on with this pass's, it counted that pass twice (the book does).
                        leftovers.append((x, old))
                        fresh.add(id(x))
                        x.grad = gx
                else:
                    key = id(x)
                    old = store.get(key)
                    store[key] = gx if old is None else accumulate(old, gx)
                if c is not None and c not in seen:
                    seen.add(c)
                    counter += 1
                    push(heap, (-c.generation, -counter, c))

            if step_hooks:
                events.emit_step(step_hooks, f, [g] if gys is None else gys,
                                 list(gxs) if fitted is None else fitted, events.Pending(heap))

            if not retain_grad:
                for ref in refs:
                    y = ref()
                    if y is None:
                        continue
                    if store is None:
                        y.grad = None
                    else:
                        store.pop(id(y), None)
                y = None
        completed = True
    finally:
        if leftovers and retain_grad:
            # A kept grad adds this pass's to the earlier one, as a leaf's does.
            for x, old in leftovers:
                g = x.grad
                x.grad = old if g is None else accumulate(old, g)
        if gc_was_enabled:
            gc.enable()
        Config.enable_backprop = old_enable
        if events._muted[0] > muted_at:
            events.unmute_internal_forward()
        if begun and events._observers:
            # Every queued function is popped once: what is still queued was not.
            events.notify("on_backward_end", list(outputs), counter - len(heap), completed)


def grad(outputs, inputs, grad_outputs=None, create_graph=False):
    """Grads of `outputs` with respect to `inputs`, like `torch.autograd.grad`.

    Returns a list of Variables, one per input, and leaves every `.grad`
    untouched. An input the outputs do not depend on gets zeros, not None:
    the book's step-34 idiom (`gx = x.grad; x.cleargrad(); gx.backward()`)
    crashes on a linear function because the 2nd derivative's graph never
    reaches x, so `x.grad` stays None (book repository issue #15).
    """
    single_output = isinstance(outputs, Variable)
    outputs = [outputs] if single_output else list(outputs)
    single_input = isinstance(inputs, Variable)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is not None:
        # One seed (a Variable, an array, a number) or a list/tuple of them, one
        # per output; list(ndarray) had split an array seed into its elements.
        seeds = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
        if len(seeds) != len(outputs):
            raise ValueError(
                f"grad_outputs gives {len(seeds)} seed(s) for {len(outputs)} output(s): give one seed per "
                "output (a list, None for ones); one seed for a single output may be an array, e.g. "
                "grad_outputs=np.array([1.0, 10.0])")
        grad_outputs = [None if g is None else _as_var(g) for g in seeds]
    store = {}
    # Keep the inputs' own ids alive in the store even when they are outputs.
    backward(outputs, grad_outputs, retain_grad=True, create_graph=create_graph, store=store)
    result = []
    for x in inputs:
        g = store.get(id(x))
        if g is None:
            g = Variable(np.zeros_like(x.data))
        result.append(g)
    return result[0] if single_input else result


def _as_var(g):
    from dezero.core import as_variable

    return as_variable(g)
