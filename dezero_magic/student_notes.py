"""What the graph of students' own classes tells about their code, as notes:
step 14 (a grad left from an earlier backward, or overwritten instead of
added) and step 15 (a function popped before its output's grad was
complete). Read from the steps `backward_watch` recorded and the live grads.
"""
import inspect

import numpy as np

from dezero_magic.grad_origin import list_returned
from dezero_magic.naming import attr_of
from dezero_magic.preview import Snapshot, format_number, format_snapshot


def note_early_pop(graph, steps, totals=None):
    """Step 15's bug, told: a function ran its backward before every function
    that uses its output had given that output its grad (a plain list pops in
    the wrong order: D, C, A, B, A), so the grads it passed back are wrong.
    `totals`: function id -> how many times its backward ran in the whole
    pass (the steps kept may be only some of them)."""
    first = {}
    for step in steps:
        first.setdefault(step.func, step.index)
    users = {}
    for f in graph.functions.values():
        for v in f.inputs:
            users.setdefault(v, []).append(f)
    for step in steps:
        func = graph.functions.get(step.func)
        if func is None:
            continue
        for out in func.outputs:
            late = [u for u in users.get(out, ()) if first.get(u.id, -1) > step.index]
            if not late:
                continue
            name = label_of(graph, out)
            user = late[0]
            made = ", ".join(label_of(graph, v) for v in user.outputs)
            repeats = max(sum(1 for s in steps if s.func == step.func), (totals or {}).get(step.func, 0))
            again = f" (it ran {repeats:,} times)" if repeats > 1 else ""
            graph.notes.append(
                f"The {func.title} that made {name} ran its backward{again} before the {user.title} that uses "
                f"{name} (making {made}) had given {name} its grad, so {name}'s grad was incomplete and "
                "the grads passed back from there are wrong. Book step 16 fixes "
                "it: with generations, a function waits until every user of its output has run.")
            return


def label_of(graph, vid):
    node = graph.variables.get(vid)
    return (node.label if node is not None else "") or vid


SHOWN = 6  # values a note lists; the rest are counted, so a note stays a line


def listed(texts):
    """`a, b, c`, or the first SHOWN and `… and N more`."""
    texts = list(texts)
    more = len(texts) - SHOWN
    return ", ".join(texts[:SHOWN]) + (f", … and {more} more" if more > 0 else "")


def _values(snaps):
    """The snapshots' numbers, flat and at full precision, cut to the length
    all of them carry (the whole array up to SNAPSHOT_ITEMS elements, else
    its first ones); None when they cannot be compared."""
    if any(s is None or s.head is None or s.head.dtype.kind not in "iufc" or s.shape != snaps[0].shape
           for s in snaps):
        return None
    n = min(s.head.size for s in snaps)
    return [s.head.reshape(-1)[:n] for s in snaps]


def _is_sum(total, terms):
    """Whether `total` is the sum of `terms` but for floating-point rounding,
    which can reach a few ulps of the terms' magnitudes per addition (1e-6
    at least: a float32 step in float64 code); None when a NaN or Inf makes
    it untellable."""
    eps = max((np.finfo(t.dtype).eps for t in [total, *terms] if t.dtype.kind in "fc"), default=0.0)
    expected = sum(t.astype(complex if t.dtype.kind == "c" else float) for t in terms)
    if not (np.all(np.isfinite(expected)) and np.all(np.isfinite(total))):
        return None
    scale = sum(np.abs(t) for t in terms) + np.abs(total)
    return bool(np.all(np.abs(total - expected) <= max(1e-6, 4 * len(terms) * eps) * scale))


def _texts(final, total, like):
    """x.grad and the sum as previews, or with 12 digits where the previews'
    4 would read alike though the values differ."""
    texts = [format_snapshot(Snapshot(like.shape, v.dtype, 0, v, like.size)) for v in (final, total)]
    if texts[0] == texts[1]:
        texts = [listed(format_number(x, 12) for x in v.tolist()) for v in (final, total)]
    return texts


