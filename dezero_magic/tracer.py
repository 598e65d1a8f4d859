"""The tracer: an `dezero.events.Observer` that records one cell's forward
calls and backward steps as small summaries.

What it keeps (bounded memory, so a 300-epoch training cell does not keep
300 graphs):

* every forward call until a backward pass ends; when one ends, only the
  functions that pass popped and the calls made since it began are kept,
  the rest are counted in `elided_functions`;
* the steps of the last backward pass only (earlier passes are counted in
  `elided_steps`); at most `keep` forward calls (the oldest go first) and
  the first `keep` steps of a pass (those nearest the output).

So the graph shown is "the graph of the last backward pass and what was
computed after it began", or "every forward call" in a cell without backward.

Records hold ids, names, shapes and `preview.Snapshot`s (tiny copies), plus
weakrefs to the Variables and Functions — nothing keeps a user array alive,
and nothing recorded changes when the user's objects are freed.

Forward calls that the backward engine makes inside `Function.backward`
(grads computed with Variables while create_graph=False) are not part of
any graph; they are only counted (`backward_internal_calls`).
"""
import weakref
from collections import OrderedDict

from dezero.events import Observer
from dezero_magic.preview import data_of as _data_of, snapshot


def _weak(obj):
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


class VarRec:
    __slots__ = ("id", "ref", "snap", "name", "generation", "has_creator")

    def __init__(self, vid, var):
        self.id = vid
        self.ref = _weak(var)
        self.snap = snapshot(getattr(var, "data", None))
        self.name = getattr(var, "name", None)
        self.generation = getattr(var, "generation", 0)
        self.has_creator = getattr(var, "creator", None) is not None


class FuncRec:
    __slots__ = ("id", "ref", "op", "generation", "inputs", "outputs", "order", "no_grad")

    def __init__(self, fid, func, inputs, outputs, order, no_grad):
        self.id = fid
        self.ref = _weak(func)
        self.op = type(func).__name__
        self.inputs = inputs
        self.outputs = outputs
        self.order = order
        self.no_grad = no_grad
        self.generation = 0


class StepRec:
    __slots__ = ("func", "gys", "gxs", "totals", "accumulated", "pending", "pending_total")

    def __init__(self, func):
        self.func = func
        self.gys = {}
        self.gxs = {}
        self.totals = {}
        self.accumulated = []
        self.pending = []
        self.pending_total = 0


class BackwardPass:
    """The record of one `backward()` call."""

    def __init__(self, outputs, output_refs, retain_grad, create_graph, start_order):
        self.outputs = outputs
        self.output_refs = output_refs
        self.retain_grad = retain_grad
        self.create_graph = create_graph
        self.start_order = start_order
        self.steps = []
        self.funcs = set()
        self.received = set()   # var ids that got a grad in this pass
        self.elided_steps = 0
        self.finished = False


