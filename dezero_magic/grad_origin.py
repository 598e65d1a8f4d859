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
        return _no_grad(graph, vid)
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


def _no_grad(graph, vid):
    """Why a leaf has no grad: a backward that ran and returned none for it
    (step 7's `gx = ...` without `return`), else the usual reasons."""
    fed = [graph.functions[s.func] for s in graph.steps
           if s.func in graph.functions and vid in graph.functions[s.func].inputs]
    if fed and not any(vid in s.gxs for s in graph.steps):
        name = fed[0].short
        return f"{name}.backward ran but returned no grad for it (None): did it forget `return`?"
    return NO_GRAD


def differs(output_label):
    """Why a mismatch under `%dezero NAME` is not called a wrong backward (the view's summary says more)."""
    return f"its grad may come from another backward (one that did not start at {output_label})"
