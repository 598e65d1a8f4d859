"""Graph -> Graphviz DOT source (as the book's `get_dot_graph` draws it:
variables as orange ovals, functions as blue boxes). Every string escaped."""
from dezero_magic.preview import shape_text
from dezero_magic.render.escape import dot_string


def _var_label(v, verbose):
    label = v.label
    if verbose:
        label = (label + ": " if label else "") + f"{shape_text(v.shape)} {v.dtype}"
    return label


def to_dot(graph, verbose=False, rankdir="LR"):
    """DOT text for `graph` (render it with `dot -Tsvg`, or use render_svg)."""
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    out = ["digraph g {", f"rankdir={rankdir}"]
    for v in graph.variables.values():
        out.append(f"{dot_string(v.id)} [label={dot_string(_var_label(v, verbose))}, "
                   'color=orange, style=filled]')
    for f in graph.functions.values():
        out.append(f"{dot_string(f.id)} [label={dot_string(f.title)}, color=lightblue, "
                   "style=filled, shape=box]")
    for src, dst in graph.edges():
        out.append(f"{dot_string(src)} -> {dot_string(dst)}")
    if graph.elided_functions:
        # a cut graph's first variable would read as a leaf: say the graph goes on
        # (not "earlier": calls made after the drawn backward, an evaluation, are counted too)
        n = graph.elided_functions
        calls = "call" if n == 1 else "calls"
        out.append(f"label={dot_string(f'{n:,} function {calls} not drawn')}")
    out.append("}")
    return "\n".join(out) + "\n"
