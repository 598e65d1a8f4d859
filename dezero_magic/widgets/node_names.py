"""The names panels give graph nodes (the picker, details, the Backward
stepper's lines and queue, the Memory tab): what the graph shows."""
from collections import Counter


def _display_names(graph):
    """id -> the name panels use for a node: what the graph shows (a label,
    'Square → a', 'Tanh output'), with the node id only where that is not
    unique -- the ids are drawn nowhere, and a projected panel that says
    "grad out to unnamed (v7)" names nothing the audience can find (QA).
    Cached on the graph until its node counts change."""
    key = (len(graph.variables), len(graph.functions))
    cached = graph.__dict__.get("_display_names")
    if cached is not None and cached[0] == key:
        return cached[1]
    creator = {v: f for f in graph.functions.values() for v in f.outputs}
    base = {}
    for f in graph.functions.values():
        outs = [graph.variables[v].label for v in f.outputs if v in graph.variables and graph.variables[v].label]
        base[f.id] = f"{f.title} → {', '.join(outs)}" if outs else f.title
    for v in graph.variables.values():
        made_by = creator.get(v.id)
        base[v.id] = v.label or (f"{made_by.title} output" if made_by is not None else "unnamed")
    uses = Counter(base.values())
    names = {i: b if uses[b] == 1 and b != "unnamed" else f"{b} ({i})" for i, b in base.items()}
    graph.__dict__["_display_names"] = (key, names)
    return names


def func_name(graph, fid):
    """'Square → a': the op and what it made; '(f2)' only where equal ops made equal names."""
    return _display_names(graph).get(fid, fid)


def var_name(graph, vid):
    """'y', or 'Tanh output' for an unnamed one; '(v4)' only where the name is not unique."""
    return _display_names(graph).get(vid, f"unnamed ({vid})")
