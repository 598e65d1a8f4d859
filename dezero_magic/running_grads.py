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
