"""What the Backward tab says when the cell's LAST backward ran no step
after earlier ones did: book step 33 without create_graph=True
(`y.backward(); gx = x.grad; x.cleargrad(); gx.backward()`). Its general
"No backward pass was recorded ... call y.backward()" told a student who
had called it to call it (QA Q23-2)."""
from dezero_magic.graph import reads_as_code
from dezero_magic.numgrad_reasons import grad_output
from dezero_magic.render.text import count_of


def last_pass_ran_no_step(trace):
    """The tab's text for that case, or None when the cell's passes were not so."""
    graph = trace.graph
    if graph.steps or graph.unrecorded_steps or not graph.elided_steps:
        return None
    kept = f"the earlier passes' steps are not kept ({count_of(graph.elided_steps, 'earlier backward step')})"
    origin = grad_output(trace)
    if origin is None:
        return (f"The last backward pass ran no step: its output has no creator, so there was nothing to go back "
                f"through (the caption says more); {kept}.")
    # Said in the cell's own names: the tracer saw which backward left which grad
    name = origin.name
    last = f"The last backward, {name}.backward()," if reads_as_code(name) else "The last backward"
    return (f"{last} ran no step: {name or 'its output'} has no creator. {origin.left_by()}, which computes "
            f"grads without recording a graph of them, so there is nothing to go back through; {kept}. To "
            f"differentiate a grad, {origin.fix()} (steps 33-36).")
