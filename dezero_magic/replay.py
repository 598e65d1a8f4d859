"""The book's earlier backward (steps 8–14) replayed on a Graph.

Until step 15 the book's `Variable.backward` keeps a plain list of
functions, pops the last one and appends each input's creator, with no
generations and no "seen" set::

    funcs = [self.creator]
    while funcs:
        f = funcs.pop()
        gxs = f.backward(*[y.grad for y in f.outputs])
        for x, gx in zip(f.inputs, gxs):
            x.grad = gx if x.grad is None else x.grad + gx   # step 14
            if x.creator is not None:
                funcs.append(x.creator)

On a graph that branches and joins (a = A(x); b = B(a); c = C(a);
y = D(b, c)) it pops D, C, A, B, A: A runs before all of a's grad has
arrived and runs twice, so x.grad comes out wrong. `replay(trace)` gives
that order from the Graph alone (plain data), where it diverges from the
generation order, and — when the live objects are still reachable through
`trace.output_refs` — the grads both orders produce, computed by calling the
real functions' `backward` with backprop disabled. The user's `.grad`s are
never read or written: the grads live in a dict of this module. The
backward methods run on copies (`isolation.copy_function`), their prints
hidden and the global random generators restored (`isolation.isolated`);
a graph with the user's own classes (a student's, a Function subclass typed
into a cell) is replayed with grads only with `run_own_code=True`, when the
user asked (the Backward tab's switch), as their code may do more than
compute: without it the replay gives the order alone and says why.

The grads cost what the cell's backward cost, twice (once where the orders
agree: the same pops give the same grads): a replay that would handle more
than REPLAY_NUMBERS numbers shows the order only and says so, and grads are
compared a chunk at a time, never with temporaries of a whole array's size.
"""
import heapq
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from dezero.config import no_grad
from dezero.core import Function, Variable
from dezero_magic.exc_text import described
from dezero_magic.links import func_inputs, func_outputs
from dezero_magic.isolation import copy_function, isolated, own_classes
from dezero_magic.preview import data_of, format_snapshot, snapshot
from dezero_magic.reevaluate import functions

POP_LIMIT = 2000     # the list algorithm repeats shared subgraphs: exponential in the worst case
QUEUE_SHOWN = 12     # queue entries kept per step (the rest are counted)
REPLAY_NUMBERS = 100_000_000  # numbers the popped functions' inputs and outputs hold, both orders: ~1 s
CHUNK = 1 << 16      # entries compared at a time


@dataclass
class ReplayStep:
    func: str                                            # FuncNode id popped at this step
    queue: List[str] = field(default_factory=list)       # the list after the step, next pop first (cut)
    queue_total: int = 0
    gxs: Dict[str, str] = field(default_factory=dict)    # input id -> grad this step gave it
    totals: Dict[str, str] = field(default_factory=dict)  # input id -> its grad after this step
    accumulated: List[str] = field(default_factory=list)  # input ids added to a second (or later) time
    repeat: bool = False                                 # this function was popped before


@dataclass
class Replay:
    order: List[str]                  # FuncNode ids in the order the list algorithm pops them
    generation_order: List[str]       # the same for generation order (what dezero does)
    diverges_at: Optional[int]        # first position where the two orders differ (None: same)
    repeated: List[str]               # functions the list algorithm pops more than once
    truncated: bool                   # stopped after POP_LIMIT pops
    steps: List[ReplayStep]
    start: Optional[str]              # the function backward began with
    seeds: Dict[str, str] = field(default_factory=dict)  # output id -> its starting grad (ones)
    book_grads: Optional[Dict[str, str]] = None     # final grads, list algorithm (None: not computed)
    correct_grads: Optional[Dict[str, str]] = None  # final grads, generation order
    wrong: List[str] = field(default_factory=list)  # var ids whose list-algorithm grad is wrong
    status: str = ""                  # how the grads were obtained, or why they were not
    own_classes: List[str] = field(default_factory=list)  # the user's classes whose backward it calls
    ran_own_code: bool = False        # their backward ran again for the grads (the user asked)


def _creators(graph):
    return {vid: f.id for f in graph.functions.values() for vid in f.outputs}


