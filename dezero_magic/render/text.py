"""Graph -> a plain-text summary for terminals and `text/plain`.

One line per function in forward order with its generation, then the
leaves' grads, then what was left out.
"""


def _name(graph, vid):
    v = graph.variables.get(vid)
    return (v.label or vid) if v is not None else vid


def render_text(graph, max_lines=60):
    """The summary as one string (at most `max_lines` function lines)."""
    lines = []
    head = (f"dezero graph: {count_of(len(graph.functions), 'function')}, "
            f"{count_of(len(graph.variables), 'variable')}")
    if graph.steps:
        head += f", {count_of(len(graph.steps), 'backward step')}"
    if not graph.complete:
        head += " (INCOMPLETE: the cell raised)"
    lines.append(head)
    funcs = sorted(graph.functions.values(), key=lambda f: f.order)
    for f in funcs[:max_lines]:
        ins = ", ".join(_name(graph, v) for v in f.inputs)
        outs = ", ".join(_name(graph, v) for v in f.outputs)
        lines.append(f"  [gen {f.generation}] {f.op}({ins}) -> {outs}")
    if len(funcs) > max_lines:
        lines.append(f"  ... {count_of(len(funcs) - max_lines, 'more function')}")
    leaves = [v for v in graph.variables.values() if v.leaf]
    if any(v.grad is not None for v in leaves):
        lines.append("grads of the leaves:")
        for v in leaves[:max_lines]:
            lines.append(f"  {v.label or v.id} = {v.value}   grad {v.grad if v.grad is not None else '—'}")
    if graph.steps:
        order = " ".join(_op(graph, s.func) for s in graph.steps[:max_lines])
        lines.append(f"backward order: {order}")
    lines.extend("note: " + n for n in graph.notes)
    return "\n".join(lines)


def count_of(n, noun):
    """'1 function', '2 functions'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _op(graph, fid):
    f = graph.functions.get(fid)
    return f.op if f is not None else fid
