"""Graph -> a plain-text summary for terminals and `text/plain`.

One line per function in forward order with its generation, then the
leaves' grads, then what was left out.
"""
from dezero_magic.preview import shape_text
from dezero_magic.undrawn_steps import text_note


def _name(graph, vid, shapes=False):
    v = graph.variables.get(vid)
    if v is None:
        return vid
    name = (v.label or vid).replace("\n", " ").replace("\r", " ")  # one graph line stays one text line
    # -v: shapes as the SVG shows them (steps 37-41's reshape and sums change them)
    return f"{name} {shape_text(v.shape)}" if shapes and v.shape != () else name


def render_text(graph, max_lines=60, shapes=False):
    """The summary as one string (at most `max_lines` function lines: the
    first few and those nearest the output, where the result is made).
    `shapes`: name each non-scalar variable with its shape (-v)."""
    lines = []
    head = "dezero graph: " + counts(graph)
    if not graph.complete:
        head += f" (INCOMPLETE: {graph.how_it_stopped()})"
    lines.append(head)
    funcs = sorted(graph.functions.values(), key=lambda f: f.order)
    cut = len(funcs) - max_lines
    first = max_lines // 4 if cut > 0 else len(funcs)
    for i, f in enumerate(funcs):
        if first <= i < first + cut:
            if i == first:
                lines.append(f"  ... {count_of(cut, 'more function')}")
            continue
        ins = ", ".join(_name(graph, v, shapes) for v in f.inputs)
        outs = ", ".join(_name(graph, v, shapes) for v in f.outputs)
        lines.append(f"  [gen {f.generation}] {f.title}({ins}) -> {outs}")
    leaves = [v for v in graph.variables.values() if v.leaf]
    if any(v.grad is not None for v in leaves):
        lines.append("grads of the leaves:")
        # named leaves first: a Taylor series' 46 constants buried x
        leaves = sorted(leaves, key=lambda v: not v.label)
        for v in leaves[:max_lines]:
            lines.append(f"  {v.label or v.id} = {v.value}   grad {v.grad if v.grad is not None else '—'}")
        if len(leaves) > max_lines:
            more = len(leaves) - max_lines
            lines.append(f"  ... {more:,} more {'leaf' if more == 1 else 'leaves'}")
    lines.extend(_intermediate_grads(graph, max_lines))
    if graph.steps:
        order = " ".join(_op(graph, s.func) for s in graph.steps[:max_lines])
        more = len(graph.steps) - max_lines
        lines.append(f"backward order: {order}" + (f" … and {more:,} more" if more > 0 else ""))
    outside = text_note(graph)
    if outside:
        lines.append("note: " + outside)
    lines.extend("note: " + n for n in graph.notes)
    return "\n".join(lines)


def _intermediate_grads(graph, limit):
    """Lines on the grads of the variables functions made: kept (--retain-grad) or
    freed after use (retain_grad=False), the difference steps 17-18 are about."""
    inner = [v for v in graph.variables.values() if not v.leaf]
    kept = [f"{v.label or v.id} = {v.grad}" for v in inner if v.grad is not None]
    freed = [v.label or v.id for v in inner if v.grad is None and v.grad_freed]
    lines = []
    for head, items in (("intermediate grads: ", kept),
                        ("intermediate grads freed after use (retain_grad=False): ", freed)):
        if items:
            more = f", … {len(items) - limit:,} more" if len(items) > limit else ""
            lines.append(head + ", ".join(items[:limit]) + more)
    return lines


def named(names, shown=3):
    """'x', 'x and w', 'x, w and b', or the first `shown` and 'and N more'."""
    names = list(names)
    rest = len(names) - shown
    if rest > 0:
        return f"{', '.join(names[:shown])} and {rest} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def count_of(n, noun):
    """'1 function', '2 functions', '4,901 function calls'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def counts(graph):
    """What is drawn and what is not, in one line (the caption's counts).
    The steps read as a part of the pass's total, so the numbers add up:
    a step of a function not drawn is not shown either."""
    parts = [f"{count_of(len(graph.functions), 'function')}, {count_of(len(graph.variables), 'variable')}"]
    total = max(graph.pass_steps, len(graph.steps))
    if total > len(graph.steps):
        steps = f"{len(graph.steps):,} of {count_of(total, 'backward step')} drawn"
        if graph.unrecorded_steps:
            steps += f" ({graph.unrecorded_steps:,} farthest from the output not recorded)"
        parts.append(steps)
    elif graph.steps:
        parts.append(count_of(len(graph.steps), "backward step"))
    if graph.elided_functions:
        parts.append(f"{count_of(graph.elided_functions, 'function call')} not drawn")
    if graph.elided_steps:
        parts.append(f"{count_of(graph.elided_steps, 'earlier backward step')} not kept")
    return "; ".join(parts)


def _op(graph, fid):
    f = graph.functions.get(fid)
    return f.short if f is not None else fid
