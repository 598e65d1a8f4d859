"""Notes on a whole backward pass of students' own classes, told from what
`backward_watch` saw of the pass (`Pass`) and its steps (`StepsRead`): a
backward without `return`, a pass begun without the seed grad (step 7), a
grad array changed in place (`x.grad += gx`, step 14), functions the
pass never reached (the `funcs.append` outside the loop over the inputs),
leaves changed after the pass used them, and grads that are gone.
"""
import numpy as np

from dezero_magic.backward_watch import light_snapshot
from dezero_magic.links import creators_reached, func_inputs, func_outputs
from dezero_magic.naming import attr_of
from dezero_magic.preview import data_of, format_snapshot, snapshot
from dezero_magic.student_notes import label_of, listed, takes_retain_grad


def note_returned_none(graph, read):
    """A backward that returned normally with None (one that raised is not
    told): the book's loop hands None on as a grad, and the NEXT function's
    backward is the one that fails, pointing at the wrong function."""
    told = set()
    for index, fid in read.returned_none:
        func = graph.functions.get(fid)
        if func is None or func.op in told:
            continue
        told.add(func.op)
        # (told only when a later backward was given None for one of its inputs)
        later = any(i > index and set(keys) & set(func.inputs) for i, keys in read.given_none.items())
        graph.notes.append(f"{func.op}.backward returned None: did it forget `return`?"
                           + (" (the next backward got None as its grad)" if later else ""))


def note_raised(graph, read, error=None):
    """The backward an exception left, as dezero's own are told: the
    traceback shows where, the graph which function that was. Not when it
    was given None as a grad: the cause lies before it, and the notes on a
    backward without `return` or a missing seed tell that. Nor when `error`,
    the cell's, is a KeyboardInterrupt: the user stopped it, their backward
    raised nothing (note_loop_raised tells the interrupt)."""
    if read.raised is None or read.raised[0] in read.given_none or isinstance(error, KeyboardInterrupt):
        return
    func = graph.functions.get(read.raised[1])
    if func is not None:
        graph.notes.append(f"The backward of {_which(graph, func)} raised: the pass stopped there, so the "
                           "steps after it never ran and the grads they would give are missing.")


def _which(graph, func):
    """A function as the student sees it drawn (its box, and what it made), not by our node id."""
    made = listed(label_of(graph, v) for v in func.outputs)
    return f"{func.title} (making {made})" if made else func.title


def note_seedless(graph, calls, start_key, read):
    """Step 7 without the seed: the variable backward began from had no grad,
    and its creator's backward was given that None."""
    if getattr(calls, "seedless", False) and start_key is not None and start_key in read.first_given_none:
        name = label_of(graph, start_key)
        graph.notes.append(f"{name}.grad was None when backward began: set {name}.grad = np.array(1.0) first "
                           "(book step 7; step 9's backward does it for you).")


def note_changed_in_place(graph, read, adds_in_place):
    """Grad arrays the pass changed in place after a backward was given them
    (`changed`: the same array object, other numbers at the pass's end). The
    book's `x.grad += gx` does it: after `x.grad = gx`, x.grad is the very
    array a backward passed on (Add's `return gy, gy`), shared with others."""
    seen, parts = set(), []
    for key, op, then, now in read.changed:
        if key not in seen:
            seen.add(key)
            parts.append((key, op, then, now))
    if not parts:
        return
    if len(parts) == 1:
        key, op, then, now = parts[0]
        name = label_of(graph, key)
        note = (f"{name}'s grad changed in place after {op}'s backward took it: from {format_snapshot(then)} "
                f"to {format_snapshot(now)} by the end of the backward pass.")
    else:
        shown = listed(f"{label_of(graph, k)}'s from {format_snapshot(t)} to {format_snapshot(w)}"
                       for k, _, t, w in parts)
        note = (f"The grads of {listed(label_of(graph, k) for k, *_ in parts)} changed in place after their "
                f"creators' backward took them: {shown} by the end of the backward pass.")
    if adds_in_place and not read.own_change:
        note += (" Your Variable.backward uses `+=`: `x.grad += gx` changes x.grad's array in place, and when a "
                 "backward passes its gy on as it is (Add's `return gy, gy`), x.grad is that very array, shared "
                 "with other grads. Write x.grad = x.grad + gx, which makes a new array (book step 14).")
    else:
        note += (" An in-place operation on a grad array (`+=`, `*=`) changes every grad that shares the array; "
                 "make a new array instead (x.grad = x.grad + gx, book step 14).")
    graph.notes.append(note)


