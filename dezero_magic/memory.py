"""What each memory mode of steps 16-18 keeps, COMPUTED from the recorded
graph's array sizes (`VarNode.nbytes`, `grad_nbytes`, `grad_freed`, `alive`,
`FuncNode.kept_nbytes`, `FuncNode.no_grad`); pure, no widgets.

Categories (every array counted once, in one category):

* kept for backward - data arrays that live Functions hold as their inputs
  (`Function.inputs`); some of them may also be held by the user's names;
* data - data arrays of the variables alive after the cell that no live
  Function holds: the user's names (or their lists, models ...) hold them;
* grads - the grad arrays kept on variables after the backward pass. A grad
  that was freed is counted at its variable's size (a grad has its
  variable's shape). Which grads retain_grad=False frees is read from the
  recorded `grad_freed` when the cell ran that way (a variable that
  unchain_backward() cut from its creator keeps its grad, as a leaf does);
  else it is predicted: those of every variable a function made.

Modes: the default (weak references from functions to outputs,
`retain_grad=False`), `retain_grad=True`, `no_grad` (no creators, inputs
not kept) and weakrefs off (the book's step 16 before step 17: functions
hold their outputs strongly, so outputs nobody uses stay in reference
cycles until Python's cyclic garbage collector runs).

Which variables stay alive in another mode is computed from the variables
held outside the graph in the recorded run (alive, and held by no live
function); a variable a function kept *and* a name held is counted as kept
by the function, so under no_grad the "data" figure is a lower bound (said
in the notes). A cell that cannot run to its end under no_grad (step 33's
double backprop; its --modes re-run raised) gets no no_grad figures, but
why (`no_grad_stops`).
"""
import re
from dataclasses import dataclass, field
from typing import List

from dezero_magic.graph import reads_as_code

DEFAULT, RETAIN, NO_GRAD, NO_WEAKREFS = "default", "retain_grad", "no_grad", "no_weakrefs"
MODE_LABELS = {
    DEFAULT: "retain_grad=False (default)",
    RETAIN: "retain_grad=True",
    NO_GRAD: "no_grad",
    NO_WEAKREFS: "no weakrefs (before step 17)",
}
# (key, title): "data" counts only arrays no live Function holds, so its title says so;
# a student read "data 8 B" as the size of every input.
DATA_TITLE = "data held only by your names"
CATEGORIES = (("data", DATA_TITLE), ("grads", "grads"), ("kept", "kept for backward"))


@dataclass
class ModeFigures:
    """Computed figures of one mode; lists hold VarNode ids in graph order."""
    mode: str
    label: str
    data_bytes: int = 0
    grad_bytes: int = 0
    kept_bytes: int = 0
    grads_kept: List[str] = field(default_factory=list)
    grads_freed: List[str] = field(default_factory=list)   # got a grad in backward, dropped after use
    kept_inputs: List[str] = field(default_factory=list)   # held by functions for backward
    released: List[str] = field(default_factory=list)      # not kept in this mode (dead or freed)
    cycle_kept: List[str] = field(default_factory=list)    # weakrefs off: kept by reference cycles
    notes: List[str] = field(default_factory=list)
    cannot_run: str = ""   # why the cell cannot run to its end in this mode (then no figures are shown)

    def bytes_of(self, category):
        return {"data": self.data_bytes, "grads": self.grad_bytes, "kept": self.kept_bytes}[category]

    @property
    def total_bytes(self):
        return self.data_bytes + self.grad_bytes + self.kept_bytes


def _graph_functions(graph):
    return [f for f in graph.functions.values() if not f.no_grad]


def _live_in_recording(graph, f):
    """A graph-making function still alive after the cell: one of its outputs
    is alive (its `creator`) and it was found holding its inputs."""
    variables = graph.variables
    if not any(variables[o].alive for o in f.outputs if o in variables):
        return False
    inputs_bytes = sum(variables[i].nbytes for i in f.inputs if i in variables)
    return f.kept_nbytes > 0 or inputs_bytes == 0


def held_outside(graph, named=False):
    """Ids of variables alive after the cell that no live function holds
    (so the user's names or objects hold them); `named`: and those a name
    of the user's holds (under no_grad, x held by the name x stays whether
    or not Exp held it)."""
    kept = set()
    for f in _graph_functions(graph):
        if _live_in_recording(graph, f):
            kept.update(f.inputs)
    return [v.id for v in graph.variables.values() if v.alive and (v.id not in kept or named and v.named)]


