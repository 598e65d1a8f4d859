"""Tracer records -> `Graph`: choose what is drawn (at most `max_nodes`
nodes, the ones nearest the output), read the state the objects are in
after the cell (alive, final grad, freed grads, bytes kept) and label them.

Summaries become preview strings here, for drawn nodes only (the tracer
keeps them as tuples of atoms, see `dezero_magic.tracer`).
"""
import weakref

from dezero_magic.graph import BackwardStep, FuncNode, Graph, VarNode
from dezero_magic.memory import DEFAULT, NO_GRAD as NO_GRAD_MODE, RETAIN
from dezero_magic.naming import label_for, namespace_names
from dezero_magic.preview import data_of, format_snapshot, from_summary, snapshot, summarise
from dezero_magic.node_budget import NEAREST, WHOLE_UP_TO, cut_note
from dezero_magic.regraded import comparable, mark_regraded, regraded_note
from dezero_magic.render.text import count_of
from dezero_magic.tracer_notes import tracer_notes
from dezero_magic.records import (GENERATION, NO_GRAD, OP, ORDER, S_ACCUMULATED, S_FUNC, S_GXS, S_GYS,
                                  S_PENDING, S_PENDING_TOTAL, call_inputs, call_outputs, groups)


def _vid(v):
    return f"v{v}"


def _fid(order):
    return f"f{order}"


def _choose(calls, max_nodes):
    """The calls drawn: the most recent ones whose nodes fit in `max_nodes`;
    None: all of them if they fit WHOLE_UP_TO nodes, else NEAREST nodes'."""
    if max_nodes is not None:
        return _select(calls, max_nodes)
    chosen = _select(calls, WHOLE_UP_TO)
    return chosen if len(chosen) == len(calls) else _select(calls, NEAREST)


def _ran_as(bpass, chosen, no_grad_cell=False):
    """The memory mode (`dezero_magic.memory`) the recorded run was in."""
    every_call_no_grad = all(c[NO_GRAD] for c in chosen)
    if no_grad_cell and every_call_no_grad:
        return NO_GRAD_MODE  # (--no-grad: also when a backward ran, from a value made without a graph)
    if bpass is not None and bpass.steps:
        return RETAIN if bpass.retain_grad else DEFAULT
    if chosen and every_call_no_grad:
        return NO_GRAD_MODE
    if bpass is not None:
        return RETAIN if bpass.retain_grad else DEFAULT
    return DEFAULT


def _select(calls, max_nodes):
    """The most recent calls whose nodes fit in `max_nodes`."""
    chosen = []
    seen_vars = set()
    count = 0
    for call in reversed(calls):
        new_vars = [v for v in call_inputs(call) + call_outputs(call) if v not in seen_vars]
        if chosen and count + 1 + len(new_vars) > max_nodes:
            break
        chosen.append(call)
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


def _function_of(resolve, call):
    """The live Function of `call`, reached through a live output's `creator`
    (a Function lives as long as one of its outputs, unless unchained)."""
    for v in call_outputs(call):
        y = resolve(v)
        f = getattr(y, "creator", None) if y is not None else None
        if f is not None and type(f).__name__ == call[OP]:
            return f
    return None


def _absorb(latest, flat, wanted):
    """Note in `latest` the summaries of a step's flat (vid, 4 atoms, ...)
    tuple for the vids in `wanted` (the drawn ones: most steps are not)."""
    for i in range(0, len(flat), 5):
        v = flat[i]
        if v in wanted:
            latest[v] = flat[i + 1:i + 5]


def _final_totals(bpass, wanted):
    """vid -> summary of the last grad total the pass recorded, for `wanted`."""
    totals = {v: s for v, s in bpass.seeds.items() if v in wanted}
    if wanted:
        for step in bpass.steps:
            _absorb(totals, step[S_GXS], wanted)
            _absorb(totals, step[S_ACCUMULATED], wanted)
    return totals