def list_order(graph, start, limit=POP_LIMIT):
    """Pops of the book's list algorithm from `start`: (order, queues, truncated).

    queues[i] is the list after pop i, next pop first, cut to QUEUE_SHOWN,
    with its full length."""
    creator = _creators(graph)
    funcs, order, queues = [start], [], []
    while funcs and len(order) < limit:
        f = funcs.pop()
        order.append(f)
        for x in graph.functions[f].inputs:
            c = creator.get(x)
            if c is not None:
                funcs.append(c)
        queues.append((funcs[: -QUEUE_SHOWN - 1: -1], len(funcs)))
    return order, queues, bool(funcs)


def generation_order(graph, start):
    """Pops of dezero's engine: highest generation first, among equals the one queued last."""
    creator = _creators(graph)
    heap, seen, counter, order = [], {start}, 0, []
    heapq.heappush(heap, (-graph.functions[start].generation, 0, start))
    while heap:
        f = heapq.heappop(heap)[2]
        order.append(f)
        for x in graph.functions[f].inputs:
            c = creator.get(x)
            if c is not None and c not in seen:
                seen.add(c)
                counter += 1
                heapq.heappush(heap, (-graph.functions[c].generation, -counter, c))
    return order


def _start(graph):
    return graph.steps[0].func if graph.steps and graph.steps[0].func in graph.functions else None


def replay(trace, late="", run_own_code=False):
    """The list algorithm on `trace.graph`, with grads when the objects live
    (and, for the user's own classes, `run_own_code`); None when no backward
    pass was recorded. `late`: why it runs now rather than with the cell
    (said in its status)."""
    graph = trace.graph
    start = _start(graph)
    if start is None:
        return None
    order, queues, truncated = list_order(graph, start)
    gen = generation_order(graph, start)
    diverges = next((i for i, (a, b) in enumerate(zip(order, gen)) if a != b), None)
    if diverges is None and len(order) != len(gen):
        diverges = min(len(order), len(gen))
    counts = {}
    for f in order:
        counts[f] = counts.get(f, 0) + 1
    seen, steps = set(), []
    for f, (queue, total) in zip(order, queues):
        steps.append(ReplayStep(func=f, queue=list(queue), queue_total=total, repeat=f in seen))
        seen.add(f)
    result = Replay(order=order, generation_order=gen, diverges_at=diverges,
                    repeated=[f for f, n in counts.items() if n > 1], truncated=truncated,
                    steps=steps, start=start)
    _add_grads(trace, result, run_own_code)
    if late:
        result.status = (f"replayed when first asked for, not when the cell ran ({late}: too much to replay "
                         f"for a view that may never be opened); {result.status}")
    return result


# -- grads, from the live objects --------------------------------------------------

class _Unavailable(Exception):
    """The grads cannot be computed; the message says why (shown to the user)."""


def match_live(trace, start):
    """{id: live object} for the functions and variables of `trace.graph`
    reachable from a live output, matched by structure (op names and argument
    positions). Raises _Unavailable when the objects are gone or changed."""
    graph = trace.graph
    creator = _creators(graph)
    node = graph.functions[start]
    roots = [r() for r in trace.output_refs if r is not None]
    roots = [y for y in roots if y is not None]
    if not roots:
        raise _Unavailable(_gone(graph, node))
    for y in roots:
        f = getattr(y, "creator", None)
        if f is not None and type(f).__name__ == node.op:
            return _match_from(graph, creator, f, start), y
    raise _Unavailable("the live output is no longer the one this graph was recorded from "
                       "(it was reassigned or unchained), so only the order is shown")


def _gone(graph, node):
    """Why no grads: the output died, named (after Run All a later cell has rebound y, QA L22-A)."""
    names = [graph.variables[v].label for v in node.outputs if v in graph.variables and graph.variables[v].label]
    if len(names) != 1:
        return "the output variable no longer exists (it was deleted or reassigned), so only the order is shown"
    return (f"the output {names[0]} that this graph was recorded from no longer exists (the name {names[0]} was "
            "bound to something else since, by a later cell, or deleted), so only the order is shown; run this cell "
            "again to see the grads")


