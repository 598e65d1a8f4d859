"""The Backward tab's table of the book's list algorithm (steps 8-14) against
generation order: the two pop orders, where they diverge, and the grads each
gives (`dezero_magic.replay` makes the replay it reads)."""
from dezero_magic.render.escape import esc
from dezero_magic.reused_instance import replay_caveat, reused
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
    found = reused(graph)
    if found:
        # One object called twice is one node here: "same order ... gets it right" and "✓ same"
        # were said of a replay that is not the student's run (it gave h 2, their run 4; QA S22-2).
        parts.append(style.warning(replay_caveat(graph, found, len(rp.order))))
    elif rp.diverges_at is None:
        parts.append(esc("Same order on this graph: it has no branch that joins again, "
                         "so the list algorithm gets it right here."))
    else:
        parts.append(style.warning(_divergence(graph, rp)))
    if rp.repeated:
        parts.append(style.warning("Popped more than once: " + ", ".join(func_name(graph, f) for f in rp.repeated)))
    if rp.book_grads is not None:
        keys = list(dict.fromkeys(rp.wrong + [v for v in graph.variables if graph.variables[v].leaf]))
        # the verdict bold, in the warning colour and with a mark (not colour alone: a projector)
        shown = [v for v in keys[:GRAD_ROWS] if v in graph.variables]
        rows = [(var_name(graph, v), rp.correct_grads.get(v, "none"), rp.book_grads.get(v, "none"),
                 style.Alarm(WRONG) if v in rp.wrong else SAME) for v in shown]
        header = ("variable", "grad, generation order", "grad, book list", VERDICT)
        kept = _kept_otherwise(graph, shown)
        if found:   # no verdict: beside the replay's grads, what the student's run stored
            rows = [row[:3] + (_yours(graph.variables[v], _stored_differs(graph.variables[v], rp, v)),)
                    for row, v in zip(rows, shown)]
            header = header[:3] + (YOURS,)
        elif kept:
            # The replay adds every grad up (step 14): next to it, what the cell's own code left in .grad
            rows = [row + (_yours(graph.variables[v], v in kept),) for row, v in zip(rows, shown)]
            header += (YOURS,)
        parts.append(style.table(rows, header=header))
        if len(keys) > GRAD_ROWS:
            parts.append(esc(f"… and {len(keys) - GRAD_ROWS} more variables"))
        if kept and not found:
            parts.append(style.warning(_kept_note(graph, kept)))
    parts.append(esc(rp.status))
    return style.block("<br>".join(parts), title="Book steps 8–14 vs generation order", klass="dz-replay")


def _divergence(graph, rp):
    """Where the two orders first differ; past the end of one of them, how long that one was."""
    i = rp.diverges_at
    if i >= len(rp.generation_order):
        n = len(rp.generation_order)
        return (f"The orders diverge at pop {i + 1}: the list pops {func_name(graph, rp.order[i])} again, after "
                f"generation order has finished ({n} pop{'s' if n != 1 else ''}, one per function).")
    if i >= len(rp.order):
        return (f"The orders diverge at pop {i + 1}: the list has stopped, where generation order pops "
                f"{func_name(graph, rp.generation_order[i])}.")
    return (f"The orders diverge at pop {i + 1}: the list pops {func_name(graph, rp.order[i])} where "
            f"generation order pops {func_name(graph, rp.generation_order[i])}.")


# The column added when the cell's own backward left another grad than the replay's sums.
YOURS = "your code's .grad"


def _kept_otherwise(graph, shown):
    """The variables whose .grad after the cell is not the sum the replay computes:
    a later grad overwrote an earlier one (step 13's x.grad = gx), or the sum was
    added to a grad kept from an earlier backward (no cleargrad, step 14)."""
    return {v for v in shown if graph.variables[v].grad_overwritten or graph.variables[v].grad_carried}


def _yours(node, kept):
    grad = node.grad if node.grad is not None else "none"
    return style.Alarm(grad) if kept else grad


def _stored_differs(node, rp, v):
    return (node.grad if node.grad is not None else "none") != rp.book_grads.get(v, "none")


def _kept_note(graph, kept):
    # the graph's own order (first seen), not the ids' text: v10 sorts before v2
    names = ", ".join(var_name(graph, v) for v in graph.variables if v in kept)
    why = []
    if any(graph.variables[v].grad_overwritten for v in kept):
        why.append("a later grad overwrote an earlier one (x.grad = gx; step 14 adds them: x.grad = x.grad + gx)")
    if any(graph.variables[v].grad_carried for v in kept):
        why.append("a grad held from an earlier backward was added to (call cleargrad() before backward)")
    return (f"Your code's .grad of {names} is not what either order gives: {'; or '.join(why)}. The grad "
            "columns are what each order gives with every grad added up, not what your code stored.")
