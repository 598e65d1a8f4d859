"""The graph model: plain data describing one traced computation.

Produced by the tracer (dezero objects) or the adapters (students' own
classes); consumed by layout, render and widgets. Holds strings and numbers
only — never the user's arrays or Variables — so it keeps nothing alive and
does not change when the user's objects do.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

# A label that reads as code before `.backward()`: `gx`, `x.grad`, `xs[0]`, `model.l1.W`; not
# "unnamed (v3)" nor a Variable's own name with a space ("my loss")
_CODE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*\Z")


def reads_as_code(label):
    """Whether `label.backward()` may be written as the cell's own code."""
    return bool(_CODE.match(label or ""))


@dataclass
class VarNode:
    id: str                      # "v0", "v1", ... stable within one Graph
    label: str = ""              # Variable.name, else the user-namespace name, else ""
    shape: Tuple[int, ...] = ()
    dtype: str = ""
    value: str = ""              # short preview of the data
    grad: Optional[str] = None   # short preview of the final grad (None: no grad)
    grad_absmax: Optional[float] = None  # max |grad|, for colour scaling
    nonfinite: bool = False      # NaN/Inf in the value or the grad
    generation: int = 0
    leaf: bool = True            # no creator
    alive: bool = True           # the object still existed after the cell
    grad_freed: bool = False     # its grad was dropped by retain_grad=False
    grad_carried: bool = False   # the shown pass added its grad to one kept from an earlier backward
    grad_held: str = ""          # that kept grad's text, where a student's classes held it (student_notes)
    changed_since: bool = False  # a leaf whose value changed after the drawn forward used it (x.data -= ...)
    grad_overwritten: bool = False  # a student's backward replaced an earlier grad (x.grad = gx, step 13)
    nbytes: int = 0              # bytes of the data
    named: bool = False          # a name of the user's (or a list item, a layer's attribute) held it after the cell
    grad_nbytes: int = 0         # bytes of the grad, 0 when none is kept
    # what the last backward left as its grad, when the cell changed it after (clipping by hand, an
    # optimizer hook such as WeightDecay): `grad` is the grad now; "" when unchanged or not known
    grad_made: str = ""


@dataclass
class FuncNode:
    id: str                      # "f0", "f1", ...
    op: str                      # the Function's class name, e.g. "Square"
    generation: int = 0
    inputs: List[str] = field(default_factory=list)   # VarNode ids, in argument order
    outputs: List[str] = field(default_factory=list)  # VarNode ids
    order: int = 0               # position in forward order
    kept_nbytes: int = 0         # bytes of inputs this function keeps for backward
    no_grad: bool = False        # ran with backprop disabled: dezero made no graph for it
    label: str = ""              # the user-namespace name of the Function object (`A = Square()`), if any
    own_generation: Optional[int] = None  # a student's object's own `generation`, when it differs from the links'

    @property
    def title(self):
        """What its box says: `A: Square` when a name refers to it (the book's
        step 15 calls its functions A, B, C, D), else the op."""
        return f"{self.label}: {self.op}" if self.label else self.op

    @property
    def short(self):
        """The name alone when it has one (`D C A B A` reads as the book's)."""
        return self.label or self.op


@dataclass
class BackwardStep:
    index: int
    func: str                    # FuncNode id of the function popped at this step
    gys: Dict[str, str] = field(default_factory=dict)   # output VarNode id -> grad preview
    gxs: Dict[str, str] = field(default_factory=dict)   # input VarNode id -> grad preview
    accumulated: List[str] = field(default_factory=list)  # input ids whose grad was added to
    pending: List[str] = field(default_factory=list)    # FuncNode ids, in the order they will pop
    pending_total: int = 0       # length of the whole queue (pending may be cut)
    queue_seen: bool = True      # False: the backward keeps no queue (step 7's recursion calls the next one)
    totals: Dict[str, str] = field(default_factory=dict)  # input id -> its whole grad after this step