def _match_from(graph, creator, f0, fid0):
    objs = {fid0: f0}
    stack = [(f0, fid0)]
    while stack:
        f, fid = stack.pop()
        node = graph.functions[fid]
        ins, outs = func_inputs(f), func_outputs(f)
        if type(f).__name__ != node.op or len(ins) != len(node.inputs):
            raise _Unavailable(f"the live {type(f).__name__} does not match the recorded {node.op}; "
                               "the objects changed after the cell, so only the order is shown")
        for vid, y in zip(node.outputs, outs):
            objs.setdefault(vid, y)
        for vid, x in zip(node.inputs, ins):
            if objs.setdefault(vid, x) is not x:
                raise _Unavailable("the live graph no longer has the recorded shape; only the order is shown")
            c, cid = getattr(x, "creator", None), creator.get(vid)
            if cid is None:
                continue  # a leaf, or the graph was cut here (--max-nodes)
            if c is None:
                raise _Unavailable("part of this graph has no creators in the live objects (made under "
                                   "no_grad, or unchained after the cell); only the order is shown")
            if cid in objs:
                if objs[cid] is not c:
                    raise _Unavailable("the live graph no longer has the recorded shape; "
                                       "only the order is shown")
                continue
            objs[cid] = c
            stack.append((c, cid))
    return objs


def replay_backward(f, gys):
    """f.backward on arrays: dezero Functions take Variables (backprop off),
    students' classes of steps 6–24 take arrays. On a copy: what a backward
    sets on its Function stays off the user's."""
    try:
        f = copy_function(f)
    except Exception:  # noqa: BLE001 - an object that cannot be copied runs as it is
        pass
    if isinstance(f, Function):
        with no_grad():
            gxs = f.backward(*[Variable(np.asarray(g)) for g in gys])
    else:
        gxs = f.backward(*gys)
    returned_list = isinstance(gxs, list)
    if not isinstance(gxs, tuple):
        gxs = (gxs,)  # as the book's loop reads it: anything but a tuple, a list too, is ONE grad
    return _Grads([None if g is None else np.asarray(data_of(g)) for g in gxs], returned_list)


class _Grads(list):
    """The grads a backward gave, one per item of the tuple it returned;
    `returned_list`: it returned a list (so the whole list is one grad)."""

    def __init__(self, grads, returned_list=False):
        super().__init__(grads)
        self.returned_list = returned_list


def run_grads(graph, objs, order, seeds):
    """Grads (var id -> array) after popping `order`, accumulating as step 14
    does; per-step (gxs, totals, accumulated). Missing output grads are zeros."""
    grads = dict(seeds)
    per_step = []
    for fid in order:
        node, f = graph.functions[fid], objs[fid]
        gys = []
        for vid in node.outputs:
            g = grads.get(vid)
            if g is None:
                y = objs.get(vid)
                g = np.zeros_like(np.asarray(data_of(getattr(y, "data", 0.0))))
            gys.append(g)
        gxs = replay_backward(f, gys)
        if len(gxs) != len(node.inputs):
            raise _Unavailable(_miscounted(node, getattr(gxs, "returned_list", False), len(gxs)))
        step_gx, step_tot, acc = {}, {}, []
        for vid, gx in zip(node.inputs, gxs):
            if gx is None:
                continue
            if vid in grads:
                grads[vid] = np.asarray(grads[vid] + gx)
                acc.append(vid)
            else:
                grads[vid] = gx
            step_gx[vid], step_tot[vid] = gx, grads[vid]
        per_step.append((step_gx, step_tot, acc))
    return grads, per_step


def _miscounted(node, returned_list, count):
    """Why the grads stop at a backward that returned more or fewer grads than its inputs."""
    inputs = f"{len(node.inputs)} input{'s' if len(node.inputs) != 1 else ''}"
    if returned_list:
        said = (f"{node.op}.backward returned a list, which the book's Variable.backward takes as ONE grad for "
                f"its {inputs} (it splits only a tuple: return a tuple, `return gx0, gx1`, not "
                "`return [gx0, gx1]`)")
    else:
        said = (f"{node.op}.backward returned {count} grad{'s' if count != 1 else ''} for its {inputs} (return "
                "one grad per input, as a tuple)")
    return f"the grads were not computed: {said}, so only the order is shown"


def _preview(a, items=4):
    return format_snapshot(snapshot(a), items)


def work(graph, order):
    """Numbers that the inputs and outputs of the functions popped in `order`
    hold (recorded shapes): what replaying their backward handles."""
    size = {vid: math.prod(v.shape) for vid, v in graph.variables.items()}
    return sum(size.get(v, 1) for fid in order for v in graph.functions[fid].inputs + graph.functions[fid].outputs)


