"""Grads that `%dezero EXPR` shows on the leaves of EXPR's graph but that
came from an earlier backward pass, not from one started at EXPR.

The common case is step 33: `y.backward(create_graph=True); gx = x.grad`,
then `%dezero gx`. gx's graph holds x, and x.grad is gx itself (dy/dx), so
the drawing shows "x grad 27" where a student looks for d(gx)/dx (18).
A grad that is one of the drawn graph's own variables cannot be a
derivative of that graph's output: a backward from the output makes new
grad variables downstream of it, never one inside it.
"""
import numpy as np

from dezero.backprop import grad as dezero_grad
from dezero.core import Variable as DezeroVariable
from dezero_magic.isolation import isolated, own_classes
from dezero_magic.links import creators_reached, func_inputs, func_outputs, is_variable_like
from dezero_magic.naming import attr_of

# Functions walked to collect the drawn graph's variables and to look for the
# earlier pass's output in the namespace: a step-33 graph is small, and a
# huge one only loses the note, never stalls the drawing.
WALK_LIMIT = 5000
NAMES_LOOKED_AT = 64
# A candidate's graph is differentiated again (`_gave`) only up to this many
# Functions, and for so many candidates (past them no name is given): a line
# magic must not stall on a big model's loss or a namespace full of graphs.
DIFFERENTIATED_UP_TO = 300
DIFFERENTIATED_AT_MOST = 8


def _variables_of(seed):
    """ids of the variables of `seed`'s graph (itself included)."""
    found = {id(seed)}
    for f in creators_reached([seed], limit=WALK_LIMIT).values():
        found.update(id(v) for v in func_inputs(f) + func_outputs(f))
    return found


def _gave(held, leaf, grad):
    """Whether `held` is what the earlier backward started from, for a
    candidate without a grad of its own: dezero clears a backward's output
    grad too (book step 18), so its derivative is taken again (dezero.grad
    leaves every `.grad` as it is) and compared with the leaf's grad. Only
    dezero's own Variables; a student's class cannot be asked. Only dezero's
    own Functions run here (the caller sees to it), isolated all the same:
    no warning they raise reaches the cell's output."""
    if not isinstance(held, DezeroVariable) or not isinstance(grad, DezeroVariable):
        return False
    try:
        with isolated():
            again = dezero_grad(held, leaf)
        return bool(np.shape(again.data) == np.shape(grad.data) and np.allclose(again.data, grad.data))
    except Exception:  # noqa: BLE001 - a graph that cannot go back again: no name, only the note
        return False


def _earlier_output(pairs, drawn, value, namespace):
    """The namespace name of the variable the earlier backward started from
    (`y` in `y.backward(create_graph=True)`), among those outside the drawn
    graph whose graph holds one of the leaves of `pairs` ((leaf, its grad)):
    one that keeps a grad (its seed: retain_grad=True, or students' classes
    before step 18), or whose derivative is that leaf's grad (`_gave`);
    `a = x * 2` next to it is neither. None unless exactly one qualifies: a
    guess could name the wrong one (and when one could be only by running
    the user's own backward again)."""
    grads = {id(leaf): (leaf, grad) for leaf, grad in pairs}
    found = {}  # id of the variable -> its first name
    looked = again = 0
    for name, held in list((namespace or {}).items()):
        if not isinstance(name, str) or name.startswith("_") or held is value or id(held) in found:
            continue
        if not is_variable_like(held) or id(held) in drawn or attr_of(held, "creator") is None:
            continue
        looked += 1
        if looked > NAMES_LOOKED_AT:
            return None
        funcs = creators_reached([held], limit=WALK_LIMIT)
        reached = [x for f in funcs.values() for x in func_inputs(f) if id(x) in grads]
        if not reached:
            continue
        if attr_of(held, "grad") is None:
            again += 1
            # (not checked: it might be the one); a class typed in a cell is the user's code, whose
            # backward may print or append to a list: it runs again only when they ask (isolation, QA R22-5)
            if again > DIFFERENTIATED_AT_MOST or len(funcs) > DIFFERENTIATED_UP_TO or own_classes(funcs.values()):
                return None
            if not _gave(held, *grads[id(reached[0])]):
                continue
        found[id(held)] = name
    return next(iter(found.values())) if len(found) == 1 else None


def earlier_pass_note(expr, value, graph, leaf_refs, namespace=None):
    """The note for `%dezero EXPR` when a drawn leaf's grad is a variable of
    EXPR's own graph (EXPR itself, say): it was left by an earlier backward
    that made this graph (create_graph=True), so the grads shown are no
    derivatives of EXPR. None otherwise."""
    if not leaf_refs or not any(graph.variables[k].grad is not None for k in leaf_refs if k in graph.variables):
        return None
    drawn = _variables_of(value)
    held = []  # (label, leaf object, whether its grad is EXPR itself)
    for key, ref in leaf_refs.items():
        leaf = ref()
        node = graph.variables.get(key)
        grad = attr_of(leaf, "grad") if leaf is not None else None
        if node is None or grad is None or id(grad) not in drawn:
            continue
        held.append((node.label or node.id, leaf, grad is value))
    if not held:
        return None
    labels = [label for label, _, _ in held]
    pairs = [(leaf, attr_of(leaf, "grad")) for _, leaf, _ in held]
    earlier = _earlier_output(pairs, drawn, value, namespace)
    whose = f"{earlier}.backward(create_graph=True)" if earlier else "a backward(create_graph=True)"
    first = labels[0]
    itself = next((label for label, _, same in held if same), None)
    what = (f"{itself}.grad is {expr} itself ({f'd{earlier}/d{itself}' if earlier else 'the first derivative'}), "
            f"not d({expr})/d{itself}" if itself else
            f"{first}.grad is a variable of {expr}'s own graph, not d({expr})/d{first}")
    shown = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
    return (f"The grads shown ({shown}) are what the variables hold from an earlier backward, {whose}, which "
            f"made this graph: {what}, and the colours follow those grads. To get the derivative of {expr}, "
            f"call {first}.cleargrad(), then {expr}.backward(), and draw {expr} again (book step 33).")
