"""The names panels give graph nodes (the picker, details, the Backward
stepper's lines and queue, the Memory tab): what the graph shows, with the
node's id where that is not unique, which the drawing then shows too
(`dezero_magic.naming.display_names`)."""
from dezero_magic.naming import display_names


def func_name(graph, fid):
    """'Square → a': the op and what it made; '(f2)' only where equal ops made equal names."""
    return display_names(graph).get(fid, fid)


def var_name(graph, vid):
    """'y', or 'Tanh output' for an unnamed one; '(v4)' only where the name is not unique."""
    return display_names(graph).get(vid, f"unnamed ({vid})")
