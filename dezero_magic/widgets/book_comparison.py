"""The Backward tab's table of the book's list algorithm (steps 8-14) against
generation order: the two pop orders, where they diverge, and the grads each
gives (`dezero_magic.replay` makes the replay it reads)."""
from dezero_magic.render.escape import esc
from dezero_magic.widgets import style
from dezero_magic.widgets.node_names import func_name, var_name

GRAD_ROWS = 20


def short_name(graph, fid):
    """'Square→a': the op and the label of what it made (the op alone when unlabelled)."""
    f = graph.functions.get(fid)
    if f is None:
        return fid
    outs = [graph.variables[v].label for v in f.outputs if v in graph.variables and graph.variables[v].label]
    return f"{f.title}→{','.join(outs)}" if outs else f.title


# The comparison table's last column: whether the book's list algorithm got each grad right.
VERDICT, WRONG, SAME = "book list's grad", "✗ WRONG", "✓ same"


def comparison_html(graph, rp):
    """The two orders side by side, where they diverge, and the grads each gives."""
    def seq(ids):
        return " → ".join(short_name(graph, f) for f in ids)

    rows = [("generation order (dezero)", seq(rp.generation_order)),
            ("book steps 8–14 (list, pop last)", seq(rp.order) + (" … (stopped)" if rp.truncated else ""))]
    parts = [style.table(rows)]
    if rp.diverges_at is None:
        parts.append(esc("Same order on this graph: it has no branch that joins again, "
                         "so the list algorithm gets it right here."))
    else:
        i = rp.diverges_at
        got = func_name(graph, rp.order[i]) if i < len(rp.order) else "nothing"
        want = func_name(graph, rp.generation_order[i]) if i < len(rp.generation_order) else "nothing"
        parts.append(style.warning(f"The orders diverge at pop {i + 1}: the list pops {got} where "
                                   f"generation order pops {want}."))
    if rp.repeated:
        parts.append(style.warning("Popped more than once: " + ", ".join(func_name(graph, f) for f in rp.repeated)))
    if rp.book_grads is not None:
        keys = list(dict.fromkeys(rp.wrong + [v for v in graph.variables if graph.variables[v].leaf]))
        # the verdict bold, in the warning colour and with a mark (not colour alone: a projector)
        rows = [(var_name(graph, v), rp.correct_grads.get(v, "none"), rp.book_grads.get(v, "none"),
                 style.Alarm(WRONG) if v in rp.wrong else SAME) for v in keys[:GRAD_ROWS] if v in graph.variables]
        parts.append(style.table(rows, header=("variable", "grad, generation order", "grad, book list",
                                               VERDICT)))
        if len(keys) > GRAD_ROWS:
            parts.append(esc(f"… and {len(keys) - GRAD_ROWS} more variables"))
    parts.append(esc(rp.status))
    return style.block("<br>".join(parts), title="Book steps 8–14 vs generation order", klass="dz-replay")