def note_never_ran(graph, start, read, fid, vid, looped):
    """Functions that `start` (the variable the finished pass began from) was
    computed from, whose output got its grad in the pass but whose backward
    never ran: the student's Variable.backward did not go on to them (the
    book's `if x.creator is not None: funcs.append(x.creator)` outside the
    loop over the inputs queues the last input's creator only). Called only
    for a whole graph and a whole pass that did not raise. `looped`: the
    pass kept a `funcs` list (else step 7's recursion)."""
    missed = []
    for key, f in creators_reached([start]).items():
        if key in read.ran or key not in fid:
            continue
        got = [vid[id(y)] for y in func_outputs(f) if id(y) in vid and vid[id(y)] in read.received]
        if got:
            missed.append((fid[key], got, [vid[id(x)] for x in func_inputs(f) if id(x) in vid]))
    if not missed:
        return
    what = listed(f"{graph.functions[f].op} (making {listed(label_of(graph, v) for v in got)})"
                  for f, got, _ in missed)
    inputs = list(dict.fromkeys(v for *_, vs in missed for v in vs))
    # "no grad" only for inputs no step gave one and that hold none (retain_grad=False frees some)
    bare = [v for v in inputs if v not in read.received and graph.variables[v].grad is None]
    one = len(missed) == 1
    verb = "never ran its backward" if one else "never ran their backward"
    them = "it" if one else "them"
    if bare and len(bare) == len(inputs):
        so = f", so {listed(label_of(graph, v) for v in bare)} got no grad"
    else:
        so = f", so {listed(label_of(graph, v) for v in inputs)} got no grad from {them}"
    if looped:
        how = (f"your Variable.backward never queued {them}; the `if x.creator is not None:` that queues "
               "x.creator must run for every input (inside the loop over the inputs, `for x, gx in zip(...)`).")
    else:
        how = (f"your Variable.backward never went on to {them}; it must go on to the creator of every input "
               "(book step 7: x.backward() for the input).")
    graph.notes.append(f"{what} {verb} in this pass{so}: {how}")


def _differs(then, now):
    """Whether the array `now` no longer holds what the snapshot `then` took (its shape, or
    its first SNAPSHOT_ITEMS elements: a change past them goes unseen)."""
    if then is None or then.head is None or now is None:
        return False
    now = light_snapshot(now)
    if now is None or now.head is None or now.shape != then.shape:
        return now is not None and now.shape != then.shape
    try:
        n = min(now.head.size, then.head.size)
        a, b = now.head.reshape(-1)[:n], then.head.reshape(-1)[:n]
        return not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc")
    except Exception:  # noqa: BLE001 - an odd dtype cannot be compared: no change is claimed
        return False


def show_values_used(graph, used, leaves, items):
    """A leaf changed after the last backward pass used it (`x.data -= lr *
    x.grad`, steps 28-29): the node shows the value the pass used, as its
    grad and the values made from it are that pass's, and a note says what it
    is now, as for dezero's classes. `used`: Pass.used; `leaves`: (node, the
    student's variable, whether every drawn function it went into ran its
    backward in the pass: a newer forward from the new value is drawn as it is)."""
    changed = []
    for node, v, all_ran in leaves:
        ref, then = used.get(id(v), (None, None))
        if not all_ran or then is None or (ref is not None and ref() is not v):
            continue
        now = data_of(attr_of(v, "data"))
        if _differs(then, now):
            node.value = format_snapshot(then, items)
            changed.append(f"{label_of(graph, node.id)} is now {format_snapshot(snapshot(now))}")
    if changed:
        graph.notes.append("Values shown are those your last backward pass used; some changed after it (an "
                           f"optimizer step, say): {listed(changed)}.")


