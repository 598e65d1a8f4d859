"""Live objects -> `Graph`, by duck typing, for graphs no tracer saw.

Used for students' own book-style classes (steps 7-24 typed into cells)
and for `%dezero VAR` (a variable made in an earlier cell). The objects'
links are read as `links` reads them (a variable has `.data` and
`.creator`, its creator `inputs`/`outputs`, as in the book's steps 7, 11
and 17). dezero's objects keep their own generations; students' are
computed from the links (early steps have none). Backward steps come from
`backward_watch.BackwardWatch` calls (`student_steps`), and the notes on
them from `student_notes` and `student_pass_notes`.
Students' objects record no call order, so functions and unnamed variables
(`v0`, `v1`, ...) are numbered in a forward order rebuilt from the links
(`_forward_order`).
"""
import weakref
from collections import deque

import numpy as np

from dezero.core import Function as DezeroFunction, Variable as DezeroVariable
from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.links import creators_reached, func_inputs, func_outputs, is_variable_like
from dezero_magic.naming import attr_of, has_attr, label_for, namespace_names
from dezero_magic.preview import data_of, format_snapshot, snapshot
from dezero_magic.node_budget import NEAREST, WHOLE_UP_TO, cut_note
from dezero_magic.backward_watch import Pass
from dezero_magic.student_notes import label_of, note_odd_values, note_own_generations, note_reused, note_sums
from dezero_magic.student_cell_notes import lost_graph_note, raised_note
from dezero_magic.student_pass_notes import (mark_freed, note_changed_in_place, note_loop_raised, note_never_ran,
                                              note_raised, note_returned_none, note_seedless, show_values_used)
from dezero_magic.student_steps import read_steps


def is_students(obj):
    """A variable-like object of a student's own class: dezero's Variables
    emit trace events, students' ones are drawn from the objects."""
    return not isinstance(obj, DezeroVariable)


# Items of a list or tuple the cell bound that are looked at as roots: a
# list of variables (step 11's `ys = f(xs)`) is short; a data set is not one.
LISTED_ROOTS = 64


def cell_roots(names, namespace, rebound):
    """The variables the cell (re)bound (`rebound(name)`) under `names`, and
    those a list or tuple it bound holds, one level deep (step 11's
    `ys = Add()(xs)` returns a list): where the graph of students' classes
    is drawn from."""
    roots = []
    for name in names:
        value = namespace.get(name)
        if value is None or not rebound(name):
            continue
        if is_variable_like(value):
            roots.append(value)
        elif isinstance(value, (list, tuple)):
            roots.extend(v for v in value[:LISTED_ROOTS] if is_variable_like(v))
    return roots


def lacks_creator(obj, namespace):
    """A variable of book steps 1-6: an object of a class the user defined
    (in the namespace's module, or named Variable) with `.data` and no
    `creator` attribute at all, so no graph can be rebuilt from it."""
    if isinstance(obj, type) or attr_of(obj, "data") is None or has_attr(obj, "creator"):
        return False
    cls = type(obj)
    home = (namespace or {}).get("__name__", "__main__")
    return cls.__module__ == home or (cls.__name__ == "Variable" and is_students(obj))


def no_creator_note(names, objects):
    """What to tell when the cell's variables (`names` -> `objects`) have no
    `creator`: why nothing is drawn and what the book adds (step 7)."""
    cls = type(objects[0]).__name__
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    who = f"Your {cls} {shown} has" if len(names) == 1 else f"Your {cls} objects {shown} have"
    return (f"{who} no `creator` attribute yet: nothing records which Function made which variable, "
            "so there is no graph to draw. Book step 7 adds it (`self.creator = None` in "
            f"`{cls}.__init__`, `output.set_creator(self)` in `Function.__call__`); then %%dezero draws "
            "the graph.")


def _seeds(roots, root_funcs):
    """Where the walk starts: the roots, then the variables of the functions
    the backward pass called (a students' graph may have no root name)."""
    return list(roots) + [x for f in root_funcs for x in func_outputs(f) + func_inputs(f)]


def _walk(seeds, max_nodes, later=()):
    """Breadth-first from the seeds back through creators, nearest the
    output first (`later` seeds once the others are walked): (vars, funcs,
    whether anything was left out). A function is drawn with all its inputs
    and outputs or not at all, and the walk stops at the first that does not
    fit in `max_nodes`, as the cell magic's budget does (`assemble._select`);
    the first one (the first seed's creator) is drawn whole even past it."""
    vars_, funcs = {}, {}
    queue, later = deque(seeds), deque(later)
    while queue or later:
        v = queue.popleft() if queue else later.popleft()
        if id(v) not in vars_:  # a seed: those reached through a function are drawn with it
            if vars_ and len(vars_) + len(funcs) >= max_nodes:
                return vars_, funcs, True
            vars_[id(v)] = v
        f = attr_of(v, "creator")
        if f is None or id(f) in funcs:
            continue
        around = func_inputs(f) + func_outputs(f)
        new = {id(x) for x in around if id(x) not in vars_}
        if funcs and len(vars_) + len(funcs) + 1 + len(new) > max_nodes:
            return vars_, funcs, True
        funcs[id(f)] = f
        for x in around:
            vars_.setdefault(id(x), x)
        queue.extend(around)
    return vars_, funcs, False