def note_sums(graph, received, held, finals, popped=None, kept=(), shared=None, adds_in_place=False,
              single_told=True):
    """Step 14, told from the numbers: the grads that reached a variable
    against its final grad (full precision, not the rounded text on the node):
    a grad left from an earlier backward (no cleargrad), a later grad that
    overwrote an earlier one (`x.grad = gx`), or an array added into in place.
    Several leftovers make one note: backward ran again on a graph whose
    grads nobody cleared. `finals`: key -> (its grad, whether that is the
    grad its creator's backward took, retain_grad=False having freed it
    since); `held`: key -> the grad it held before the pass; `popped`: key ->
    how many grads it had received when its creator's backward ran; `kept`:
    keys whose grad was still there when the next grad came after that;
    `shared`: key -> the variable whose grad array, changed in place during
    the pass, is its grad too; `adds_in_place`: the loop has a `+=`."""
    leftovers, stored = [], []
    for key, snaps in received.items():
        node, before = graph.variables.get(key), held.get(key)
        final, taken = finals.get(key, (None, False))
        # One grad and nothing held: told only when it is not what the step returned (`gxs = (gx,)`
        # passing a stale gx on), of a whole cell, and not an array changed in place (told apart)
        single = len(snaps) < 2 and before is None
        # (`single_told` False: the cell's own code wrote a grad after the pass, `x.grad = x.grad / 2`)
        if node is None or final is None or (single and (not (graph.complete and single_told)
                                                         or key in (shared or {}))):
            continue
        values = _values([final, *snaps])
        if values is None or _is_sum(values[0], values[1:]) is not False:
            continue
        early = (popped or {}).get(key)
        if early and key not in kept and _is_sum(values[0], values[1 + early:]):
            # Its creator ran before the last grads came (the early-pop note
            # says so) and their retain_grad=False freed what it had: no overwrite.
            continue
        values, terms = values[0], values[1:]
        earlier = _values([final, before]) if before is not None else None
        name = node.label or key
        grad, total = _texts(values, sum(terms), final)
        now = f"was {grad} when its creator's backward took it" if taken else f"is {grad}"
        note = (f"{name} received {len(snaps)} grad{'s' if len(snaps) > 1 else ''} "
                f"({listed(format_snapshot(s) for s in snaps)}) but {name}.grad {now}, ")
        if earlier is not None and _is_sum(values, terms + earlier[1:]):
            node.grad_carried = True  # (the Gradients check then does not compare it)
            node.grad_held = format_snapshot(before)
            show_carried(graph.steps, key, node.grad_held)
            note += (f"their sum {total} plus what it held before: {name}.grad already held "
                     f"{format_snapshot(before)} from an earlier backward; call {name}.cleargrad() "
                     "before backward (step 14).")
            leftovers.append((name, note))
            continue
        elif (shared or {}).get(key):
            by = "your `+=` added into it" if adds_in_place else "it was changed"
            note += (f"not their sum {total}: {name}.grad is the very array that was {shared[key]}'s grad, and "
                     f"{by} in place (see the note on {shared[key]}); write x.grad = x.grad + gx (step 14).")
        elif _is_sum(values, terms[-1:]):
            node.grad_overwritten = True  # the stepper then shows what their code kept
            note += (f"not their sum {total}: a later grad overwrote an earlier one "
                     "(step 14: add them, x.grad = x.grad + gx).")
        elif single:
            stored.append((key, total, grad, now))
            continue
        else:
            note += f"not their sum {total}."
            show_stored(graph.steps, key, node.grad or grad)
        graph.notes.append(note)
    note_stored(graph, stored)
    if len(leftovers) == 1:
        graph.notes.append(leftovers[0][1])
    elif leftovers:
        names = listed(name for name, _ in leftovers)
        graph.notes.append(
            f"The grads of {names} each hold this backward's grads added to what they held before: "
            "backward ran again on a graph whose grads nobody cleared (twice on the same y, say). Call "
            "cleargrad() on the variables before backward (step 14), or make the graph anew.")


def show_carried(steps, key, held):
    """The stepper starts a grad left from an earlier backward (`held`, its
    text) from there: the first step that gives `key` a grad shows it added."""
    for step in steps:
        if key in step.gxs:
            step.totals[key] = f"{held} + {step.gxs[key]}"
            return


def show_stored(steps, key, text):
    """The stepper shows what the student's loop stored (`text`) after the
    last step that gives `key` a grad, not the grads the backwards returned."""
    for step in reversed(steps):
        if key in step.gxs:
            step.totals[key] = text
            return


