"""Notes on a traced cell's graph that the tracer's records tell (used by
`assemble.graph_from_tracer`): grads carried over from an earlier backward,
how many passes ran, a last pass that ran no step, calls under no_grad,
other threads, the tracer's own failure, a backward that raised."""
import ast

from dezero.core import Parameter
from dezero.layers import Layer
from dezero_magic.graph import GradOrigin
from dezero_magic.render.text import count_of
from dezero_magic.records import NO_GRAD
from dezero_magic.cell_names import grad_reads, parse_quietly


def _vid(v):
    return f"v{v}"


def _fid(order):
    return f"f{order}"


def _label(graph, vid, default):
    node = graph.variables.get(_vid(vid))
    return node.label if node is not None and node.label else default


def _uncalled_cleargrads(code):
    """`model.cleargrads` written as a statement without (): the student
    thinks it cleared. (Parsed: a comment, a string or `f = model.cleargrads`
    naming it is no slip.)"""
    tree = parse_quietly(code)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Attribute)
                and node.value.attr in ("cleargrad", "cleargrads")):
            return ast.unparse(node.value)
    return None


def carried_notes(graph, tracer, namespace=None, cell_code=""):
    """The leaves whose grad also holds an earlier backward's. For data
    Variables that is harmless unless read; a parameter's is read by
    optimizer.update(), which then steps by the sum."""
    # (a create_graph pass's seed, `y.grad`, is the user's to read only by name: not told)
    carried = [v for v in graph.variables.values() if v.grad_carried and v.leaf and v.label
               and int(v.id[1:]) not in tracer.seeds_of]
    if not carried:
        return []
    live = tracer.variables.live
    params, data = [], []
    for node in carried:
        obj = live(int(node.id[1:]))
        (params if isinstance(obj, Parameter) else data).append(node.label)
    notes = []
    if params:
        names = ", ".join(dict.fromkeys(params))
        root = params[0].split(".")[0]
        if "." in params[0] and isinstance((namespace or {}).get(root), Layer):
            clear = f"call {root}.cleargrads() before backward (or p.cleargrad() for each parameter p)"
        else:
            clear = f"call {params[0]}.cleargrad() (p.cleargrad() for each parameter p; model.cleargrads() for a " \
                    "model's) before backward"
        # Not harmless, unlike data Variables': optimizer.update() steps by the summed grads.
        slip = _uncalled_cleargrads(cell_code)
        notes.append(f"The grads of the parameters {names} still hold earlier backward passes' grads: they were "
                     "not cleared before the last backward, which added to them. An optimizer's update() (or "
                     "your own p.data -= lr * p.grad.data) reads these grads, so it steps by the sum of every "
                     f"pass's and trains wrongly: {clear}, as the training loops of steps 44-46 do."
                     + (f" The cell has `{slip}` without parentheses: that names the method but does not "
                        f"call it; write {slip}()." if slip else ""))
    if data:
        names = ", ".join(dict.fromkeys(data))
        read = _grads_read_after_backward(cell_code, data)
        if read:
            # Step 33's Newton loop without its second cleargrad: gx2 = x.grad is dy/dx + d2y/dx2.
            notes.append(f"The grad of {names} also holds an earlier backward's: it was not cleared before the "
                         f"last backward, which added to it, and the cell reads {read[0]}.grad after that backward, "
                         f"so it gets the sum of the passes' grads. Call {read[0]}.cleargrad() before the "
                         "backward whose grad you read (as step 33's loop does before gx.backward()).")
        else:
            # Step 42's data Variables pile up grads nobody reads: say when it matters.
            notes.append(f"The grad of {names} also holds an earlier backward's: it was not cleared before the "
                         f"last backward, which added to it. Harmless unless you read it; to get this pass's "
                         f"grad alone, call {data[0]}.cleargrad() before backward (as steps 33 and 34 do).")
    return notes


def _grads_read_after_backward(code, names):
    """Which of `names` the cell reads `.grad` of (`gx2 = x.grad`) on a line
    after its last `.backward(` call; [] when it calls none."""
    reads, calls = grad_reads(code)
    if not calls:
        return []
    read = [var for var, line, _ in reads if var in names and line > max(calls)]
    return list(dict.fromkeys(sorted(read, key=names.index)))


def passes_note(tracer, cut=False):
    """How many backward passes ran, when more than one did; `cut`: the
    drawing shows only the nodes nearest the output (not every graph)."""
    if tracer.backward_passes <= 1:
        return None
    chained = tracer.last_pass.differentiates
    nearest = "the nodes nearest the output are drawn"
    if chained == 1:
        drawn = nearest if cut else "both graphs are drawn"
        return (f"{tracer.backward_passes:,} backward passes ran; the last one differentiated the "
                f"graph an earlier pass built (create_graph=True): {drawn}, the steps are the last pass's.")
    if chained:
        # Steps 33-36's loops: each pass differentiates the grads the pass before built.
        drawn = nearest if cut else "the forward graph and every grads' graph built on it are drawn"
        return (f"{tracer.backward_passes:,} backward passes ran; the last {chained:,} each differentiated "
                f"the graph the pass before built (create_graph=True): {drawn}, the steps are the last pass's.")
    return f"{tracer.backward_passes:,} backward passes ran; the last one is shown."


