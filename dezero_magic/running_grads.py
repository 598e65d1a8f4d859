"""The grad each variable holds as a backward pass goes, step by step, as
preview texts: what the Backward stepper draws on the nodes (and what the
layout sizes the ovals for)."""
import itertools


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