def note_stored(graph, stored):
    """Variables that got one grad in the pass, and whose .grad is another:
    the student's Variable.backward stored something else than that step's
    backward returned. When what it stored is the gx the loop held after the
    step before, it is step 12's `gxs = (gx,)` typo, which raises only when
    no gx was bound yet. `stored`: (key, what the step returned, what .grad
    is, and that said as "is 1" or "was 1 when ...")."""
    told, stale = [], False
    at = {key: i for i, step in enumerate(graph.steps) for key in step.gxs}
    for key, returned, grad, now in sorted(stored, key=lambda item: at.get(item[0], -1)):
        i, node = at.get(key), graph.variables[key]
        if i is None:
            continue
        step = graph.steps[i]
        text = node.grad or grad
        show_stored(graph.steps, key, text)
        name = node.label or key
        told.append(f"{graph.functions[step.func].op}.backward returned {returned} for {name}, "
                    f"but {name}.grad {now}")
        stale = stale or (i > 0 and _loop_gx(graph.steps[i - 1]) == text)
    if not told:
        return
    graph.stored_otherwise = True  # (the Gradients tab's verdict then points here, not at steps 14/16)
    more = f"; … and {len(told) - SHOWN} more" if len(told) > SHOWN else ""
    note = f"Your Variable.backward stored other grads than the backwards returned: {'; '.join(told[:SHOWN])}{more}."
    if stale:
        note += (" Each holds the gx of the step before: `gxs = (gx,)` passes on the gx of an earlier step? "
                 "Write `gxs = (gxs,)` (book step 12).")
    else:
        note += " Store the grad each backward returned for its input (book step 13: x.grad = gx)."
    graph.notes.append(note)


def _loop_gx(step):
    """The text of the gx a student's loop held after `step`: what it stored
    for the last input (a stale gx stays stale), else what its backward returned."""
    if not step.gxs:
        return None
    last = list(step.gxs)[-1]
    return step.totals.get(last) or step.gxs[last].split(" + ")[-1]


def note_grad_counts(graph, miscounted):
    """A backward that returned more or fewer grads than its function has
    inputs (`return gy` for Add's two): zip() in the student's loop pairs
    them silently, so an input got no grad, or a grad was dropped."""
    for fid, (returned, missing, as_list) in miscounted.items():
        func = graph.functions.get(fid)
        if func is None:
            continue
        n_in = len(func.inputs)
        grads = f"{returned} grad{'s' if returned != 1 else ''}"
        if as_list:
            names = listed(label_of(graph, v) for v in missing if v is not None) or "the other inputs"
            first = label_of(graph, func.inputs[0]) if func.inputs else "the first input"
            graph.notes.append(list_returned(func.title, first, names) + ".")
        elif returned < n_in:
            names = listed(label_of(graph, v) for v in missing if v is not None) or "the last inputs"
            graph.notes.append(
                f"{func.title}.backward returned {grads} for its {n_in} inputs, so {names} got none: "
                "return one grad per input, as a tuple (book step 11: `return gy, gy` for Add).")
        else:
            graph.notes.append(
                f"{func.title}.backward returned {grads} for its {n_in} input"
                f"{'s' if n_in != 1 else ''}: the extra ones were dropped; return one grad "
                "per input.")


def note_own_generations(graph, slips):
    """Step 16 half done: a variable's own `generation` is not its creator's
    + 1 (set_creator forgot `self.generation = func.generation + 1`, or
    `output.creator = self` skipped set_creator), so a backward that sorts by
    generation pops in the wrong order. `slips`: (variable id, its generation,
    its creator's own generation + 1). What it should be is the graph's number
    from the links (a function's: the largest of its inputs'; its outputs':
    that + 1; leaves: 0), not its creator's own + 1, as wrong as the variable's
    when the student's numbers are all 0 (it said "y 0 (should be 1)" for a
    y that is 3, QA S22-6); in forward order (the node ids are)."""
    told = []
    for v, own, _ in slips:
        node = graph.variables.get(v)
        if node is not None and own != node.generation:
            told.append((_forward_index(v), v, own, node.generation))
    if not told:
        return
    shown = listed(f"{label_of(graph, v)} {own} (should be {due})" for _, v, own, due in sorted(told))
    graph.notes.append(
        f"Your variables' generation is not their creator's generation + 1: {shown}. "
        "Variable.set_creator must set self.generation = func.generation + 1, and Function.__call__ must "
        "call output.set_creator(self) (book step 16); a backward that sorts by generation pops in the "
        "wrong order otherwise.")