def dead_outputs(graph):
    """Ids of function outputs already freed: nobody held them, and dezero's
    functions refer to their outputs through weak references."""
    produced = {o for f in _graph_functions(graph) for o in f.outputs}
    return [v.id for v in graph.variables.values() if v.id in produced and not v.alive]


def freed_by_kind(graph, ids):
    """`ids` (a mode's `released`) split into (outputs, others): the outputs of graph-making
    functions, which those functions refer to weakly, and the rest (a leaf, the old x after the
    cell rebound `x`), which no function ever held: nothing held them any more (QA: a leaf was
    listed as an output freed)."""
    produced = {o for f in _graph_functions(graph) for o in f.outputs}
    return [v for v in ids if v in produced], [v for v in ids if v not in produced]


def _received_grad(v):
    return v.grad_nbytes > 0 or v.grad_freed or v.grad is not None


def _grad_size(v):
    return v.grad_nbytes if v.grad_nbytes > 0 else v.nbytes


def _freed_without_retain(graph):
    """Ids whose grad retain_grad=False frees. As recorded when the cell ran
    so (some grad_freed is set): the Graph tab shows those very grads.
    Else predicted from the graph: the grads of what functions made."""
    variables = graph.variables.values()
    if any(v.grad_freed for v in variables):
        return {v.id for v in variables if v.grad_freed}
    return {v.id for v in variables if not v.leaf}


def _closure(graph, held):
    """Functions kept alive from the held variables through `creator` links,
    and the inputs they keep."""
    producer = {o: f for f in _graph_functions(graph) for o in f.outputs}
    live, kept, todo = set(), set(), list(held)
    while todo:
        f = producer.get(todo.pop())
        if f is None or f.id in live:
            continue
        live.add(f.id)
        for i in f.inputs:
            if i not in kept:
                kept.add(i)
                todo.append(i)
    return live, kept


def _seeds(graph):
    """Variables backward started from (the outputs the first step received)."""
    return list(graph.steps[0].gys) if graph.steps else []


def _figures(graph, mode, held):
    variables = graph.variables
    order = list(variables)
    fig = ModeFigures(mode, MODE_LABELS[mode])
    if mode == NO_GRAD:
        kept = set()
        fig.released = [v for v in order if variables[v].alive and v not in set(held)]
        exist = set(held_outside(graph, named=True))  # (a released array a name holds is still there)
    else:
        live, kept = _closure(graph, held)
        if mode == NO_WEAKREFS:
            for f in _graph_functions(graph):
                if f.id not in live:  # every output dead: a cycle function <-> outputs
                    kept.update(f.inputs)
                    fig.cycle_kept.extend(o for o in f.outputs if o in variables and not variables[o].alive)
            fig.cycle_kept.extend(o for o in dead_outputs(graph) if o not in fig.cycle_kept and o not in kept)
        exist = set(held) | kept | set(fig.cycle_kept)
        fig.released = [v for v in order if v not in exist]
    kept = [v for v in order if v in kept]
    fig.kept_inputs = kept
    fig.kept_bytes = sum(variables[v].nbytes for v in kept)
    fig.data_bytes = sum(variables[v].nbytes for v in order if v in exist and v not in set(kept))

    if mode == NO_GRAD:
        grads = [v for v in _seeds(graph) if v in exist]
        fig.grads_kept = [v for v in order if v in grads]
    else:
        seeds = set(_seeds(graph))  # the output's own grad (ones) counts too
        received = [v for v in order if v in seeds or _received_grad(variables[v])]
        if mode == RETAIN:
            fig.grads_kept = [v for v in received if v in exist]
        else:
            freed = _freed_without_retain(graph)
            fig.grads_kept = [v for v in received if v in exist and v not in freed]
            fig.grads_freed = [v for v in received if v in freed]
    fig.grad_bytes = sum(_grad_size(variables[v]) for v in fig.grads_kept)
    fig.notes = _notes(graph, mode, fig)
    return fig


# Functions whose backward hands on its gy itself, or a view of it (QA: Add's a, b and y grads are one array)
_PASS_GY = {"Add", "Sub", "Sum", "SumTo", "BroadcastTo", "Reshape", "Transpose", "Flatten"}