def _names_at_backward(bpass, names, alive):
    """vid -> the name that referred to it when the drawn pass began
    (`Tracer._names_now`), less the names that now refer to another drawn
    variable or are another drawn variable's own `name` (x = Variable(..., name='y')):
    two nodes labelled `y` would say the wrong one is the cell's y."""
    earlier = bpass.names if bpass is not None else {}
    if not earlier:
        return earlier
    taken = {names.get(id(obj)) for obj in alive.values() if obj is not None}
    taken.update(n for n in (getattr(obj, "name", None) for obj in alive.values() if obj is not None)
                 if isinstance(n, str))
    return {v: name for v, name in earlier.items() if name not in taken}


def _label_seeds(graph, seeds_of):
    """An unnamed seed a create_graph backward put in `y.grad` (a leaf of the
    grads' graph, book steps 33-36) is drawn `y.grad`, not `v3`."""
    nodes = graph.variables
    for seed, out in seeds_of.items():
        node, output = nodes.get(_vid(seed)), nodes.get(_vid(out))
        if node is not None and not node.label and output is not None and output.label:
            node.label = f"{output.label}.grad"


def graph_from_tracer(tracer, namespace=None, max_nodes=None, verbose=False, complete=True, no_grad_cell=False,
                      cell_code=""):
    """Build the Graph of what `tracer` recorded; returns (graph, output_refs, leaf_refs).
    `max_nodes` None: the default of `dezero_magic.node_budget`. `no_grad_cell`: the
    cell ran under `%%dezero --no-grad`."""
    items = 16 if verbose else 4
    names = namespace_names(namespace)
    bpass = tracer.unfinished_pass() or tracer.last_pass
    calls = tracer.kept_calls()
    after = 0
    if bpass is not None and bpass.end_order is not None and bpass.steps:
        # What ran after the last backward (evaluation under no_grad, a
        # test_mode pass) is not part of its graph; drawn, it would bury it.
        calls = [c for c in calls if c[ORDER] < bpass.end_order]
        after = tracer.forward_calls - bpass.calls_at_end  # also those the window let go
    chosen = _choose(calls, max_nodes) if calls else []
    graph = Graph(complete=complete, ran_as=_ran_as(bpass, chosen, no_grad_cell))
    graph.elided_functions = max(0, tracer.forward_calls - sum(1 for c in chosen if c[ORDER] >= 0))
    graph.elided_steps = tracer.elided_steps
    graph.unrecorded_steps = bpass.elided_steps if bpass else 0
    graph.pass_steps = len(bpass.steps) + bpass.elided_steps if bpass else 0

    var_ids = []
    producer = {}
    for call in chosen:
        var_ids.extend(call_inputs(call))
        outs = call_outputs(call)
        var_ids.extend(outs)
        producer.update(dict.fromkeys(outs, call))
    if bpass is not None:
        var_ids.extend(bpass.outputs)

    # Variables that held a grad in the pass: those a step gave one, and the
    # pass's outputs (their seed; retain_grad=False frees it as well).
    received = (bpass.received | set(bpass.outputs)) if bpass is not None else set()
    retain = bpass.retain_grad if bpass is not None else True
    leaf_refs = {}
    resolve = tracer.variables.live
    alive = {v: resolve(v) for v in dict.fromkeys(var_ids)}
    # Grads of variables that died are known only from the steps.
    dead = {v for v, obj in alive.items() if obj is None and v in received}
    totals = _final_totals(bpass, dead) if bpass is not None else {}
    grads_now = [] if comparable(tracer, bpass) else None  # living leaves' (node, vid, grad): did the cell change it?
    changed = []  # leaves whose value changed after the drawn forward used it (an optimizer step)
    cut = bpass.cut if bpass is not None else ()
    at_backward = _names_at_backward(bpass, names, alive)
    for v, obj in alive.items():
        info = tracer.var_info(v, producer.get(v))
        if info is None:
            # Never lost for a drawn edge (see Tracer._forget); should it be,
            # the node is still drawn, from the object if it lives.
            data = getattr(obj, "data", None) if obj is not None else None
            info = (summarise(data_of(data)) if data is not None else None,
                    getattr(obj, "generation", 0), getattr(obj, "creator", None) is not None, None)
        summary, generation, has_creator, name = info
        snap = from_summary(summary, data_of(getattr(obj, "data", None)) if obj is not None else None)
        # (a variable unchain_backward cut from its creator is a leaf of the pass: it keeps its grad)
        leaf = (not has_creator and v not in producer) or v in cut
        node = VarNode(
            id=_vid(v),
            label=label_for(obj, name, names, at_backward.get(v, "")),
            shape=snap.shape if snap else (),
            dtype=snap.dtype if snap else "",
            value=format_snapshot(snap, items),
            nonfinite=bool(snap and snap.nonfinite),
            generation=generation,
            leaf=leaf,
            alive=obj is not None,
            nbytes=snap.nbytes if snap else 0,
            named=obj is not None and id(obj) in names,
        )
        gsnap = None
        grad = getattr(obj, "grad", None) if obj is not None else None
        if grad is not None:
            gsnap = snapshot(data_of(grad))
            node.grad_nbytes = gsnap.nbytes if gsnap else 0
        elif v in received:
            if not retain and not leaf:
                node.grad_freed = True
            elif obj is None and v in totals:
                # (dead and freed: "grad freed" as when it lives, not the total it had before)
                gsnap = from_summary(totals[v])
        if bpass is not None and v in bpass.carried:
            node.grad_carried = True
        if gsnap is not None:
            node.grad = format_snapshot(gsnap, items)
            node.grad_absmax = gsnap.absmax
            node.nonfinite = node.nonfinite or gsnap.nonfinite
        if grads_now is not None and leaf and grad is not None and v in received:
            grads_now.append((node, v, grad))
        graph.variables[node.id] = node
        if leaf and obj is not None:
            leaf_refs[node.id] = weakref.ref(obj)
            now = summarise(data_of(getattr(obj, "data", None)))
            if summary is not None and now[:3] != summary[:3]:
                node.changed_since = True  # (the gradient checks must not re-run at the new value)
                changed.append((node, now))

    _label_seeds(graph, tracer.seeds_of)
    for call in chosen:
        func = None if call[NO_GRAD] else _function_of(resolve, call)
        fid = _fid(call[ORDER])
        graph.functions[fid] = FuncNode(
            id=fid, op=call[OP], generation=call[GENERATION],
            inputs=[_vid(v) for v in call_inputs(call)], outputs=[_vid(v) for v in call_outputs(call)],
            order=call[ORDER], kept_nbytes=_bytes_kept(func) if func is not None else 0,
            no_grad=bool(call[NO_GRAD]), label=names.get(id(func), "") if func is not None else "",
        )

    if bpass is not None:
        graph.steps = _steps(bpass, graph, items)
    last = tracer.last_pass
    if last is not None and tracer.backward_passes > 1 and last.differentiates:
        # (first_pass checks that earlier pass's grads: the Gradients tab)
        graph.differentiated_passes = last.differentiates
        graph.differentiated_by_grad = last.chain_collects
        graph.differentiated_from = next((_vid(v) for v in last.differentiated if _vid(v) in graph.variables), "")
    output_refs = []
    if bpass is not None:
        output_refs = [r for r in map(tracer.variables.token, bpass.outputs) if r is not None]
    if not output_refs and tracer.last_output is not None:
        ref = tracer.variables.token(tracer.last_output)
        output_refs = [ref] if ref is not None else []
    graph.notes.extend(tracer_notes(graph, tracer, chosen, namespace, no_grad_cell, cell_code,
                                    cut=len(chosen) < len(calls)))
    if changed:
        graph.notes.append(_changed_note(changed))
    regraded = mark_regraded(bpass, grads_now, items) if grads_now else []
    if regraded:
        graph.notes.append(regraded_note(regraded))
    cut_at = [graph.variables[_vid(v)] for v in sorted(cut) if _vid(v) in graph.variables]
    if cut_at:
        graph.notes.append(_unchained_note(cut_at))
    earlier = [v.label or v.id for v in graph.variables.values() if v.grad is not None]
    if earlier and not tracer.saw_backward:
        graph.notes.append(f"The grads shown ({', '.join(earlier[:4])}{', ...' if len(earlier) > 4 else ''}) "
                           "are from an earlier backward: no backward ran in this cell, so they are no "
                           "derivatives of this graph's output.")
    if after:
        graph.notes.append(_after_note(after, raised=not complete))
    if len(chosen) < len(calls):
        graph.cut, graph.max_nodes = True, max_nodes
        graph.notes.append(cut_note(max_nodes))
    return graph, output_refs, leaf_refs