def _forward_index(vid):
    """A variable node id's place in forward order ("v12": 12; the graph numbers them so)."""
    return int(vid[1:]) if vid[1:].isdigit() else float("inf")


def note_reused(graph, orphans):
    """One Function object called twice (`f = Square(); b = f(f(x))`): it
    remembers only its last call, so what an earlier call made hangs loose
    and the backward never reaches that call's input."""
    by_func, own_input = {}, []
    for fid, vid, is_input in orphans:
        (own_input if is_input else by_func.setdefault(fid, [])).append(vid)
    if own_input:
        # `input.set_creator(self)` (step 7 typo): each input names as creator
        # the function it went INTO, and the outputs have none.
        names = listed(label_of(graph, v) for v in own_input)
        graph.notes.append(
            f"The creator of {names} is the function {'they were' if len(own_input) > 1 else 'it was'} "
            "given to as input, not the one that made it: Function.__call__ calls set_creator on its "
            "input. It must be output.set_creator(self) (book step 7); the outputs have no creator "
            "now, so backward from them stops at once.")
    for fid, vids in by_func.items():
        func = graph.functions.get(fid)
        if func is None:
            continue
        made = listed(label_of(graph, v) for v in vids)
        graph.reused.append((func.op, made))  # (what the Gradients and Backward tabs say in its place)
        graph.notes.append(
            f"One {func.op} object ({func.title}) was called more than once: {made} came from an earlier "
            "call, but a Function keeps only its last call's input and output, so the graph (and the "
            f"backward) through that earlier call is lost. Make a new one per call: {func.op}()(x), or a "
            "function like square(x) (book step 9).")


def note_odd_values(graph, pairs, inputs=()):
    """(node, the student's variable) pairs: a value of None made by a
    function (a forward without `return`) and a grad that is a tuple (a
    step-7 backward returning `(gx,)`) are told, with the fix; the node's
    value and grad then read as what they are. `inputs`: (function id, its
    `inputs` attribute), where arrays stored instead of Variables are told."""
    for fid, xs in inputs:
        if isinstance(xs, (list, tuple)) and xs and all(isinstance(x, np.ndarray) for x in xs):
            op = graph.functions[fid].op
            graph.notes.append(f"{op}'s inputs are arrays, not Variables: Function.__call__ stored the data "
                               "(self.inputs = xs) where it must keep the Variables (self.inputs = inputs), "
                               f"so the graph and the backward stop at {op}.")
    empty, tuples = [], []
    for node, v in pairs:
        creator = attr_of(v, "creator")
        if attr_of(v, "data") is None:
            node.value = "None"
            # (dezero's own functions return their arrays: its data was set to None afterwards)
            if creator is not None and not type(creator).__module__.startswith("dezero."):
                empty.append((node.id, type(creator).__name__))
        if isinstance(attr_of(v, "grad"), tuple) and node.grad:
            node.grad = f"tuple {node.grad}"
            tuples.append(node.id)
    for vid, op in empty:
        name = label_of(graph, vid)
        graph.notes.append(f"{name}.data is None: {op}.forward returned None. Did {op}.forward forget "
                           "`return`? (Then every function after it gets None too.)")
    if tuples:
        graph.notes.append(
            f"The grad of {listed(label_of(graph, v) for v in tuples)} is a tuple, not an array: a backward "
            "returned (gx,) where your backward loop stores what it returns as it is. In book step 7 a "
            "backward returns one array (from step 13 on, the loop unpacks a tuple of grads).")


def takes_retain_grad(cls):
    """Whether `cls.backward` (a student's Variable) takes retain_grad (book step 18)."""
    try:
        return "retain_grad" in inspect.signature(cls.backward).parameters
    except Exception:  # noqa: BLE001 - no class, no backward, or no signature: no such argument
        return False
