"""Leaf grads the cell changed after its last backward made them: clipped by
hand (`p.grad.data = np.clip(p.grad.data, -1, 1)`), or changed by an
optimizer hook (WeightDecay, ClipGrad) that optimizer.update() ran.

The Graph tab draws each grad as it is after the cell and the Backward tab
what backward made, so a note says why they differ; the Gradients check does
not compare such a grad with the numerical derivative (a FAIL would blame a
correct backward). Decided once, when the graph is assembled, from the
summaries the tracer already keeps of each step's grads: nothing is added to
its per-step work.
"""
from dezero_magic.preview import data_of, format_snapshot, from_summary, summarise
from dezero_magic.records import S_ACCUMULATED, S_GXS
from dezero_magic.render.text import named

SHOWN = 3   # leaves named in the note


def comparable(tracer, bpass):
    """Whether each leaf's last total recorded in `bpass` is the grad it held when
    the pass ended: the pass finished, without raising (a step that raised may have
    written one input's grad and not been heard: review R2-F6), every step of it was
    recorded (steps past the cap may add more) and it wrote `.grad` (dezero.grad()
    keeps its sums apart)."""
    return bool(bpass is not None and bpass.steps and bpass is tracer.last_pass and tracer.unfinished_pass() is None
                and getattr(bpass, "completed", True) and bpass.failed_at is None
                and not bpass.elided_steps and not bpass.collects)


def _last_totals(bpass, wanted):
    """vid -> the summary of the last grad total `bpass` recorded, for the vids in
    `wanted`: read from the last step back (as `assemble._final_totals` reads
    forward), stopping once each has one (leaves are met near a pass's end)."""
    found, left = {}, set(wanted)
    for step in reversed(bpass.steps):
        if not left:
            break
        for flat in (step[S_ACCUMULATED], step[S_GXS]):  # (the total after an add, else the grad given)
            for i in range(len(flat) - 5, -1, -5):
                if flat[i] in left:
                    left.discard(flat[i])
                    found[flat[i]] = flat[i + 1:i + 5]
    found.update((v, bpass.seeds[v]) for v in left if v in bpass.seeds)
    return found


def mark_regraded(bpass, leaves, items):
    """Set `grad_made` on each (node, vid, grad now) of `leaves` whose grad is not
    the one `bpass` left; those nodes."""
    made = _last_totals(bpass, [v for _, v, _ in leaves])
    marked = []
    for node, vid, grad in leaves:
        node.grad_made = made_text(made.get(vid), grad, items)
        if node.grad_made:
            marked.append(node)
    return marked


def made_text(made, grad, items):
    """The text of `made` (the summary of the grad backward left) when `grad`,
    the grad now, differs from it; '' when it does not or either is missing."""
    if made is None or grad is None or summarise(data_of(grad)) == made:
        return ""
    return format_snapshot(from_summary(made), items)


def regraded_note(nodes):
    """The caption's note on the leaves whose grads the cell changed after its last backward."""
    labels = [node.label or node.id for node in nodes]
    if len(labels) == 1:
        return (f"The cell changed {labels[0]}'s grad after its last backward made it (clipping, or an "
                "optimizer hook such as WeightDecay): the graph shows it as it is now, the Backward tab "
                "what backward made.")
    return (f"The cell changed the grads of {named(labels, SHOWN)} after its last backward made them (clipping, or an "
            "optimizer hook such as WeightDecay): the graph shows them as they are now, the Backward tab "
            "what backward made.")


def regraded_reason(node):
    """Why the Gradients check leaves a changed grad out: it is no longer backward's."""
    whose = f"{node.label}'s grad" if node.label else "its grad"
    then, now = node.grad_made, node.grad
    seen = f"{then} then; {now} now" if then != now else f"{now}; it changed past the digits shown"
    return f"the cell changed {whose} after the backward made it ({seen})"