def _after_note(after, raised):
    """The calls after the last backward, left out: an evaluation, or (the
    cell raised) the start of the forward that failed, not to be taken for one."""
    verb = "is" if after == 1 else "are"
    what = ("until the cell raised (an evaluation, or the forward that failed)" if raised else "(an evaluation, say)")
    return (f"{count_of(after, 'function call')} made after the last backward {what} {verb} not drawn: "
            "the graph is that backward's.")


def _unchained_note(nodes):
    """Where the drawn pass stopped at a variable unchain_backward() cut (truncated BPTT)."""
    labels = [node.label or node.id for node in nodes][:4]
    at = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" and {labels[-1]}"
    at += " ..." if len(nodes) > 4 else ""
    it, has, s = ("it", "has", "it is a leaf") if len(nodes) == 1 else ("they", "have", "they are leaves")
    return (f"unchain_backward() cut the graph at {at} (book step 59): {it} {has} no creator now, so backward "
            f"stopped there; {s} of this pass and keep{'s' if len(nodes) == 1 else ''} "
            f"{'its grad' if len(nodes) == 1 else 'their grads'}.")


def _changed_note(changed):
    """print(W) after training differs from the W drawn: say which is which."""
    shown = [f"{node.label or node.id} is now {format_snapshot(from_summary(now))}" for node, now in changed[:3]]
    more = f" (and {len(changed) - 3} more)" if len(changed) > 3 else ""
    return ("Values shown are those the drawn forward used; some changed after it (an optimizer step, "
            f"say): {', '.join(shown)}{more}.")