@dataclass(frozen=True)
class GradOrigin:
    """The last backward started from a grad that an earlier backward of the cell left without
    create_graph (book step 33's slip: `y.backward(); gx = x.grad; x.cleargrad(); gx.backward()`),
    in the cell's labels; "" where a variable has none. (The tracer knows it:
    tracer_notes.creatorless_pass_note; the Backward, Gradients and Memory tabs say it.)"""
    grad: str          # the grad's own label (gx)
    of: str = ""       # the variable whose .grad it is (x)
    started: str = ""  # the variable the earlier backward started from (y)

    @property
    def of_grad(self):
        """`x.grad`, or 'the grad of my x' where the label is no code; '' when unknown."""
        if not self.of:
            return ""
        return f"{self.of}.grad" if reads_as_code(self.of) else f"the grad of {self.of}"

    @property
    def name(self):
        """What to call the grad: `gx`, else `x.grad` (`x.grad.backward()` was written so), else ''."""
        return self.grad or self.of_grad

    def left_by(self):
        """Who left it: 'gx is x.grad, left by an earlier y.backward() without create_graph=True'."""
        if self.started:
            call = f"{self.started}.backward()" if reads_as_code(self.started) else f"backward from {self.started}"
            earlier = f"an earlier {call}"
        else:
            earlier = "an earlier backward"
        if self.grad and self.of:
            who = f"{self.grad} is {self.of_grad}, left by"
        elif self.of:
            who = f"{self.of_grad} was left by"
        elif self.grad:
            who = f"{self.grad} is a grad left by"
        else:
            who = "It is a grad left by"
        who = "The" + who[3:] if who.startswith("the ") else who  # (it opens a sentence; `gx` keeps its case)
        return f"{who} {earlier} without create_graph=True"

    def fix(self):
        """How to make a grad that can be differentiated: 'call y.backward(create_graph=True)'."""
        if reads_as_code(self.started):
            return f"call {self.started}.backward(create_graph=True)"
        return "make it with create_graph=True in the earlier backward"


@dataclass
class Graph:
    variables: Dict[str, VarNode] = field(default_factory=dict)
    functions: Dict[str, FuncNode] = field(default_factory=dict)
    steps: List[BackwardStep] = field(default_factory=list)
    complete: bool = True        # False when the cell raised before finishing
    raised_in: str = ""          # what raised when not the cell's own code ("y.backward() (called by -b y)")
    interrupted: bool = False    # ... and it was Ctrl-C (KeyboardInterrupt), not an error of the code
    elided_functions: int = 0    # forward calls recorded but not kept in this graph
    elided_steps: int = 0        # earlier backward steps not kept (earlier passes; the oldest calls of students' backward)
    pass_steps: int = 0          # steps the shown pass took in all (0: as many as recorded)
    unrecorded_steps: int = 0    # steps of the shown pass beyond the tracer's cap (farthest from the output)
    notes: List[str] = field(default_factory=list)  # what a viewer should be told
    differentiated_passes: int = 0  # the last backward and the ones before it that each differentiated the
    #                                 grads of the pass before (steps 33-36; 0: none did)
    differentiated_from: str = ""   # when one did: the variable the earlier create_graph pass started from (y)
    differentiated_by_grad: bool = False  # ... and dezero.grad() made one of those passes (no_grad gives zeros)
    # The last backward's output when the tracer knows it is a grad an earlier backward without
    # create_graph left (step 33's slip; tracer_notes.creatorless_pass_note sets it), else None
    from_grad: Optional[GradOrigin] = None
    cut: bool = False               # a node budget cut the drawing (node_budget.cut_note says so)
    max_nodes: Optional[int] = None  # the --max-nodes given (None: the default budget)
    stored_otherwise: bool = False  # a student's Variable.backward stored other grads than the backwards returned
    reused: List[tuple] = field(default_factory=list)  # (op, what its earlier calls made): one Function object
    #                                                   called more than once (student_notes.note_reused)
    creatorless: bool = False    # a student's Variable of book steps 1-6 (no `creator`): nothing links the graph
    ran_as: Optional[str] = None  # memory mode the cell ran in ("default", "retain_grad", "no_grad"); None: unknown
    generations_by_links: bool = False  # students' classes without `generation` (before book step 16)

    def output_label(self):
        """The label of the one drawn variable a function made and no drawn function uses
        (the output), or '' when there are several, or none."""
        used = {i for f in self.functions.values() for i in f.inputs}
        ends = [v for v in self.variables.values() if v.id not in used and not v.leaf]
        return (ends[0].label or "") if len(ends) == 1 else ""

    def how_it_stopped(self):
        """What ended an incomplete graph: "the cell raised", "the cell was interrupted"."""
        return f"{self.raised_in or 'the cell'} {'was interrupted' if self.interrupted else 'raised'}"

    def started_from(self):
        """The id of the variable the shown backward pass started from (its
        first step's output), or None without steps."""
        return next(iter(self.steps[0].gys), None) if self.steps else None

    def edges(self):
        """(source id, target id) pairs: input var -> function -> output var."""
        result = []
        for f in self.functions.values():
            result.extend((v, f.id) for v in f.inputs)
            result.extend((f.id, v) for v in f.outputs)
        return result
