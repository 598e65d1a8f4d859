"""Where a leaf's grad came from, and so whether the Gradients check may
compare it with the numerical derivative of the output it draws (`numgrad`).

A grad is compared only when the cell's own last backward made it: a grad
left from an earlier cell's backward (no backward ran in this cell), one that
also holds an earlier pass's (not cleared), or one another backward changed
since the graph was recorded is no derivative of this output, and a FAIL on
it would blame a correct backward. `%dezero NAME` draws a graph whose
grads come from whatever backward ran last, which need not have started at
NAME: a mismatch there is told as such, never as a wrong backward. All of
this is read from the recorded graph and the grad itself: nothing runs.
"""
from dezero_magic.preview import data_of, snapshot

CHANGED = ("its grad changed since the graph was recorded (another backward added to it or replaced it); "
           "re-run the cell to check it")
NO_GRAD = "the variable has no grad (no backward ran, or it was cleared)"


def line_magic(trace):
    """Whether the trace is `%dezero NAME`'s (a graph that already existed; its backward unwatched)."""
    return bool(getattr(trace, "line_magic", False))


def backward_ran(graph):
    """Whether the trace recorded a backward pass in the cell."""
    return bool(graph.steps or graph.elided_steps or graph.unrecorded_steps)


def grad_changed(node, grad):
    """Whether a leaf's grad is not the one the graph recorded when it was
    drawn (size and max |grad| compared: a second backward doubles it)."""
    if node is None:
        return False
    if node.grad is None:
        return True
    now = snapshot(data_of(grad))
    return now is None or (now.nbytes, now.absmax) != (node.grad_nbytes, node.grad_absmax)


def not_compared(trace, node, vid, label, grad):
    """Why this leaf's grad is no derivative of the output to compare with
    ("" when it is one): read from the graph alone."""
    graph = trace.graph
    if grad is None:
        return _no_grad(trace, vid, label)
    if isinstance(grad, list):
        return _list_grad(graph, vid, label)
    if not backward_ran(graph) and not line_magic(trace):
        whose = f"{label}.grad" if node is not None and node.label else "its grad"
        return (f"{whose} is from an earlier backward, not from this cell: no backward ran in this cell, "
                "so it is no derivative of this output")
    if node is not None and node.grad_carried:
        # the pass added to a grad kept from an earlier backward: the sum of two passes'
        # grads is not this output's derivative, and a FAIL would blame a correct backward
        if node.label:
            return ("its grad also holds an earlier backward's (it was not cleared before the last backward, "
                    f"which added to it); call {label}.cleargrad() before backward to check it")
        return ("its grad also holds an earlier backward's (it was not cleared before the last backward, which "
                "added to it)")
    return ""


def _fed(graph, vid):
    """The steps whose function took `vid` as an input, in pop order."""
    return [s for s in graph.steps if s.func in graph.functions and vid in graph.functions[s.func].inputs]


def _no_grad(trace, vid, label):
    """Why a leaf has no grad: a backward that ran and gave none for it
    (it raised; it returned fewer grads than inputs, a list among them; it
    returned None: step 7's `gx = ...` without `return`), else the usual reasons."""
    graph = trace.graph
    fed = _fed(graph, vid)
    if not fed or any(vid in s.gxs for s in graph.steps):
        return NO_GRAD
    step, func = fed[0], graph.functions[fed[0].func]
    name = func.short
    raised = getattr(trace, "backward_raised", {})
    if func.op in raised:
        error = raised[func.op] or "an exception"
        return (f"{name}.backward raised {error} and returned no grad: the pass stopped there "
                "(the traceback shows where)")
    others = [v for v in step.gxs if v != vid]
    if others:
        first = graph.variables[others[0]].label if others[0] in graph.variables else ""
        first = first or "the first input"
        if any(isinstance(_live_grad(trace, v), list) for v in others):
            return list_returned(name, first, label)
        # (review: `return gy * c, None` for a constant c reads the same here as a short tuple)
        return (f"{name}.backward gave no grad for {label}: it returned None for it (fine for a constant "
                f"with no grad) or fewer grads than its {len(func.inputs)} inputs; return one grad per "
                "input, as a tuple (book step 11: `return gy, gy` for Add)")
    return f"{name}.backward ran but returned no grad for it (None): did it forget `return`?"


RETURN_TUPLE = "return a tuple, one grad per input: `return gx0, gx1`, not `return [gx0, gx1]`"


def list_returned(name, first, others):
    """A backward (`name`) that returned a list: the book's loop gave it whole to `first`, none to `others`."""
    return (f"{name}.backward returned a list, and your Variable.backward takes anything but a tuple as ONE "
            f"grad (`if not isinstance(gxs, tuple): gxs = (gxs,)`), so {first} got the whole list and "
            f"{others} none: {RETURN_TUPLE}")


def _list_grad(graph, vid, label):
    """Why a grad that is a list is not compared: it is the whole list a
    backward returned, which the book's Variable.backward (steps 11-24)
    gives to the first input as one grad."""
    given = [s for s in _fed(graph, vid) if vid in s.gxs]
    name = f"{graph.functions[given[0].func].short}.backward" if given else "a backward"
    return (f"its grad is a list: {name} returned a list, which your Variable.backward takes as ONE grad "
            f"(it splits only a tuple, one grad per input), so {label} got the whole list: {RETURN_TUPLE}")


def _live_grad(trace, vid):
    """The grad a drawn leaf holds now (None when it is gone or not a leaf)."""
    ref = getattr(trace, "leaf_refs", {}).get(vid)
    x = ref() if ref is not None else None
    try:
        return getattr(x, "grad", None)
    except Exception:  # noqa: BLE001 - a student's property may raise: no grad to tell of
        return None


def raised_backwards(watch, error):
    """Class name -> the name of the cell's error ("" when the cell raised
    none) of the students' functions whose backward, in the cell's last
    pass, did not return: it raised, or the recording stopped near the
    recursion limit while it ran (endless recursion: it raised RecursionError)."""
    if watch is None:
        return {}
    calls, _ = watch.last_pass()
    error_name = type(error).__name__ if error is not None else ""
    raised = {}
    for call in calls:
        if call.raised or (call.taken_gxs is None and not call.returned_none):
            f = call.func()
            kind = call.func_kind or (type(f).__name__ if f is not None else None)
            if kind:
                raised[kind] = error_name
    return raised


def differs(output_label):
    """Why a mismatch under `%dezero NAME` is not called a wrong backward (the view's summary says more)."""
    return f"its grad may come from another backward (one that did not start at {output_label})"