class Tracer(Observer):
    """Records a cell's dezero computation; see the module docstring."""

    def __init__(self, keep=5000, pending_limit=12):
        self.keep = keep
        self.pending_limit = pending_limit
        self.vars = {}            # vid -> VarRec
        self.funcs = OrderedDict()  # fid -> FuncRec, in forward order (O(1) drop of the oldest)
        self._vmap = {}           # id(obj) -> VarRec (checked against the weakref)
        self._fmap = {}
        self._next_var = 0
        self._next_func = 0
        self.order = 0
        self.forward_calls = 0
        self.elided_functions = 0
        self.elided_steps = 0
        self.backward_passes = 0
        self.backward_internal_calls = 0
        self.last_pass = None
        self._passes = []         # passes in progress (a backward inside a backward is legal)
        self.last_output_ref = None
        self.error = None
        self._prune_at = 256      # prune var records when they pass this (amortised)

    # -- identity -----------------------------------------------------
    def var_of(self, var):
        rec = self._vmap.get(id(var))
        if rec is not None and rec.ref is not None and rec.ref() is var:
            return rec
        rec = VarRec(f"v{self._next_var}", var)
        self._next_var += 1
        self.vars[rec.id] = rec
        self._vmap[id(var)] = rec
        return rec

    def func_of(self, func):
        """The record of `func`; a function first met in backward (made before
        the cell, or pruned) gets a record built from its attributes."""
        rec = self._fmap.get(id(func))
        if rec is not None and rec.ref is not None and rec.ref() is func:
            if rec.id not in self.funcs:
                self.funcs[rec.id] = rec
            return rec
        inputs = [self.var_of(x).id for x in getattr(func, "inputs", ())]
        outputs = []
        for ref in getattr(func, "outputs", ()):
            y = ref() if isinstance(ref, weakref.ref) else ref
            if y is not None:
                outputs.append(self.var_of(y).id)
        rec = self._new_func(func, inputs, outputs, no_grad=False)
        return rec

    def _new_func(self, func, inputs, outputs, no_grad):
        rec = FuncRec(f"f{self._next_func}", func, inputs, outputs, self.order, no_grad)
        self._next_func += 1
        self.order += 1
        gen = getattr(func, "generation", None)
        if gen is None or no_grad:
            gen = max((self.vars[v].generation for v in inputs), default=0)
        rec.generation = gen
        self.funcs[rec.id] = rec
        self._fmap[id(func)] = rec
        if len(self.funcs) > self.keep:
            self._drop_oldest()
        return rec

    def _drop_oldest(self):
        self.funcs.popitem(last=False)
        self.elided_functions += 1
        if len(self.vars) > self._prune_at:
            self._prune_vars()

    # -- events -------------------------------------------------------
    def on_forward(self, function, inputs, outputs):
        if self._passes and not self._passes[-1].create_graph:
            self.backward_internal_calls += 1
            return
        self.forward_calls += 1
        no_grad = getattr(function, "inputs", None) is not inputs
        in_ids = [self.var_of(x).id for x in inputs]
        out_recs = [self.var_of(y) for y in outputs]
        rec = self._new_func(function, in_ids, [r.id for r in out_recs], no_grad)
        if no_grad:
            for r in out_recs:
                r.generation = rec.generation + 1
        self.last_output_ref = out_recs[-1].ref if out_recs else None

    def on_backward_begin(self, outputs, retain_grad, create_graph):
        self.backward_passes += 1
        recs = [self.var_of(y) for y in outputs]
        self._passes.append(BackwardPass(
            [r.id for r in recs], [r.ref for r in recs], retain_grad, create_graph, self.order))

    def on_backward_step(self, function, gys, gxs, pending):
        bpass = self._passes[-1]
        if len(bpass.steps) >= self.keep:
            # Keep the first steps (nearest the output, where the drawn
            # nodes are); later ones are only counted, so a huge backward
            # costs little more than the backward itself.
            bpass.elided_steps += 1
            return
        frec = self.func_of(function)
        bpass.funcs.add(frec.id)
        step = StepRec(frec.id)
        for vid, gy in zip(frec.outputs, gys):
            step.gys[vid] = snapshot(_data_of(gy))
        for x, gx in zip(getattr(function, "inputs", ()), gxs):
            if gx is None:
                continue
            vid = self.var_of(x).id
            snap = step.gxs[vid] = snapshot(_data_of(gx))
            if vid in bpass.received:
                step.accumulated.append(vid)
                total = getattr(x, "grad", None)  # None when grad() collects into its own store
                step.totals[vid] = snapshot(_data_of(total)) if total is not None else snap
            else:
                bpass.received.add(vid)
                step.totals[vid] = snap
        step.pending_total = len(pending)
        step.pending = [self.func_of(f).id for f in pending.ordered(self.pending_limit)]
        bpass.steps.append(step)

    def on_backward_end(self, outputs):
        bpass = self._passes.pop()
        bpass.finished = True
        if self.last_pass is not None:
            self.elided_steps += len(self.last_pass.steps) + self.last_pass.elided_steps
        self.last_pass = bpass
        if not bpass.steps or bpass.steps[-1].pending_total:
            # The pass raised (or popped nothing): keep every record, the
            # functions it never reached are still part of the graph shown.
            return
        kept = OrderedDict()
        for fid, rec in self.funcs.items():
            if fid in bpass.funcs or rec.order >= bpass.start_order:
                kept[fid] = rec
            else:
                self.elided_functions += 1
        self.funcs = kept
        if len(self.vars) > self._prune_at:
            self._prune_vars()

    def on_error(self, exc):
        self.error = exc

    def _prune_vars(self):
        """Forget variables no kept function refers to (amortised)."""
        used = set()
        for rec in self.funcs.values():
            used.update(rec.inputs)
            used.update(rec.outputs)
        if self.last_pass is not None:
            used.update(self.last_pass.outputs)
        if self._passes:
            used.update(self._passes[-1].outputs)
        self.vars = {vid: r for vid, r in self.vars.items() if vid in used}
        self._vmap = {k: r for k, r in self._vmap.items() if r.id in used}
        live = set(self.funcs)
        self._fmap = {k: r for k, r in self._fmap.items() if r.id in live}
        self._prune_at = 2 * len(self.vars) + 256

    # -- results ------------------------------------------------------
    @property
    def saw_backward(self):
        return self.backward_passes > 0

    def unfinished_pass(self):
        """A backward pass that raised before `on_backward_end` (None if none)."""
        return self._passes[-1] if self._passes else None