def _steps(bpass, graph, items):
    """BackwardSteps of the drawn functions. An output grad (gys) is the
    total its variable had when the step ran: the seed or the last total an
    earlier step recorded (a grad is final when its creator pops)."""
    formatted = {}  # a summary is hashable atoms; input grads are shown twice (gxs, totals)

    def fmt(summary):
        text = formatted.get(summary)
        if text is None:
            text = formatted[summary] = format_snapshot(from_summary(summary), items)
        return text

    steps = []
    wanted = {int(o[1:]) for f in graph.functions.values() for o in f.outputs}
    running = {v: s for v, s in bpass.seeds.items() if v in wanted}
    left = len(graph.functions)  # a function pops once a pass
    for rec in bpass.steps:
        if not left:
            break  # every drawn function had its step: later ones change nothing drawn
        fid = _fid(rec[S_FUNC])
        func = graph.functions.get(fid)
        if func is not None:
            left -= 1
            given = dict(groups(rec[S_GYS]))
            gys = {}
            for o in func.outputs:
                v = int(o[1:])
                s = given.get(v, running.get(v))
                if s is not None:
                    gys[o] = fmt(s)
            gxs = groups(rec[S_GXS])
            accumulated = groups(rec[S_ACCUMULATED])
            shown = {}
            for v, s in gxs:  # an input used twice (x + x, x / x) gets a grad per use: both are shown
                key, text = _vid(v), fmt(s)
                shown[key] = f"{shown[key]} + {text}" if key in shown else text
            totals = dict(shown)
            totals.update((_vid(v), fmt(s)) for v, s in accumulated)
            steps.append(BackwardStep(
                index=len(steps),
                func=fid,
                gys=gys,
                gxs=shown,
                accumulated=[_vid(v) for v, _ in accumulated],
                pending=[p for p in map(_fid, rec[S_PENDING]) if p in graph.functions],
                pending_total=rec[S_PENDING_TOTAL],
                totals=totals,
            ))
        _absorb(running, rec[S_GXS], wanted)
        _absorb(running, rec[S_ACCUMULATED], wanted)
    return steps
