"""The tracer: an `dezero.events.Observer` that records one cell's forward
calls and backward steps as small summaries.

What it keeps (bounded memory, so a 300-epoch training cell does not keep
300 graphs):

* forward calls until a backward pass ends; when one ends, only the calls
  that pass popped and the calls made since it began are kept, the rest
  are counted as elided;
* without backward, a window of the last `keep` forward calls (older ones
  are counted as elided; lists are cut in batches, so they hold at most
  4 * `keep` calls between cuts and `kept_calls()` gives the last `keep`);
  after a backward, the last pass's graph is never cut to make room for
  the calls made after it (an evaluation: up to `keep` of those are kept);
* the steps of the last backward pass only (earlier passes are counted in
  `elided_steps`), and of that pass the first `max_steps` (default `keep`)
  steps: those nearest the output, where the drawn nodes are. `%%dezero`
  asks for 4 x its --max-nodes (at least 1,000) calls and steps: it draws
  at most --max-nodes nodes of the most recent calls, and the stepper
  shows the steps of drawn functions only.

So the tracer keeps "the graph of the last backward pass and what was
computed after it began" (with the graph a create_graph pass differentiated
by it), or "the last `keep` forward calls" in a cell without backward; the
assembly draws the calls up to the pass's end (`BackwardPass.end_order`)
and counts the later ones (an evaluation) in a note.

Raw calls: a forward call is only noted when it runs and resolved into a
record later, for the window shown (`dezero_magic.raw_calls`).

Identity: variables are known by their weakref token and numbered (vids)
in `dezero_magic.variables`. Functions need no token: a popped function is
alive, so its `id()` is still the one recorded at its forward call.
(Function keys are `id() >> 4`: addresses are 16-byte aligned.)

Records. A resolved call is ONE flat tuple of atoms (ints, strs, bytes,
numpy dtypes; layouts in `dezero_magic.records`): CPython's cyclic GC
untracks such tuples when it first sees them, so a long cell does not make
the collector walk millions of records.

The collector: `%%dezero` paces it once a cell has made thousands of
calls (`on_long_cell`), see `dezero_magic.gcpace`. Threads: only the one that made the tracer (the
cell's) is heard; `foreign_events` counts the others' calls and passes.

What is summarised when. At record time a value becomes `preview.summarise`'s
tuple (shape, dtype, the first 16 elements as bytes, size): it keeps no
array alive and does not change when the user's objects change or die.
Everything else is read when the graph is assembled, for drawn nodes only:
labels, final grads, whether a variable is still alive, bytes a function
keeps, and max |x| / NaN-Inf of large arrays (measured on the live array,
or on the recorded head once the array is gone).

Forward calls that the backward engine makes inside `Function.backward`
(grads computed with Variables while create_graph=False) are not part of
any graph; dezero does not even report them to the tracer
(`Observer.forward_calls_in_backward`).
"""
import operator
import threading
import weakref

from dezero.events import Observer, pass_collects_elsewhere
from dezero_magic.preview import summarise
from dezero_magic.call_window import CallWindow
from dezero_magic.carried import holds_more_than
from dezero_magic.naming import names_at_backward
from dezero_magic.pass_grads import PassGrads, differentiates
from dezero_magic.raw_calls import RawCalls
from dezero_magic.records import (GENERATION, KEY, N_IN, N_OUT, NO_GRAD, ORDER, S_PENDING, VIDS, BackwardPass,
                                  array_of, call_outputs, call_summaries)
from dezero_magic.variables import Variables

_order = operator.itemgetter(ORDER)