def _notes(graph, mode, fig):
    notes = []
    if mode == NO_GRAD:
        notes.append("No creators: functions keep no inputs, backward() stops at the output.")
        if fig.released:
            notes.append("The arrays functions kept are freed unless a name of yours holds them, "
                         f"so '{DATA_TITLE}' is a lower bound here.")
    elif mode == NO_WEAKREFS:
        notes.append("Functions hold their outputs strongly: unused outputs stay in reference "
                     "cycles until Python's cyclic garbage collector runs.")
    grads = bool(graph.steps) or any(map(_received_grad, graph.variables.values()))
    # (not beside "no grads": QA Q24-F2 read it over a cell that ran no backward)
    if mode != NO_GRAD and grads and any(f.op in _PASS_GY for f in graph.functions.values()):
        notes.append("Each grad is counted at its own size; grads that are one array (Add passes its gy "
                     "on to both inputs as it is) or a view (Sum's grad is a broadcast) are counted more "
                     "than once, so grads may read higher than measured.")
    if graph.elided_functions:
        n = graph.elided_functions
        # (not "earlier": the calls not drawn may have run after the drawn backward, an evaluation)
        notes.append(f"Computed over the drawn graph only: {n:,} function "
                     f"{'call' if n == 1 else 'calls'} not drawn {'is' if n == 1 else 'are'} not included.")
    if not grads and mode != NO_GRAD:
        notes.append("No backward pass was recorded: no grads.")
    return notes


def mode_figures(graph, no_grad_raised=None, from_grad=None):
    """ModeFigures for every mode, in MODE_LABELS order, from the recorded graph;
    `no_grad_raised`, `from_grad`: as `no_grad_stops` takes them."""
    held = held_outside(graph)
    figs = [_figures(graph, mode, held) for mode in MODE_LABELS]
    for fig in figs:
        if fig.mode == NO_GRAD:
            fig.cannot_run = no_grad_stops(graph, no_grad_raised, from_grad)
    return figs


def no_grad_stops(graph, raised=None, from_grad=None):
    """Why the cell cannot run to its end under no_grad ('' when, as far as
    is known, it can): its measured re-run (`%%dezero --modes`) raised
    `raised`, or its last backward differentiated grads a create_graph
    backward built (steps 33-36), or started from `from_grad` (a GradOrigin), a
    grad an earlier backward left (`numgrad_reasons.grad_output`): under no_grad
    such grads never exist. Figures computed from the graph would describe
    a run that never finishes, listing grads (gx) it would never make (QA Q23-3)."""
    # (dezero.grad() under no_grad returns zeros, not None: such a chain may well run to its end)
    chained = graph.differentiated_passes > 0 and not graph.differentiated_by_grad
    if not chained and not raised and not from_grad:
        return ""
    text = "Under no_grad this cell cannot run to its end"
    if from_grad and not chained:
        # In the cell's own names: the tracer saw which backward left which grad
        started = from_grad.started
        first = f"{started}.backward()" if reads_as_code(started) else "the backward before the last one"
        name = from_grad.name
        if from_grad.grad and from_grad.of:
            grad = f"{name}, which is {from_grad.of_grad},"
        else:
            grad = name or "the grad the last backward starts from"
        call = f"{name}.backward()" if reads_as_code(name) else "the last backward"
        text += (f": no function makes a creator, so {first} reaches no variable and leaves no grad, and {grad} "
                 f"is None: {call} raises")
    elif chained:
        y = graph.variables.get(graph.differentiated_from)
        y = y.label if y is not None and y.label else "y"
        text += (f": no function makes a creator, so {y}.backward(create_graph=True) reaches no variable "
                 "and leaves no grad (x.grad stays None), and the graph of grads that the later backward "
                 "differentiates is never built: gx = x.grad is None, and gx.backward() raises")
    else:
        text += (": no function makes a creator, so backward() reaches no variable and every grad stays "
                 "None; what the cell does with a grad afterwards (x.grad.data, gx.backward()) raises")
    if raised:
        text += f". --modes re-ran it so, and the run raised {raised}"
    return text + ". No figures are computed for a run that stops."


def human_bytes(n):
    """Bytes as a short string: 800 B, 78.1 KiB, 1.5 MiB."""
    n = int(n)
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}"
    return f"{n:.1f} GiB"


NBSP = "\u00a0"
_NUMBER_UNIT = re.compile(r"(\d) (B|KiB|MiB|GiB|s)\b")


def keep_units(text):
    """`text` with each number joined to its unit by a no-break space: a
    narrow panel (1024x768 with the file browser open) wrapped "104 B"
    into "104" over "B"."""
    return _NUMBER_UNIT.sub(rf"\1{NBSP}\2", text)
