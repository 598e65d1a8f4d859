"""What the Backward tab says when the cell's LAST backward ran no step
after earlier ones did: book step 33 without create_graph=True
(`y.backward(); gx = x.grad; x.cleargrad(); gx.backward()`). Its general
"No backward pass was recorded ... call y.backward()" told a student who
had called it to call it (QA Q23-2)."""
from dezero_magic.numgrad_reasons import grad_output
from dezero_magic.render.text import count_of


def last_pass_ran_no_step(trace):
    """The tab's text for that case, or None when the cell's passes were not so."""
    graph = trace.graph
    if graph.steps or graph.unrecorded_steps or not graph.elided_steps:
        return None
    kept = f"the earlier passes' steps are not kept ({count_of(graph.elided_steps, 'earlier backward step')})"
    grad = grad_output(trace)
    if grad is None:
        return (f"The last backward pass ran no step: its output has no creator, so there was nothing to go back "
                f"through (the caption says more); {kept}.")
    # (the graph does not say which leaf's grad, nor the first backward's output: examples, said as such)
    last = f"The last backward, {grad}.backward()," if grad.isidentifier() else "The last backward"
    return (f"{last} ran no step: its output, {grad}, has no creator. It is most likely a "
            "grad that an earlier backward in this cell left (as gx = x.grad is), and a backward without "
            "create_graph=True computes grads without recording a graph of them, so there is nothing to go "
            f"back through; {kept}. To differentiate a grad, make it with create_graph=True in the earlier "
            "backward (y.backward(create_graph=True), steps 33-36).")