class Tracer(RawCalls, CallWindow, PassGrads, Observer):
    """Records a cell's dezero computation; see the module docstring."""

    def __init__(self, keep=5000, pending_limit=12, max_steps=None):
        if keep < 1:
            raise ValueError(f"Tracer(keep={keep!r}): keep must be at least 1 (calls to remember)")
        if max_steps is not None and max_steps < 1:
            raise ValueError(f"Tracer(max_steps={max_steps!r}): give at least 1 step to record, "
                             "or None for `keep`")
        self.keep = keep
        self._trim_at = 4 * keep
        self.max_steps = keep if max_steps is None else max_steps
        self.pending_limit = pending_limit
        self.calls = []           # call records, in forward order (a window, see _trim)
        self._limbo = []          # dropped call records whose variables are not forgotten yet
        self._limbo_orders = set()  # their ORDERs
        self._fmap = {}           # id(function) >> 4 -> its call record
        self._raw = []            # forward calls not yet resolved into records (see _flush)
        self._edge = []           # the raw calls dropped last, for the values at the window's edge
        self._edge_index = None   # id(output token) -> raw call of _edge, built on demand
        self.variables = Variables()
        self.order = 0
        self._earlier = 0         # records made in backward for calls made earlier (orders -1, -2, ...)
        self.forward_calls = 0
        self.elided_steps = 0
        self.backward_passes = 0
        self.last_pass = None
        self._passes = []         # passes in progress (a backward inside a backward is legal)
        self._skip = False        # inside a pass that records no graph: forward calls are internal
        self.last_output = None   # vid of the last forward call's last output
        self.error = None
        # The cell's own thread: another thread's training loop is not this cell's graph.
        self.thread = threading.get_ident()
        self.foreign_events = 0   # forward calls and passes of other threads, left out
        self.on_long_cell = None  # called (often) once the cell has made thousands of calls
        self.grads_made = {}      # grads passes left on leaves (pass_grads)
        self.seeds_of = {}        # seed vid -> output vid, of create_graph passes (pass_grads)
        self.unloaded = False     # %unload_ext dezero_magic ran in the cell (set by unload_ipython_extension)
        # (namespace, names the cell's code binds at its top level), set by cellrun: read at each
        # backward's begin (`_names_now`); None: no names noted
        self.cell_names = None
        self._leaves_from = 0     # vids below it were looked at by an earlier pass's _names_now

    # -- records ------------------------------------------------------
    def _call_of(self, function):
        """The record of a function met in backward; one made before the
        cell (or dropped from the window) gets a record from its attributes."""
        call = self._fmap.get(id(function) >> 4)
        if call is not None:
            return call
        vid_of = self.variables.vid_of
        ins = [vid_of(x) for x in getattr(function, "inputs", ())]
        outs = []
        for r in getattr(function, "outputs", ()):
            y = r() if isinstance(r, weakref.ref) else r
            if y is not None:
                outs.append(vid_of(y))
        # Called before what the tracer kept, so it sorts first: negative
        # orders, which nothing else uses (the drawn calls are the most
        # recent ones, and it is not).
        self._earlier += 1
        # Its outputs were recorded as first seen: no summaries in the call.
        call = (-self._earlier, type(function).__name__, getattr(function, "generation", 0), False,
                id(function) >> 4, len(ins), len(outs), *ins, *outs)
        self.calls.insert(0, call)
        self._fmap[call[KEY]] = call
        return call

    def _append(self, call):
        self.calls.append(call)
        self._fmap[call[KEY]] = call
        if len(self.calls) >= self._trim_at:
            self._trim()

    # -- events -------------------------------------------------------
    def _forward_general(self, function, inputs, outputs, vids):
        """on_forward for several outputs or a call under no_grad."""
        variables = self.variables
        n_in = len(vids)
        no_grad = getattr(function, "inputs", None) is not inputs
        if no_grad:
            # dezero made no graph: the generation follows the inputs'.
            vgen = variables.generation
            gen = max([vgen.get(v, x.generation) for v, x in zip(vids, inputs)], default=0)
        else:
            gen = function.generation
        summaries = []
        for y in outputs:
            vid = self.last_output = variables.new(weakref.ref(y))
            summaries += summarise(y.data)
            if no_grad:
                variables.generation[vid] = gen + 1
            vids.append(vid)
        order = self.order
        self.order = order + 1
        self._append((order, type(function).__name__, gen, no_grad, id(function) >> 4, n_in,
                      len(vids) - n_in, *vids, *summaries))

    def on_backward_begin(self, outputs, retain_grad, create_graph):
        if threading.get_ident() != self.thread:
            self.foreign_events += 1
            return
        self._flush()
        self._forget_limbo()
        self.backward_passes += 1
        vids = tuple(map(self.variables.vid_of, outputs))
        seeds = {}
        for vid, y in zip(vids, outputs):
            g = getattr(y, "grad", None)
            if g is not None:
                seeds[vid] = summarise(array_of(g))
        if create_graph:
            self._note_seeds(outputs, vids)
        bpass = BackwardPass(vids, seeds, retain_grad, create_graph, self.order)
        bpass.collects = pass_collects_elsewhere()
        bpass.calls_at_begin = self.forward_calls
        self._passes.append(bpass)
        self._skip = not create_graph
        if self.cell_names is not None:
            bpass.names = self._names_now()

    def _names_now(self):
        """`naming.names_at_backward` for this pass; the leaves looked at are
        those met since the previous pass began."""
        first_seen = self.variables.first_seen  # (in vid order: the newest leaves last)
        since, self._leaves_from = self._leaves_from, next(reversed(first_seen), -1) + 1
        try:
            return names_at_backward(*self.cell_names, self.variables, since)
        except Exception:  # noqa: BLE001 - a user's object we cannot read: labels only, the pass is recorded
            return {}

    def on_backward_step(self, function, gys, gxs, pending):
        if threading.get_ident() != self.thread:
            return False  # (another thread's pass: not heard again)
        bpass = self._passes[-1]
        steps = bpass.steps
        if len(steps) >= self.max_steps:
            # Later steps (farther from the output) are not heard at all (the
            # engine counts them, see on_backward_end), so a huge backward
            # costs little more than the backward itself.
            return False
        fmap = self._fmap
        call = fmap.get(id(function) >> 4) or self._call_of(function)
        order = call[0]
        bpass.funcs.add(order)
        received = bpass.received
        n_in = call[N_IN]
        # An output grad is the last total an earlier step (or the seed)
        # gave it; only one nobody gave (a dropped output: zeros) is kept.
        given = ()
        for vid, gy in zip(call[VIDS + n_in:VIDS + n_in + call[N_OUT]], gys):
            if vid not in received and vid not in bpass.seeds:
                given += (vid,) + summarise(array_of(gy))
        out = acc = ()
        for i in range(min(n_in, len(gxs))):
            gx = gxs[i]
            if gx is None:
                continue
            vid = call[VIDS + i]
            snap = summarise(array_of(gx))
            out += (vid, *snap)
            x = function.inputs[i]
            if getattr(x, "creator", 0) is None and self.variables.made_with_creator(vid):
                bpass.cut.add(vid)  # made by a call, creator gone (unchain_backward): a leaf of this pass
            # (dezero.grad keeps its sums apart: .grad is not this pass's)
            total = None if bpass.collects else getattr(x, "grad", None)
            if vid in received:
                acc += (vid, *(summarise(array_of(total)) if total is not None else snap))
            else:
                received.add(vid)
                if total is not None and total is not gx and (
                        call[VIDS:VIDS + n_in].count(vid) == 1 or holds_more_than(
                            total, [g for j, g in enumerate(gxs[:n_in]) if call[VIDS + j] == vid])):
                    # A grad kept from an earlier backward (not cleared): this one was added to
                    # it. (x * x: x.grad is the sum of the two uses' grads, unless it held one.)
                    bpass.carried.add(vid)
                    acc += (vid, *summarise(array_of(total)))
        n = len(pending)
        queued = ()
        if n:
            # self._fmap, not `fmap`: _call_of may trim, which rebuilds it.
            queued = tuple([(self._fmap.get(id(f) >> 4) or self._call_of(f))[0]
                            for f in pending.ordered(self.pending_limit)])
        steps.append((order, n, queued, out, acc, given))
        return len(steps) < self.max_steps

    def on_backward_end(self, outputs, steps, completed):
        if threading.get_ident() != self.thread or not self._passes:
            return  # (another thread's pass, or one whose begin a Ctrl-C kept from being heard)
        self._end_pass(steps, completed)
        self._note_grads_made(self.last_pass)

    def _end_pass(self, steps, completed):
        bpass = self._passes.pop()
        bpass.completed = completed
        recorded = len(bpass.steps)
        unheard = max(0, steps - recorded)
        if not completed and unheard and recorded < self.max_steps:
            # The engine counted the step whose backward raised; it is not a
            # step left unrecorded, it is where the pass stopped.
            unheard -= 1
            bpass.failed_at = self._failed_call(bpass)
        bpass.elided_steps = unheard
        self._skip = bool(self._passes) and not self._passes[-1].create_graph
        previous = self.last_pass
        if previous is not None:
            self.elided_steps += len(previous.steps) + previous.elided_steps
            if completed and not (bpass.create_graph or previous.create_graph) and bpass.outputs != previous.outputs:
                # Steps through functions the previous pass popped too: the graph was never cut (an RNN
                # loop without unchain_backward, a loss summed over iterations), see tracer_notes. Two
                # outputs of one x, each with its backward, share no function; a backward from the same
                # y again (to see grads add up, step 14) is no iteration: nothing to unchain.
                again = len(bpass.funcs & previous.funcs)
                bpass.reached_back = again + unheard if again else 0
        self.last_pass = bpass
        if bpass.create_graph:
            self._flush()  # the grads' graph it made gets its orders now
            if completed:
                bpass.leaf_grads = self._leaf_grads(bpass)
        bpass.end_order = self.order  # (a pass without create_graph noted no calls: nothing to flush)
        bpass.calls_at_end = self.forward_calls
        if not bpass.steps or not completed:
            # The pass raised (or popped nothing): keep every record, the
            # functions it never reached are still part of the graph shown.
            return
        if differentiates(bpass, previous):
            bpass.differentiates = previous.differentiates + 1
            bpass.differentiated = previous.outputs
            bpass.differentiated_grads = previous.leaf_grads
            bpass.chain_collects = bpass.collects or previous.collects or previous.chain_collects
            # A higher-order derivative (steps 33-36): this pass ran through
            # the graph the previous pass made, whose own graph (y's) is the
            # other half of the picture; nothing is dropped.
            return
        funcs, start = bpass.funcs, bpass.start_order
        calls = self.calls
        if self._limbo and not funcs.isdisjoint(self._limbo_orders):
            # An earlier pass dropped calls this one popped: they are back.
            calls = sorted(calls + [c for c in self._limbo if c[ORDER] in funcs], key=_order)
            self._limbo = [c for c in self._limbo if c[ORDER] not in funcs]
            self._limbo_orders.difference_update(funcs)
        kept, dropped = [], []
        for c in calls:
            (kept if c[ORDER] >= start or c[ORDER] in funcs else dropped).append(c)
        self.calls = kept
        if dropped:
            # Forgotten in batches, and only when the cell goes on computing
            # (on_backward_begin, _trim): a training loop drops a few calls a
            # pass, and a cell that ends here needs no forgetting at all.
            self._limbo.extend(dropped)
            self._limbo_orders.update([c[ORDER] for c in dropped])

    def _failed_call(self, bpass):
        """ORDER of the call whose backward raised: the first one queued at
        the last recorded step, or the creator of the pass's output."""
        if bpass.steps:
            queued = bpass.steps[-1][S_PENDING]
            return queued[0] if queued else None
        outputs = set(bpass.outputs)
        for call in reversed(self.calls):
            if outputs.intersection(call_outputs(call)):
                return call[ORDER]
        return None

    def _forget_limbo(self):
        if len(self._limbo) > 256 + len(self.calls):
            self._long_cell()
            self._forget(self._limbo)
            self._limbo = []
            self._limbo_orders = set()

    def on_error(self, exc):
        self.error = exc

    # -- results ------------------------------------------------------
    def kept_calls(self):
        """The call records the graph is built from, in forward order (`_window`)."""
        self._flush()
        return self._window()[0]

    def var_info(self, vid, call=None):
        """(summary, generation, has_creator, name) of `vid`, from `call`
        when it produced it, else from its first sight; None if unknown."""
        if call is not None:
            summaries = call_summaries(call)
            if vid in summaries:
                return (summaries[vid], self.variables.generation.get(vid, call[GENERATION] + 1),
                        not call[NO_GRAD], None)
        # (a leaf used again after the drawn pass: the value its forward used)
        info = self.variables.drawn_sight(vid, self._shown_end()) or self.variables.first_seen.get(vid)
        if info is None:
            if call is None:
                # Made by a call that is not drawn (a pass output, say).
                # Kept calls first (the producer of a drawn input lies just
                # before the drawn ones), then the dropped ones; no copies:
                # after a long pass the dropped ones may be 100,000 records.
                for calls in (self.calls, self._limbo):
                    for c in reversed(calls):
                        if vid in call_outputs(c):
                            return self.var_info(vid, c)
            return None
        return info[:4], info[4], info[5], info[6]

    def recorded_variables(self):
        """How many variables the tracer holds records of (its memory bound)."""
        self._flush()
        return len(self.variables)

    @property
    def saw_backward(self):
        return self.backward_passes > 0

    def unfinished_pass(self):
        """A backward pass that raised before `on_backward_end` (None if none)."""
        return self._passes[-1] if self._passes else None

