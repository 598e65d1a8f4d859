"""The backward steps of students' own classes: the calls `backward_watch`
recorded, matched by identity to the drawn functions, become the graph's
`BackwardStep`s; what the steps show about each variable's grads is kept
for the notes (`student_notes`, `student_pass_notes`)."""
from dezero_magic.graph import BackwardStep
from dezero_magic.links import func_inputs, func_outputs
from dezero_magic.naming import attr_of
from dezero_magic.preview import format_snapshot
from dezero_magic.student_notes import note_early_pop, note_grad_counts


class StepsRead:
    """What the steps tell, by variable id (`v0`, ...) and step index."""

    def __init__(self):
        self.steps = []
        self.received = {}     # id -> snapshots of the grads the steps gave it, in order
        self.held = {}         # id -> the grad it held before the pass (a leftover)
        self.popped = {}       # id -> how many grads it had received when its creator first ran
        self.taken = {}        # id -> the grad its creator's backward first took for it
        self.kept = set()      # ids whose grad was still there when a grad came after their creator ran
        self.changed = []      # (id, op, grad then, grad when the pass ended): a grad array changed in place
        self.changed_arrays = []  # (id, the array) of those still alive
        self.own_change = False   # a backward changed a grad array it was given
        self.returned_none = []   # (step index, FuncNode id) of backwards that returned None
        self.given_none = {}      # step index -> output ids whose grad was given as None
        self.first_given_none = []  # output ids of the pass's first call given None
        self.ran = set()       # id() of the functions whose backward ran
        self.raised = None     # (step index, FuncNode id) of the backward an exception left (the pass stopped)


def read_steps(calls, fid, vid, items, graph, alive=None):
    """StepsRead of `calls` (BackwardWatch calls); `fid`/`vid`: id() of a
    drawn function/variable -> its node id; `alive`: id() -> the drawn
    functions (those without weakref support are matched through it).
    Also adds the notes the steps alone tell (an early pop, a wrong number
    of grads returned)."""
    read = StepsRead()
    steps, received, miscounted, decided = read.steps, read.received, {}, {}
    alive = alive or {}
    for n, call in enumerate(calls):
        f = call.func_for(alive)
        if f is None or id(f) not in fid:
            continue
        read.ran.add(id(f))
        ins, outs = func_inputs(f), func_outputs(f)
        step = BackwardStep(index=len(steps), func=fid[id(f)])
        step.gys = {vid[id(y)]: format_snapshot(s, items) for y, s in zip(outs, call.gys) if id(y) in vid}
        _read_outputs(read, call, outs, vid, step, graph.functions[step.func].op, first=n == 0)
        for x in ins:
            key = vid.get(id(x))
            if key is None:
                continue
            if id(x) in call.held:  # the grad each input had before the pass, if any
                read.held.setdefault(key, call.held[id(x)])
            if key in read.popped and key not in decided:
                # the first grad after its creator ran: was the grad it had still there (not freed)?
                decided[key] = id(x) not in call.bare
        read.own_change = read.own_change or call.own_change
        if call.returned_none:
            read.returned_none.append((step.index, step.func))
        if call.raised and read.raised is None:
            read.raised = (step.index, step.func)
        if call.gxs is not None and len(call.gxs) != len(ins):
            # (an input said to get none must have none: a student's loop may unpack lists itself)
            missing = [x for x in ins[len(call.gxs):] if attr_of(x, "grad") is None]
            if missing or len(call.gxs) > len(ins):
                # a list returned: the loop took it as ONE grad, the first input's (its .grad is the list)
                as_list = len(call.gxs) == 1 and isinstance(attr_of(ins[0], "grad"), list)
                miscounted.setdefault(step.func, (len(call.gxs), [vid.get(id(x)) for x in missing], as_list))
        given = {}  # an input used twice (add(x, x)) gets two grads in one step: both are shown
        for x, s in zip(ins, call.gxs or ()):
            if id(x) in vid and s is not None:
                given.setdefault(vid[id(x)], []).append(s)
        for key, snaps in given.items():
            step.gxs[key] = " + ".join(format_snapshot(s, items) for s in snaps)
            if key in received or len(snaps) > 1:
                step.accumulated.append(key)
            received.setdefault(key, []).extend(snaps)
        if call.pending is not None:
            step.pending = [fid[k] for k in call.pending if k in fid]
            step.pending_total = len(call.pending)
        else:
            step.queue_seen = False
        steps.append(step)
    read.kept = {key for key, kept in decided.items() if kept}
    # every call of the pass was counted, also those past the calls kept
    totals = {fid[key]: n for key, n in getattr(calls, "counts", {}).items() if key in fid}
    note_early_pop(graph, steps, totals)
    note_grad_counts(graph, miscounted)
    return read


def _read_outputs(read, call, outs, vid, step, op, first):
    for i, y in enumerate(outs):
        key = vid.get(id(y))
        if key is None:
            continue
        if key in read.received:  # popped with grads still to come: step 18's engine frees what it has
            read.popped.setdefault(key, len(read.received[key]))
        if i >= len(call.gys):
            continue
        read.taken.setdefault(key, call.gys[i])
        if call.gys[i] is None:
            read.given_none.setdefault(step.index, []).append(key)
            if first:
                read.first_given_none.append(key)
        if i in call.changed:
            read.changed.append((key, op, call.gys[i], call.changed[i]))
            array = call.gy_array(i)
            if array is not None:
                read.changed_arrays.append((key, array))
