"""Why the Gradients check (`numgrad`) has no graph to re-run, said of the
trace it was asked for: a cell's (the output of its last backward) or
`%dezero NAME`'s (the variable it drew, whose backward, if any, ran
unwatched in another cell: "the last backward" is none of its own)."""
from dezero_magic.grad_origin import backward_ran, line_magic


def _drawn(graph):
    """The label of the one variable no drawn function uses (the output), or ''."""
    used = {i for f in graph.functions.values() for i in f.inputs}
    ends = [v for v in graph.variables.values() if v.id not in used and not v.leaf]
    return ends[0].label if len(ends) == 1 else ""


def output_gone(trace):
    """The output the check would differentiate died (weak references only)."""
    label = _drawn(trace.graph)
    if line_magic(trace):
        what = f"{label}, the variable %dezero drew," if label else "the variable %dezero drew"
        return (f"{what} no longer exists, and its graph with it: no name holds it any more (a later cell bound "
                "its name to something else, or it was an expression's value, which no name holds); draw it "
                "with %dezero again while a name holds it to check it")
    what = "the output of the last backward" if backward_ran(trace.graph) else "the output"
    return (f"{what} no longer exists, and its graph with it: no name holds it any more (it was never named, or "
            "its name was bound to something else since, by a later cell or a loop in this one); give the "
            "output a name no later cell reuses and run the cell again to check it")


def no_creator(trace):
    """The output lives but has no creator."""
    if line_magic(trace):
        return ("the variable %dezero drew has no creator (a leaf, made under no_grad, or unchained): there is "
                "no graph to differentiate")
    return "the output has no creator (made under no_grad, or unchained): there is no graph to differentiate"


def no_graph(trace):
    """Why a trace without functions has nothing to check."""
    if trace.graph.creatorless:  # a student's Variable without `creator` (book steps 1-6)
        return ("your Variable class has no `creator` yet (book steps 1-6): nothing links a variable to the "
                "function that made it, so there is no graph to re-run; compare by hand until book step 7 adds "
                "it (numerical_diff of step 4 next to the grads your backward calls gave)")
    if line_magic(trace):
        return "the variable %dezero drew has no creator, so there is no graph to differentiate"
    return "no Function was called in this cell, so there is no graph to differentiate"