def mark_freed(graph, read, finished, variables):
    """Intermediate variables that got a grad in the pass and hold none now.
    With a Variable.backward that takes retain_grad (step 18) they are drawn
    as freed; without it, a note says their own code set it to None. Not when
    the pass raised before storing the grad (a backward returned it, then the
    loop failed): nothing was freed. `variables`: node id -> the variable."""
    had = set(read.received).union(*(s.gys for s in graph.steps)) if graph.steps else set()
    cleared, takes = [], {}
    for key in sorted(had, key=lambda k: int(k[1:]) if k[1:].isdigit() else 0):
        node = graph.variables.get(key)
        if node is None or node.grad is not None or node.leaf or not node.alive or key not in variables:
            continue
        if not finished and read.taken.get(key) is None:
            continue  # (its creator's backward was never given it: it may never have been stored)
        cls = type(variables[key])
        if cls not in takes:
            takes[cls] = takes_retain_grad(cls)
        if takes[cls]:
            node.grad_freed = True
        else:
            cleared.append(key)
    if cleared:
        names = listed(label_of(graph, k) for k in cleared)
        one = len(cleared) == 1
        graph.notes.append(
            f"{names} got {'its' if one else 'their'} grad in this backward pass, but {'its' if one else 'their'} "
            f".grad is None now: your code set it back to None after the pass stored it (your Variable.backward "
            "has no retain_grad argument, so it is not book step 18's freeing of intermediate grads).")


def note_loop_raised(graph, calls, read, error=None):
    """The student's Variable.backward itself raised (not a Function's
    backward: note_raised tells that) after the last backward step returned,
    so the grads that step returned were never stored (step 13's `gxs =
    (gx,)` typo raises UnboundLocalError there). Not for a pass whose
    recording stopped near the recursion limit: it went on after its last
    recorded step, and what raised was the recursion. `error`: the cell's;
    a KeyboardInterrupt is the user's Interrupt, told as such wherever it
    landed (it read "Your Variable.backward raised", QA S22-3)."""
    if getattr(calls, "start", None) is None or calls.finished or getattr(calls, "recursed", False):
        return
    if isinstance(error, KeyboardInterrupt):
        graph.notes.append(_interrupted(graph, calls, read))
        return
    if read.raised is not None or not read.steps:
        return
    last = read.steps[-1]
    func = graph.functions.get(last.func)
    if func is None:
        return
    given = listed(label_of(graph, v) for v in last.gxs)
    lost = f"the grads it returned (for {given}) were never stored" if given else "the pass stopped there"
    graph.notes.append(f"Your Variable.backward raised after the backward of {_which(graph, func)} returned, so {lost} "
                       "and the steps after it never ran (the traceback shows the line).")


def _interrupted(graph, calls, read):
    """The note on a backward pass the user interrupted: after how many steps
    (`calls.counts`: all of the pass's, also those past the ones kept), and the
    function the queue kept getting back, when one did (`f = Square(); f(f(x))`:
    f's input was made by f, so the book's loop appends f again at every step)."""
    counts = getattr(calls, "counts", None) or {}
    steps = sum(counts.values()) or len(read.steps)
    note = (f"The backward pass was interrupted after {steps:,} backward step{'' if steps == 1 else 's'} "
            "(Interrupt or Ctrl-C): your code raised nothing; the grads shown are those stored until then.")
    ran = {}
    for step in read.steps:
        ran[step.func] = ran.get(step.func, 0) + 1
    again = [fid for fid, n in sorted(ran.items(), key=lambda kv: -kv[1]) if n >= REPEATS and fid in graph.functions]
    if again:
        note += (f" The list of functions to run (funcs) kept getting {listed(_which(graph, graph.functions[f]) for f in again[:2])} "
                 f"back{_times(again, ran, steps, counts, len(read.steps))}.")
    return note


def _times(again, ran, steps, counts, kept):
    """How often the one function repeated ran: exact when every step was kept, or when it is
    the only function of the pass; else within the steps kept ('' for two functions)."""
    if len(again) != 1:
        return ""
    if kept == steps or len(counts) == 1:
        return f" (its backward ran {steps if kept != steps else ran[again[0]]:,} times)"
    return f" ({ran[again[0]]:,} of the last {kept:,} steps)"


# A function's backward runs once in a pass of the book's loop (twice at most with step 15's
# early pop); this many times in the steps kept means the queue keeps getting it back.
REPEATS = 3
