"""The grad each variable holds as a backward pass goes, step by step, as
preview texts: what the Backward stepper draws on the nodes (and what the
layout sizes the ovals for), and how large each is (what colours them)."""
import itertools
import math
import re

# "(2, 3) [1 2 3 4 …]", "[1 2]": the shape (written where the elements alone hide it), the elements
_ARRAY = re.compile(r"^(?:\([\d, ]*\) )?\[([^\[\]]*?)( …)?\]$")


def _elements(term):
    """([numbers], whole) of one preview text, or None where it is not numbers
    (complex, bools, a student's object's own text)."""
    found = _ARRAY.match(term)
    body, whole = (found.group(1), found.group(2) is None) if found else (term, True)
    try:
        return [float(t) for t in body.split()], whole
    except ValueError:
        return None


def text_absmax(text):
    """(largest finite |element|, exact) of the grad a preview text (or a sum
    of them, " + ") shows: exact is False where an array's text was cut, and
    the number is then the largest of the elements shown. None for no number
    (no text, complex or non-numeric grads, or nothing finite)."""
    if not text:
        return None
    terms = [_elements(t.strip()) for t in text.split(" + ")]
    if not terms or any(t is None or not t[0] for t in terms):
        return None
    longest = max(len(t[0]) for t in terms)
    if any(len(t[0]) not in (1, longest) for t in terms):
        return None    # a sum of arrays cut to different lengths: no element lines up
    sums = [sum(t[0][i] if len(t[0]) > 1 else t[0][0] for t in terms) for i in range(longest)]
    finite = [abs(v) for v in sums if math.isfinite(v)]
    return (max(finite), all(t[1] for t in terms)) if finite else None


def running(steps, seeds=None, overwritten=()):
    """Yield (grads, marked) after each step: grad text per variable, and
    the variables a second grad was added to. The dict and set are updated
    in place. Steps without `totals` (students' classes, whose running grad
    is not recorded) show a sum as 'old + new'; `overwritten`: variables
    whose students' backward kept only the last grad (x.grad = gx)."""
    grads, marked = dict(seeds or {}), set()
    for step in steps:
        grads.update(getattr(step, "gys", None) or {})
        totals = step.totals or {}
        for vid, gx in step.gxs.items():
            if vid in totals:
                grads[vid] = totals[vid]
            elif vid in overwritten:
                grads[vid] = gx.split(" + ")[-1]  # their x.grad = gx kept the last grad only
            elif vid in step.accumulated and vid in grads:
                grads[vid] = f"{grads[vid]} + {gx}"
            else:
                grads[vid] = gx
        marked.update(step.accumulated)
        yield grads, marked


def running_grads(steps, k, seeds=None, overwritten=()):
    """(grads, marked) after the first `k` steps (see `running`)."""
    grads, marked = dict(seeds or {}), set()
    for grads, marked in itertools.islice(running(steps, seeds, overwritten), max(0, k)):
        pass
    return dict(grads), set(marked)


def grad_size(node, text):
    """The largest |element| of the running grad `text` of variable `node`:
    read from the text where it shows every element; else, where it is the
    node's final grad (the last step that gives it one, and after), the final
    grad's, measured on the whole array; else the largest element the text
    shows (a partial sum of a cut array: the Graph tab has no number for it
    either). None: no number to colour by."""
    read = text_absmax(text)
    if read is not None and read[1]:
        return read[0]
    if node is not None and node.grad_absmax is not None and text == node.grad:
        return node.grad_absmax
    return read and read[0]


def grad_sizes(graph, grads):
    """{var id: grad_size} of running grads `grads` (as `running` yields them), those with a size."""
    sizes = {vid: grad_size(graph.variables.get(vid), text) for vid, text in grads.items()}
    return {vid: a for vid, a in sizes.items() if a is not None}


def pass_top(graph, steps, seeds=None, overwritten=()):
    """The largest grad_size any running grad reaches over the whole pass: the
    stepper's one colour scale, so that a grad keeps its colour from step to
    step (QA: notebook 05's step 36, gx's 48 was yellow at step 2, under a key
    of 0-48, and blue at step 6, under 0-192). 0.0 when none has a size."""
    top, seen = 0.0, set()
    for vid, text in (seeds or {}).items():
        top = max(top, grad_size(graph.variables.get(vid), text) or 0.0)
    for step, (grads, _marked) in zip(steps, running(steps, seeds, overwritten)):
        # only what the step changed: the other grads were measured at an earlier step
        for vid in (*(getattr(step, "gys", None) or ()), *step.gxs):
            text = grads.get(vid)
            if (vid, text) not in seen:
                seen.add((vid, text))
                top = max(top, grad_size(graph.variables.get(vid), text) or 0.0)
    return top


def last_receipts(steps, k):
    """The variables step k (1-based) gives their last grad of the pass."""
    later = {v for step in steps[k:] for v in step.gxs}
    return {v for v in steps[k - 1].gxs if v not in later}


def stored_text(node, name, line, gx, grads, stored, last, accumulated):
    """A step's line for a grad where a student's code held other than the
    steps gave: a grad left from an earlier backward (no cleargrad), whose
    sum ends as the stored grad, or a grad their loop stored instead of what
    the backward returned (`stored`: the step's totals). (badge, text) or None."""
    grad = node.grad if node is not None else None
    if node is not None and node.grad_carried:
        held = node.grad_held
        if not held:
            return None
        total = grads.get(node.id, "")
        together = f"{held} (left from before){total[len(held):]}" if total.startswith(held) else total
        end = f" = {grad}" if last and grad is not None else ""
        return "+=", (f"{line} — {name}.grad already held {held} from an earlier backward (no cleargrad): "
                      f"together {together}{end}; call {name}.cleargrad() before backward (step 14)")
    if node is None or node.id not in stored:
        return None
    if node.id in accumulated:
        return "≠", (f"{line} — {name}.grad ends as {stored[node.id]}, not the sum of the grads the backwards "
                     "returned: your Variable.backward stored something else (see the notes)")
    return "≠", (f"{line} — but your Variable.backward stored {stored[node.id]} in {name}.grad, not the "
                 f"{gx} the backward returned (see the notes)")
