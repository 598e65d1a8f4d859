"""A forward that breaks the Gradients check (`numgrad`), found and named:
one that changes its input in place, or returns something other than its
output arrays (None: a forgotten `return`; a list; a Variable; a tuple of
another length than its outputs).

`watched_pass` re-runs the graph through `reevaluate.evaluate_all`, giving
each forward copies of its inputs, comparing them with the originals after
the call, and looks at what it returned before using it. The check makes it
its first pass on a graph with the user's own classes (dezero's own forwards
return arrays and leave their inputs alone), and runs it on any graph whose
re-run does not reproduce the output, to say why. Without the watch,
an in-place forward reads as "the data changed since the graph was recorded"
and a None output as a raw TypeError. Pure: the caller isolates the run.
"""
import numbers

import numpy as np

from dezero_magic import reevaluate
from dezero_magic.isolation import copy_function
from dezero_magic.which_backward import live_labels

IN_PLACE_HINT = "compute a new array instead (e.g. y = x ** 2, not x **= 2)"


class ForwardFault(Exception):
    """A forward the check cannot use; str() is why, a clause naming it."""


def watched_pass(funcs, values, trace=None):
    """`values` plus every Function output re-computed from them (id -> array),
    as `reevaluate.evaluate_all`; raises ForwardFault at the first forward that
    changes its input in place or returns no usable array. `trace` names the inputs."""
    def run(f, ins, outs, xs):
        given = [np.array(a) for a in xs]      # the originals stay as they were, to compare with
        ys = copy_function(f).forward(*given)
        changed = [i for i, (a, b) in enumerate(zip(xs, given)) if not _same(np.asarray(a), b)]
        if changed:
            raise ForwardFault(_in_place(f, ins, changed, trace))
        return _arrays(f, ys, outs)

    return reevaluate.evaluate_all(funcs, values, run)


def diagnose(funcs, values, trace=None):
    """The fault a watched pass finds: '' when none, None when it could not
    look (a forward raised: the caller says so, or has said it)."""
    try:
        with np.errstate(all="ignore"):
            watched_pass(funcs, values, trace)
    except ForwardFault as fault:
        return str(fault)
    except Exception:  # noqa: BLE001 - the user's code, run again: nothing found then
        return None
    return ""


def _same(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    try:
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    except Exception:  # noqa: BLE001 - objects that cannot be compared: no change seen
        return True


def _in_place(f, ins, changed, trace):
    name = type(f).__name__
    labels = _names(trace)
    named = [labels.get(id(ins[i])) or getattr(ins[i], "name", None) for i in changed]
    named = [n for n in named if isinstance(n, str) and n]
    if len(named) == len(changed):
        which = ("its input " if len(named) == 1 else "its inputs ") + " and ".join(named)
        whose = " and ".join(f"{n}'s" for n in named)
        passes = " and ".join(f"{n}.data" for n in named)
    elif len(changed) == 1:
        which = "its input" if len(ins) == 1 else f"its input {changed[0] + 1} of {len(ins)}"
        whose, passes = "the input's", "the input's data"
    else:
        which, whose, passes = f"{len(changed)} of its {len(ins)} inputs", "those inputs'", "their data"
    given = "the array it was given is" if len(changed) == 1 else "the arrays it was given are"
    return (f"{name}.forward changes {which} in place ({given} different after the call): "
            f"where __call__ passes {passes} (not a copy), as the book's does, {whose} "
            f"{'value was' if len(changed) == 1 else 'values were'} overwritten, so the graph's values and "
            f"grads are not those of the cell's inputs; {IN_PLACE_HINT}")


def _names(trace):
    """id(live variable) -> its label in the drawn graph: the leaves, and what a backward reached."""
    if trace is None:
        return {}
    out = {}
    for vid, ref in getattr(trace, "leaf_refs", {}).items():
        obj, node = ref(), trace.graph.variables.get(vid)
        if obj is not None and node is not None and node.label and node.label != vid:
            out[id(obj)] = node.label
    for key, label in live_labels(trace).items():
        out.setdefault(key, label)
    return out


def _arrays(f, ys, outs):
    """What forward returned, as one array per output; ForwardFault when it is no such thing."""
    name = type(f).__name__
    if ys is None:
        raise ForwardFault(f"{name}.forward returned None: did it forget `return`? (its output's data is None, "
                           "so there is no number to compare)")
    if isinstance(ys, (tuple, list)):
        kind = type(ys).__name__
        data = [getattr(o, "data", None) for o in outs]
        if len(outs) == 1 and isinstance(data[0], (tuple, list)):   # __call__ wrapped the whole sequence
            fix = ("return y, not return [y]" if kind == "list" else
                   "return y; book step 11's __call__ makes one output of each value of a tuple")
            raise ForwardFault(f"{name}.forward returned a {kind} of {_count(len(ys))}, and your __call__ made "
                               f"one output of it, whose data is that {kind}, not an array: a forward returns "
                               f"its output array itself ({fix})")
        if len(ys) != len(outs):
            raise ForwardFault(f"{name}.forward returned {len(ys)} values (a {kind}), but its call has "
                               f"{len(outs)} output{'s' if len(outs) != 1 else ''} in the graph, so they cannot "
                               "be matched: return one array per output")
        items = ys
    else:
        items = (ys,)
    arrays = []
    for k, v in enumerate(items):
        where = f" as output {k + 1} of {len(items)}" if len(items) > 1 else ""
        if v is None and where:
            raise ForwardFault(f"{name}.forward returned None{where}: each output needs an array")
        why = _not_numbers(v)
        if why:
            raise ForwardFault(f"{name}.forward returned {why}{where}, not an array of numbers: {_fix(v)}")
        arrays.append(np.asarray(v))
    return arrays


def _count(n):
    return f"{n} value{'s' if n != 1 else ''}"


def _not_numbers(v):
    """'' for an array or a number; else what v is, in words."""
    if isinstance(v, (np.ndarray, np.generic, numbers.Number)):
        dtype = np.asarray(v).dtype
        return "" if dtype.kind in "biufc" else f"a NumPy array of dtype {dtype}"
    if hasattr(v, "data") and (hasattr(v, "creator") or hasattr(v, "grad")):
        cls = type(v).__name__
        return f"a {cls}" + ("" if "variable" in cls.lower() else " (a variable)")
    if hasattr(v, "__cuda_array_interface__"):
        return ""   # a GPU array (CuPy): dezero's own kind of output
    return f"a {type(v).__name__}"


def _fix(v):
    if hasattr(v, "data") and (hasattr(v, "creator") or hasattr(v, "grad")):
        return ("forward works on the arrays inside the variables (x.data) and returns arrays, which __call__ "
                "wraps in Variables (e.g. return x ** 3, not return Variable(x ** 3))")
    return "a forward returns NumPy arrays (np.array(...) makes one)"
