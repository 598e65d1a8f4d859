"""The tracer's records: flat tuples of atoms, and how to read them.

A tuple that holds only atoms (ints, strs, bytes, None, numpy dtypes, or
tuples of those) is untracked by CPython's cyclic GC at the first young
collections that see it, so millions of records cost the collector nothing to walk. A
record is therefore ONE flat tuple, never an object with attributes; the
layouts are below and the functions here read them.
"""
import numpy as np

from dezero_magic.preview import data_of

_ndarray = np.ndarray

# A call record: (ORDER, OP, GENERATION, NO_GRAD, KEY, N_IN, N_OUT, then the
# N_IN input vids, the N_OUT output vids, then 4 summary atoms an output:
# shape, dtype, head bytes, size -- see `preview.summarise`; a record made
# in backward for a function the tracer never saw has no summaries).
ORDER, OP, GENERATION, NO_GRAD, KEY, N_IN, N_OUT = range(7)
VIDS = 7
# A raw call (`Tracer.on_forward`, resolved into a call record later):
# (R_N_IN, R_KEY, R_OP, R_GENERATION, R_OUTPUT: dezero's weakref to the
# output, 4 summary atoms of the output from R_SUMMARY, then the N_IN input
# weakrefs from R_TOKENS, then (input index, 4 summary atoms) per leaf input
# the tracer did not know yet: its value as the call used it).
R_N_IN, R_KEY, R_OP, R_GENERATION, R_OUTPUT, R_SUMMARY = range(6)
R_TOKENS = R_SUMMARY + 4
# A step record: (FUNC: the popped call's ORDER, PENDING_TOTAL: the queue's
# length, PENDING: ORDERs of its first functions, then three flat tuples of
# (vid, 4 summary atoms) groups: GXS the input grads, ACCUMULATED the totals
# of inputs whose grad was added to, GYS output grads no earlier step gave
# (a dropped output gets zeros; the others are derived at assembly).
S_FUNC, S_PENDING_TOTAL, S_PENDING, S_GXS, S_ACCUMULATED, S_GYS = range(6)


def call_inputs(call):
    return call[VIDS:VIDS + call[N_IN]]


def call_outputs(call):
    return call[VIDS + call[N_IN]:VIDS + call[N_IN] + call[N_OUT]]


def call_summaries(call):
    """{output vid: summary} of a call record."""
    start = VIDS + call[N_IN] + call[N_OUT]
    if len(call) < start + 4 * call[N_OUT]:
        return {}  # a record built in backward: its outputs are in `first_seen`
    return {v: call[start + 4 * k:start + 4 * k + 4] for k, v in enumerate(call_outputs(call))}


def groups(flat):
    """(vid, summary) pairs of a step's flat (vid, 4 atoms, ...) tuple."""
    return [(flat[i], flat[i + 1:i + 5]) for i in range(0, len(flat), 5)]


def array_of(g):
    """The ndarray inside a grad (a Variable in dezero, an array from students' code)."""
    d = getattr(g, "data", None)
    return d if type(d) is _ndarray else data_of(g)


class BackwardPass:
    """The record of one `backward()` call (one object a pass)."""

    def __init__(self, outputs, seeds, retain_grad, create_graph, start_order):
        self.outputs = outputs        # vids of the variables backward started from
        self.seeds = seeds            # vid -> summary of their grad before the first step
        self.retain_grad = retain_grad
        self.create_graph = create_graph
        self.start_order = start_order
        self.steps = []               # step records
        self.funcs = set()            # ORDERs of the calls this pass popped
        self.received = set()         # vids that got a grad in this pass
        self.carried = set()          # vids whose grad from before the pass was added to (not cleared)
        self.cut = set()              # vids a call made whose creator was gone when the pass reached them
                                      # (unchain_backward): leaves of this pass, which keep their grads
        self.collects = False         # dezero.grad(): .grad is not this pass's, never read
        self.elided_steps = 0
        self.failed_at = None         # ORDER of the call whose backward raised, if known
        self.completed = True         # False: it raised (or was interrupted) before its end
        self.differentiates = 0       # passes in a row, ending with this one, that each ran through the
                                      # grads' graph the pass before made (0: it did not)
        self.differentiated = ()      # when it does: the vids that pass started from (y of y.backward(...))
        self.differentiated_grads = ()  # ... and that pass's leaf_grads
        self.chain_collects = False   # ... and a dezero.grad() pass is one of that chain's
        self.leaf_grads = ()          # a create_graph pass: (leaf vid, vid of the grad it left on the leaf)
        self.end_order = None         # first ORDER after the pass (a create_graph pass's grads' graph lies before)
        self.calls_at_end = 0         # forward calls made in the cell when the pass ended
        self.calls_at_begin = 0       # ... when it began
        self.names = {}               # vid -> the name of the cell's that referred to it when the pass began
        self.reached_back = 0         # steps it took beyond the calls made since the previous pass
                                      # ended: it went on through an earlier iteration's graph