def reached_back_note(tracer):
    """When the last pass went on through the calls of earlier iterations
    (their graph was never cut): each backward re-ran the whole history."""
    bpass = tracer.last_pass
    if bpass is None or not bpass.reached_back or bpass.differentiates:
        return None
    steps = len(bpass.steps) + bpass.elided_steps
    return (f"Each backward went on through the graph of earlier iterations: the last pass took {steps:,} "
            f"step{'s' if steps != 1 else ''}, {bpass.reached_back:,} of them through functions the previous "
            "backward had run through too, as the graph was "
            "never cut, so every pass re-ran the whole history. In truncated BPTT (book step 59), call "
            "loss.unchain_backward() after each update so that the next backward stops there; a loss summed "
            "over iterations keeps the graph of all of them too.")


def _made_under_no_grad(tracer, vid):
    """Whether `vid` is the output of a call the tracer recorded under no_grad."""
    if vid in tracer.variables.first_seen:
        return False  # no recorded call made it
    info = tracer.var_info(vid)
    return info is not None and not info[2]


def _code_label(graph, tracer, vid, namespace):
    """The name the cell's code has for variable `vid` (its label where that is one); a
    Variable's own .name no name of the cell holds is quoted, so it is never written as
    code (review R1-F5: w = Variable(..., name='weight') was told "weight.grad")."""
    label = _label(graph, vid, "")
    obj = tracer.variables.live(vid)
    if obj is None or not namespace or namespace.get(label) is obj:
        return label
    name = next((k for k, v in namespace.items() if v is obj and k.isidentifier() and not k.startswith("_")), None)
    return name or (f"'{label}'" if label and label == getattr(obj, "name", None) else label)


def creatorless_pass_note(graph, tracer, no_grad_cell=False, namespace=None):
    """Why the last backward pass ran no step: the variable it started from
    has no creator. Worded by what the tracer knows of that variable: a
    grad a backward without create_graph made, a value computed under
    no_grad, or neither known (then every way it can happen is listed)."""
    bpass = tracer.last_pass
    if bpass is None or bpass.steps or bpass.elided_steps or bpass.failed_at is not None:
        return None
    for vid in bpass.outputs:
        obj = tracer.variables.live(vid)
        if obj is None or getattr(obj, "creator", None) is not None:
            continue
        out = _label(graph, vid, "its output")
        head = (f"The last backward pass, from {out}, ran no step: {out} has no creator, so there is no graph "
                "behind it to go back through.")
        origin = tracer.grad_origin(obj)
        if origin is not None:
            of, started = origin
            # (the Backward, Gradients and Memory tabs say it too, in these names)
            graph.from_grad = GradOrigin(_code_label(graph, tracer, vid, namespace),
                                         _code_label(graph, tracer, of, namespace),
                                         _code_label(graph, tracer, started[0], namespace) if started else "")
            x = _label(graph, of, "a variable")
            who = "It" if out == "its output" else out  # (x.grad.backward(): the grad has no name of its own)
            return (f"{head} {who} is {graph.from_grad.of_grad or x + '.grad'} from an earlier backward without create_graph=True, which "
                    f"computes grads without recording a graph of them. To differentiate a grad, "
                    f"{graph.from_grad.fix()} (steps 33-36).")
        if _made_under_no_grad(tracer, vid):
            how = " (%%dezero --no-grad runs the whole cell so)" if no_grad_cell else ""
            return (f"{head} {out} was computed under no_grad() or with Config.enable_backprop=False{how}, "
                    "which keeps no graph; compute it with backprop enabled to backpropagate through it.")
        return (f"{head} It was made without a graph: a grad from a backward without create_graph=True (to "
                "differentiate a grad, call y.backward(create_graph=True), steps 33-36), a value computed "
                "under no_grad() or with Config.enable_backprop=False, or a leaf (a Variable you made).")
    return None


def tracer_notes(graph, tracer, chosen, namespace=None, no_grad_cell=False, cell_code="", cut=False):
    """The notes, in the order they are shown; `cut`: a node budget cut the drawing."""
    notes = carried_notes(graph, tracer, namespace, cell_code)
    creatorless = creatorless_pass_note(graph, tracer, no_grad_cell, namespace)
    for note in (passes_note(tracer, cut), reached_back_note(tracer), creatorless):
        if note is not None:
            notes.append(note)
    no_grad = sum(1 for c in chosen if c[NO_GRAD])
    if no_grad:
        notes.append(f"{count_of(no_grad, 'call')} ran with backprop disabled (no_grad): "
                     "dezero kept no graph for them; drawn from the trace only.")
    if tracer.foreign_events:
        notes.append(f"Other threads ran dezero while the cell ran ({tracer.foreign_events:,} forward calls and "
                     "backward passes, left out): only the cell's own thread is drawn. dezero's Config is "
                     "shared by all threads (as in the book): while one runs a backward, the others build no graph.")
    if tracer.error is not None:
        notes.append(f"The tracer stopped early: {tracer.error!r}")
    bpass = tracer.last_pass
    if bpass is not None and bpass.failed_at is not None:
        func = graph.functions.get(_fid(bpass.failed_at))
        where = f"{func.op} ({func.id})" if func is not None else "a function not drawn"
        notes.append(f"The backward of {where} raised: the pass stopped there, so the steps after it "
                     "never ran and the grads they would give are missing.")
    return notes
