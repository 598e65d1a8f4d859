"""The grads each backward pass without create_graph left on the leaves:
a mixin of `dezero_magic.tracer.Tracer` (its state, `grads_made`, is set
up by `Tracer.__init__`; `Tracer.on_backward_end` calls `_note_grads_made`).

Such a grad has no creator: a backward started from it later
(`gx = x.grad; x.cleargrad(); gx.backward()`) runs no step, and the note
on that pass (`tracer_notes.creatorless_pass_note`) can then say that the
output is a grad and which backward made it, instead of listing every way
a variable comes to have no creator. Only identities are kept (weak
references, dropped with the grads), read once a pass ends.
"""
import weakref


class PassGrads:
    """Knows `grads_made`: id(grad) -> (weakref to the grad, vid of the
    variable it was the grad of, vids the pass started from)."""

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