def _budgeted(roots, root_funcs, max_nodes):
    """(vars, funcs, cut, how many functions were left out, every function
    reached) within the budget; `max_nodes` None: the default of
    `dezero_magic.node_budget`."""
    seeds = _seeds(roots, root_funcs)
    vars_, funcs, cut = _walk(seeds, WHOLE_UP_TO if max_nodes is None else max_nodes)
    if not cut:
        return vars_, funcs, False, 0, funcs
    reached = creators_reached(seeds, both_ways=True, limit=1_000_000)  # (the caption counts those not drawn)
    consumed = {id(x) for f in reached.values() for x in func_inputs(f)}
    # Outputs first: a cell's names come in order of appearance (x before y),
    # and the inputs of the backward's functions would pull in far leaves.
    first = [v for v in seeds if id(v) not in consumed]
    later = [v for v in seeds if id(v) in consumed]
    vars_, funcs, cut = _walk(first, NEAREST if max_nodes is None else max_nodes, later)
    left_out = sum(1 for key in reached if key not in funcs)
    return vars_, funcs, cut, left_out, reached


def _dezero_generation(obj):
    """dezero's own `generation` (Function or Variable), as the cell magic
    shows it; None for students' objects, numbered from the links."""
    return _int_attr(obj, "generation") if isinstance(obj, (DezeroVariable, DezeroFunction)) else None


def _generations(vars_, funcs, scope):
    """(variable gens, function gens). Students' functions are numbered from
    the links, through every function in `scope` (all those reached: a cut
    graph keeps the whole graph's numbers); dezero's keep their own."""
    fgen = {}
    visiting = set()
    for start in funcs.values():
        stack = [(start, False)]
        while stack:
            f, done = stack.pop()
            if id(f) in fgen:
                continue
            own = _dezero_generation(f)
            if own is not None:
                fgen[id(f)] = own
                continue
            if done:
                gens = [fgen.get(id(attr_of(x, "creator")), -1) + 1 for x in func_inputs(f)]
                fgen[id(f)] = max(gens, default=0)
                continue
            visiting.add(id(f))
            stack.append((f, True))
            for x in func_inputs(f):
                c = attr_of(x, "creator")
                if c is not None and id(c) in scope and id(c) not in fgen and id(c) not in visiting:
                    stack.append((c, False))
    vgen = {}
    for key, v in vars_.items():
        own = _dezero_generation(v)
        c = attr_of(v, "creator")
        vgen[key] = own if own is not None else fgen[id(c)] + 1 if c is not None and id(c) in fgen else 0
    return vgen, fgen


def _forward_order(roots, funcs, fgen):
    """The functions in a forward order, as far as the links tell it: by
    generation, then depth-first from the roots with a function after the
    creators of its inputs, taken in the order of its inputs list (Python
    evaluates `add(square(a), square(a))` left to right, so the left Square
    ran first)."""
    post = {}
    entered = set()
    starts = [attr_of(r, "creator") for r in roots] + list(funcs.values())
    for start in starts:
        if start is None or id(start) not in funcs or id(start) in entered:
            continue
        stack = [(start, False)]
        while stack:
            f, expanded = stack.pop()
            if expanded:
                post[id(f)] = len(post)
                continue
            if id(f) in entered:
                continue
            entered.add(id(f))
            stack.append((f, True))
            for x in reversed(func_inputs(f)):
                c = attr_of(x, "creator")
                if c is not None and id(c) in funcs and id(c) not in entered:
                    stack.append((c, False))
    return sorted(funcs.values(), key=lambda f: (fgen[id(f)], post[id(f)]))


def _orphans(vars_, funcs, fid, vid):
    """(function id, variable id, whether it is that function's input) for
    variables whose creator's outputs are others: one Function object called
    twice keeps only its last call, or set_creator was called on the input."""
    found = []
    for key, v in vars_.items():
        f = attr_of(v, "creator")
        if f is not None and id(f) in funcs and key in vid and not any(y is v for y in func_outputs(f)):
            # (f(f(x)) also has an input made by f, but there f's output names f)
            on_input = (any(x is v for x in func_inputs(f))
                        and not any(attr_of(y, "creator") is f for y in func_outputs(f)))
            found.append((fid[id(f)], vid[key], on_input))
    return found


