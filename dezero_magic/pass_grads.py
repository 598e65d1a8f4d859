"""The grads each backward pass without create_graph left on the leaves:
a mixin of `dezero_magic.tracer.Tracer` (its state, `grads_made`, is set
up by `Tracer.__init__`; `Tracer.on_backward_end` calls `_note_grads_made`).

Such a grad has no creator: a backward started from it later
(`gx = x.grad; x.cleargrad(); gx.backward()`) runs no step, and the note
on that pass (`tracer_notes.creatorless_pass_note`) can then say that the
output is a grad and which backward made it, instead of listing every way
a variable comes to have no creator. Only identities are kept (weak
references, dropped with the grads), read once a pass ends.

Also the grads a create_graph pass left on the leaves (`_leaf_grads`), and
whether a later pass differentiated them (`differentiates`,
`first_derivatives`: book steps 33-36); and the seeds of create_graph
passes (`seeds_of`): the ones `y.backward()` puts in `y.grad` are leaves
of the grads' graph, unnamed, and are drawn as `y.grad`.
"""
import weakref


class PassGrads:
    """Knows `grads_made`: id(grad) -> (weakref to the grad, vid of the
    variable it was the grad of, vids the pass started from), and the
    first derivatives of a create_graph pass."""

    SEEDS_KEPT = 1000  # (a loop of create_graph passes: the newest passes' seeds are what is drawn)

    def _note_seeds(self, outputs, vids):
        """seed vid -> vid of its output, for a create_graph pass about to begin
        (dezero has set each output's grad: ones, or the user's seed)."""
        seeds = self.seeds_of
        for y, vid in zip(outputs, vids):
            g = getattr(y, "grad", None)
            if g is not None and hasattr(g, "creator"):   # (a Variable: it may enter the grads' graph)
                seeds[self.variables.vid_of(g)] = vid
        if len(seeds) > self.SEEDS_KEPT:
            for key in list(seeds)[:len(seeds) - self.SEEDS_KEPT // 2]:
                del seeds[key]

    def _note_grads_made(self, bpass):
        if bpass is None or bpass.create_graph or bpass.collects or not bpass.steps:
            return  # (a create_graph pass's grads have creators; dezero.grad leaves .grad alone)
        live, leaves = self.variables.live, self.variables.first_seen
        # Under retain_grad=False only leaves keep a grad: looking up only those keeps a
        # training loop's passes cheap (few leaves, many intermediates).
        wanted = bpass.received if bpass.retain_grad else [v for v in bpass.received if v in leaves]
        for vid in wanted:
            x = live(vid)
            g = getattr(x, "grad", None) if x is not None else None
            if g is not None and getattr(g, "creator", None) is None:
                self._note(g, vid, bpass.outputs)

    def _note(self, grad, vid, outputs):
        made = self.grads_made
        key = id(grad)

        def forget(ref, key=key, made=made):
            if made.get(key, (None,))[0] is ref:
                made.pop(key, None)

        try:
            made[key] = (weakref.ref(grad, forget), vid, tuple(outputs))
        except TypeError:  # (a grad that takes no weak reference: not told)
            pass

    def grad_origin(self, obj):
        """(vid of the variable, vids its pass started from) when `obj` is a
        grad a backward without create_graph left in this cell, else None."""
        entry = self.grads_made.get(id(obj))
        if entry is None or entry[0]() is not obj:
            return None
        return entry[1], entry[2]

    def _leaf_grads(self, bpass):
        """(leaf vid, vid of its grad, whether it was added to a grad held from
        before) for each leaf a create_graph pass left a grad on: the first
        derivatives a later pass may differentiate."""
        live, leaves, out = self.variables.live, self.variables.first_seen, []
        for vid in sorted(v for v in bpass.received if v in leaves):
            g = getattr(live(vid), "grad", None)
            if g is not None:
                out.append((vid, self.variables.vid_of(g), vid in bpass.carried))
        return tuple(out)

    def first_derivatives(self):
        """When the last pass differentiated the grads of one create_graph
        pass (step 33): (weakref to that pass's output y, [(leaf vid, weakref
        to the leaf, the grad's vid, weakref to the grad the pass left on the
        leaf, whether that grad also holds an earlier backward's)]); else None."""
        last = self.last_pass
        if last is None or last.differentiates != 1 or not last.differentiated:
            return None
        token = self.variables.token
        return (token(last.differentiated[0]),
                [(leaf, token(leaf), g, token(g), carried) for leaf, g, carried in last.differentiated_grads])


def differentiates(bpass, previous):
    """Whether `bpass` popped a function that the create_graph pass
    `previous` made (it differentiates that pass's grads)."""
    if previous is None or not previous.create_graph or previous.end_order is None:
        return False
    low, high = previous.start_order, previous.end_order
    return any(low <= order < high for order in bpass.funcs)