def own_code_of(trace):
    """The user's own classes among the recorded graph's live functions
    ([] when none, or the objects are gone); read from the objects, nothing runs."""
    for ref in trace.output_refs:
        y = ref() if ref is not None else None
        if y is not None and getattr(y, "creator", None) is not None:
            return own_classes(functions(y, POP_LIMIT) or [])
    return []


def _add_grads(trace, result, run_own_code=False):
    graph = trace.graph
    same = result.diverges_at is None and not result.truncated
    numbers = work(graph, result.order) + (0 if same else work(graph, result.generation_order))
    if numbers > REPLAY_NUMBERS:
        result.status = (f"the grads were not computed: calling the functions' backward again would handle "
                         f"about {numbers:,} numbers (this replay stops at {REPLAY_NUMBERS:,}), so only the "
                         "order is shown")
        return
    hidden = None
    try:
        objs, y = match_live(trace, result.start)
        result.own_classes = own_classes(objs[fid] for fid in graph.functions if fid in objs)
        if result.own_classes and not run_own_code:
            result.status = (f"the grads were not computed: that calls the backward of your own classes "
                             f"({', '.join(result.own_classes)}) again, which runs only when you ask for it; "
                             "only the order is shown")
            return
        node = graph.functions[result.start]
        seeds = {vid: np.ones_like(np.asarray(data_of(y.data)))
                 for vid in node.outputs if objs.get(vid) is y}
        with isolated() as hidden:
            result.ran_own_code = bool(result.own_classes)
            wrong, per_step = run_grads(graph, objs, result.order, seeds)
            # the same pops in the same order compute the same grads: no second run, nothing to compare
            right = wrong if same else run_grads(graph, objs, result.generation_order, seeds)[0]
    except _Unavailable as exc:
        result.status = str(exc)
        return
    except Exception as exc:  # noqa: BLE001 - a user's backward may raise: say so, show the order
        result.status = (f"calling the functions' backward again raised {described(exc)}; "
                         "only the order is shown")
        return
    # as many elements as the generation steps show (QA: -v gave [1 1 1 1 1 1] there, [1 1 1 1 …] here)
    items = 16 if getattr(trace, "verbose", False) else 4

    def previews(grads):
        return {k: _preview(v, items) for k, v in grads.items()}

    for step, (gxs, totals, acc) in zip(result.steps, per_step):
        step.gxs, step.totals = previews(gxs), previews(totals)
        step.accumulated = acc
    result.seeds, result.book_grads, result.correct_grads = previews(seeds), previews(wrong), previews(right)
    result.wrong = [] if same else [k for k in right if k in wrong and not _same(right[k], wrong[k])]
    result.wrong += [k for k in wrong if k not in right]
    result.status = ("grads computed by calling each function's backward again on the live objects, "
                     "with backprop disabled; your variables' .grad were not touched")
    if result.ran_own_code:
        calls = len(result.order) + (0 if same else len(result.generation_order))
        printed = f" ({hidden.lines} lines)" if hidden.lines else ""
        result.status += (f"; for this, the backward of your own classes ran again ({calls} backward "
                          f"call{'s' if calls != 1 else ''} in all): what it printed is hidden{printed}, but other effects of your code (a list "
                          "it appends to, say) happened again")
    if result.truncated:
        result.status += f"; stopped after {POP_LIMIT} pops, so the list algorithm's grads are partial"


def _same(a, b):
    try:
        if np.shape(a) != np.shape(b):
            return False
        return all(bool(np.allclose(x, y, equal_nan=True)) for x, y in _chunks(np.asarray(a), np.asarray(b)))
    except TypeError:
        return a is b


def _chunks(a, b):
    """Matching views of a and b of at most CHUNK entries (allclose makes
    several temporaries of its inputs' size); slices, never copies (a grad
    may be a broadcast view, which flattening would copy whole)."""
    if a.size <= CHUNK or a.ndim == 0:
        yield a, b
        return
    row = a.size // a.shape[0]
    if row > CHUNK:
        for i in range(a.shape[0]):
            yield from _chunks(a[i], b[i])
        return
    step = CHUNK // row
    for i in range(0, a.shape[0], step):
        yield a[i:i + step], b[i:i + step]