def _int_attr(obj, name):
    value = attr_of(obj, name)
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else None


def _inputs_nbytes(f):
    """Bytes of the input arrays a live student's function holds (its
    `inputs`/`input`): what it keeps for backward, as the Memory tab counts."""
    total = 0
    for x in func_inputs(f):
        try:
            total += int(getattr(data_of(attr_of(x, "data")), "nbytes", 0) or 0)
        except Exception:  # noqa: BLE001 - a student's odd .data or .nbytes: counts nothing
            pass
    return total


def _generation_slips(vars_, funcs):
    """[(variable key, its own generation, what step 16 makes it)] for
    students' variables whose `generation` is not their creator's + 1 (a
    set_creator without `self.generation = func.generation + 1`). Checked
    link by link on the objects' own numbers, so a graph cut by the budget
    or unchained (whose far creators are not drawn) is never blamed."""
    slips = []
    for key, v in vars_.items():
        f = attr_of(v, "creator")
        if f is None or id(f) not in funcs or not is_students(v) or not any(y is v for y in func_outputs(f)):
            continue  # (an earlier call's output of a reused function: note_reused tells it)
        own, made_by = _int_attr(v, "generation"), _int_attr(f, "generation")
        if own is not None and made_by is not None and own != made_by + 1:
            slips.append((key, own, made_by + 1))
    return slips


def _own_generation(f, computed, slips):
    """The generation the student's function says it has, shown beside the
    one its links give when the graph has generation slips; else None."""
    own = _int_attr(f, "generation") if slips else None
    return None if own is None or own == computed else own


def _numbered(vars_, ordered):
    """`v0`, `v1`, ... in forward order: each function's inputs, then its
    outputs; variables no drawn function touches come last."""
    keys = []
    for f in ordered:
        keys.extend(id(v) for v in func_inputs(f) + func_outputs(f))
    keys.extend(vars_)
    return {key: f"v{i}" for i, key in enumerate(dict.fromkeys(k for k in keys if k in vars_))}


def graph_from_objects(roots, namespace=None, *, calls=(), max_nodes=None, verbose=False,
                       complete=True, elided_calls=0, partial_pass=False, error=None, grads_written=False):
    """Graph of everything `roots` (variable-like objects) were computed from,
    plus the functions seen in `calls`; returns (graph, output_refs, leaf_refs),
    the output the pass started from first (gx of step 33's gx.backward(), not y:
    the gradient check differentiates it). `max_nodes` None: the default of `dezero_magic.node_budget`. `partial_pass`:
    the first calls of the pass were not kept, so no grad is checked against
    the sum of those received (the sum would be of some of them). `error`: the
    exception the cell raised, if any (a student's forward that raised is named).
    `grads_written`: the cell writes a grad itself (`cell_names.sets_grads`)."""
    items = 16 if verbose else 4
    names = namespace_names(namespace)
    root_funcs = [c.func() for c in calls if c.func() is not None]
    starts = [r for r in roots if is_variable_like(r)]
    vars_, funcs, cut, left_out, reached = _budgeted(starts, root_funcs, max_nodes)
    vgen, fgen = _generations(vars_, funcs, reached)
    slips = _generation_slips(vars_, funcs)
    graph = Graph(complete=complete, elided_functions=left_out)
    ordered = _forward_order(roots, funcs, fgen)
    vid = _numbered(vars_, ordered)
    fid = {id(f): f"f{i}" for i, f in enumerate(ordered)}
    consumed = set()
    for order, f in enumerate(ordered):
        ins = [vid[id(x)] for x in func_inputs(f) if id(x) in vid]
        consumed.update(ins)
        graph.functions[fid[id(f)]] = FuncNode(
            id=fid[id(f)], op=type(f).__name__, generation=fgen[id(f)], inputs=ins,
            outputs=[vid[id(y)] for y in func_outputs(f) if id(y) in vid], order=order,
            label=names.get(id(f), ""), own_generation=_own_generation(f, fgen[id(f)], slips),
            kept_nbytes=_inputs_nbytes(f))
    # Before book step 16 their functions have no generation: the numbers shown are the links' count
    graph.generations_by_links = bool(ordered) and all(_int_attr(f, "generation") is None for f in ordered)
    leaf_refs, output_refs, live, odd = {}, [], {}, []
    for key in vid:
        v = vars_[key]
        snap = snapshot(data_of(attr_of(v, "data")))
        grad = attr_of(v, "grad")
        gsnap = snapshot(data_of(grad)) if grad is not None else None
        creator = attr_of(v, "creator")
        node = VarNode(
            id=vid[key], label=label_for(v, None, names),
            shape=snap.shape if snap else (), dtype=snap.dtype if snap else "",
            value=format_snapshot(snap, items), generation=vgen[key],
            leaf=creator is None, nbytes=snap.nbytes if snap else 0,
            nonfinite=bool((snap and snap.nonfinite) or (gsnap and gsnap.nonfinite)))
        if gsnap is not None:
            live[node.id] = gsnap
            node.grad = format_snapshot(gsnap, items)
            node.grad_absmax = gsnap.absmax
            node.grad_nbytes = gsnap.nbytes
        graph.variables[node.id] = node
        odd.append((node, v))
        try:
            ref = weakref.ref(v)
        except TypeError:
            ref = None
        if ref is not None and node.leaf:
            leaf_refs[node.id] = ref
        if ref is not None and node.id not in consumed and not node.leaf:
            output_refs.append((node.id, ref))
    note_odd_values(graph, odd, [(fid[id(f)], attr_of(f, "inputs")) for f in ordered])
    orphans = _orphans(vars_, funcs, fid, vid)
    note_reused(graph, orphans)
    read = read_steps(calls, fid, vid, items, graph, alive=funcs)
    graph.steps = read.steps
    if calls and not graph.steps and not any(c.func_for(funcs) is not None for c in calls):
        graph.notes.append(lost_graph_note(len(calls) + elided_calls, bool(vid)))
    error_note = raised_note(None if complete else error, bool(funcs))
    if error_note is not None:
        graph.notes.append(error_note)
    # Had a grad in the pass and has none now: the student's backward freed it
    # (step 18's retain_grad=False), as the Memory tab and the nodes should say.
    mark_freed(graph, read, getattr(calls, "finished", True), {vid[k]: vars_[k] for k in vid})
    show_values_used(graph, getattr(calls, "used", {}), _leaves_used(odd, ordered, read.ran), items)
    _pass_notes(graph, calls, read, live, vars_, fid, vid, whole=not partial_pass and not cut, orphans=orphans,
                grads_written=grads_written, error=error)
    note_own_generations(graph, [(vid[k], own, due) for k, own, due in slips if k in vid])
    graph.elided_steps = elided_calls
    if cut:
        graph.cut, graph.max_nodes = True, max_nodes
        graph.notes.append(cut_note(max_nodes))
    return graph, [r for _, r in sorted(output_refs, key=lambda o: o[0] != graph.started_from())], leaf_refs


