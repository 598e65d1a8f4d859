"""Tracer records -> `Graph`: choose what is drawn (at most `max_nodes`
nodes, the ones nearest the output), read the state the objects are in
after the cell (alive, final grad, freed grads) and label them.
"""
from dezero_magic.graph import BackwardStep, FuncNode, Graph, VarNode
from dezero_magic.naming import label_for, namespace_names
from dezero_magic.preview import data_of, format_snapshot, snapshot


def _select(funcs, max_nodes):
    """The most recent functions whose nodes fit in `max_nodes`."""
    chosen = []
    seen_vars = set()
    count = 0
    for rec in reversed(funcs):
        new_vars = [v for v in rec.inputs + rec.outputs if v not in seen_vars]
        if chosen and count + 1 + len(new_vars) > max_nodes:
            break
        chosen.append(rec)
        seen_vars.update(new_vars)
        count += 1 + len(new_vars)
    chosen.reverse()
    return chosen


def _bytes_kept(func):
    inputs = getattr(func, "inputs", None) or ()
    total = 0
    for x in inputs:
        total += int(getattr(getattr(x, "data", None), "nbytes", 0) or 0)
    return total


def graph_from_tracer(tracer, namespace=None, max_nodes=300, verbose=False, complete=True):
    """Build the Graph of what `tracer` recorded; returns (graph, output_refs, leaf_refs)."""
    items = 16 if verbose else 4
    names = namespace_names(namespace)
    bpass = tracer.unfinished_pass() or tracer.last_pass
    funcs = list(tracer.funcs.values())
    chosen = _select(funcs, max_nodes) if funcs else []
    graph = Graph(complete=complete)
    graph.elided_functions = tracer.elided_functions + (len(funcs) - len(chosen))
    graph.elided_steps = tracer.elided_steps + (bpass.elided_steps if bpass else 0)

    var_ids = []
    for rec in chosen:
        var_ids.extend(rec.inputs)
        var_ids.extend(rec.outputs)
    if bpass is not None:
        var_ids.extend(bpass.outputs)
    produced = {v for rec in chosen for v in rec.outputs}

    received = bpass.received if bpass is not None else set()
    retain = bpass.retain_grad if bpass is not None else True
    leaf_refs = {}
    for vid in dict.fromkeys(var_ids):
        rec = tracer.vars.get(vid)
        if rec is None:
            continue
        obj = rec.ref() if rec.ref is not None else None
        leaf = not rec.has_creator and vid not in produced
        node = VarNode(
            id=vid,
            label=label_for(obj, rec.name, names),
            shape=rec.snap.shape if rec.snap else (),
            dtype=rec.snap.dtype if rec.snap else "",
            value=format_snapshot(rec.snap, items),
            nonfinite=bool(rec.snap and rec.snap.nonfinite),
            generation=rec.generation,
            leaf=leaf,
            alive=obj is not None,
            nbytes=rec.snap.nbytes if rec.snap else 0,
        )
        gsnap = None
        grad = getattr(obj, "grad", None) if obj is not None else None
        if grad is not None:
            gsnap = snapshot(data_of(grad))
            node.grad_nbytes = gsnap.nbytes if gsnap else 0
        elif vid in received:
            if not retain and not leaf:
                node.grad_freed = True
            if obj is None and bpass is not None:
                gsnap = _last_total(bpass, vid)
        if gsnap is not None:
            node.grad = format_snapshot(gsnap, items)
            node.grad_absmax = gsnap.absmax
            node.nonfinite = node.nonfinite or gsnap.nonfinite
        graph.variables[vid] = node
        if leaf and rec.ref is not None and obj is not None:
            leaf_refs[vid] = rec.ref

    for rec in chosen:
        obj = rec.ref() if rec.ref is not None else None
        graph.functions[rec.id] = FuncNode(
            id=rec.id, op=rec.op, generation=rec.generation,
            inputs=list(rec.inputs), outputs=list(rec.outputs), order=rec.order,
            kept_nbytes=_bytes_kept(obj) if obj is not None and not rec.no_grad else 0,
        )

    if bpass is not None:
        graph.steps = _steps(bpass, graph, items)
    output_refs = [r for r in (bpass.output_refs if bpass else []) if r is not None]
    if not output_refs and tracer.last_output_ref is not None:
        output_refs = [tracer.last_output_ref]
    _add_notes(graph, tracer, chosen)
    return graph, output_refs, leaf_refs


def _last_total(bpass, vid):
    for step in reversed(bpass.steps):
        if vid in step.totals:
            return step.totals[vid]
    return None


def _steps(bpass, graph, items):
    steps = []
    for i, rec in enumerate(bpass.steps):
        if rec.func not in graph.functions:
            continue
        steps.append(BackwardStep(
            index=i,
            func=rec.func,
            gys={k: format_snapshot(s, items) for k, s in rec.gys.items()},
            gxs={k: format_snapshot(s, items) for k, s in rec.gxs.items()},
            accumulated=list(rec.accumulated),
            pending=[f for f in rec.pending if f in graph.functions],
            pending_total=rec.pending_total,
        ))
    for j, step in enumerate(steps):
        step.index = j
    return steps


def _add_notes(graph, tracer, chosen):
    notes = graph.notes
    if tracer.backward_passes > 1:
        notes.append(f"{tracer.backward_passes} backward passes ran; the last one is shown.")
    if graph.elided_functions:
        notes.append(f"{graph.elided_functions} earlier function calls are not drawn.")
    no_grad = sum(1 for r in chosen if r.no_grad)
    if no_grad:
        notes.append(f"{no_grad} calls ran with backprop disabled (no_grad): "
                     "dezero kept no graph for them; drawn from the trace only.")
    if tracer.error is not None:
        notes.append(f"The tracer stopped early: {tracer.error!r}")