def _leaves_used(pairs, ordered, ran):
    """(node, variable, whether every drawn function it went into ran its
    backward in the pass) of the drawn leaves that some drawn function used."""
    into = {}
    for f in ordered:
        for x in func_inputs(f):
            into.setdefault(id(x), set()).add(id(f))
    return [(node, v, into[id(v)] <= ran) for node, v in pairs if node.leaf and id(v) in into]


def _pass_notes(graph, calls, read, live, vars_, fid, vid, whole, orphans, grads_written=False, error=None):
    """The notes on the backward pass (`calls`, as `backward_watch.Pass`):
    those its steps and grads tell. `whole`: every function that gave a
    variable grads is drawn and every call of the pass kept, so sums and
    the functions never reached can be told."""
    note_returned_none(graph, read)
    note_raised(graph, read, error)
    note_loop_raised(graph, calls, read, error)
    start = calls.start_variable() if isinstance(calls, Pass) else None
    start_key = vid.get(id(start)) if start is not None else None
    note_seedless(graph, calls, start_key, read)
    adds_in_place = getattr(calls, "adds_in_place", False)
    note_changed_in_place(graph, read, adds_in_place)
    if not whole or any(not on_input for *_, on_input in orphans):
        # (a reused Function keeps one call's links: the backward may go round
        # a cycle through it, e.g. f(f(x)), and its grads add up to nothing meant)
        return
    finals = {key: (snap, False) for key, snap in live.items()}
    for key, snaps in read.received.items():
        node = graph.variables.get(key)
        if node is not None and node.grad_freed and key in read.taken and read.popped.get(key) == len(snaps):
            finals[key] = (read.taken[key], True)  # freed after its creator took it, all grads in
    owners = {}  # id of a grad array changed in place -> the variable it was given for
    for key, array in read.changed_arrays:
        owners.setdefault(id(array), key)  # (read holds the arrays: their ids stay theirs)
    shared = {vid[k]: label_of(graph, owners[id(attr_of(v, "grad"))]) for k, v in vars_.items()
              if owners and id(attr_of(v, "grad")) in owners and k in vid}
    note_sums(graph, read.received, read.held, finals, read.popped, read.kept, shared,
              adds_in_place and not read.own_change,  # (a backward that changed its gy may be the one)
              single_told=not grads_written)
    if start_key is not None and calls.finished and not orphans:
        note_never_ran(graph, start, read, fid, vid, looped=any(c.queue is not None for c in calls))
