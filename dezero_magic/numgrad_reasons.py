"""Why the Gradients check (`numgrad`) has no graph to re-run, said of the
trace it was asked for: a cell's (the output of its last backward) or
`%dezero NAME`'s (the variable it drew, whose backward, if any, ran
unwatched in another cell: "the last backward" is none of its own); and why
a re-run gives nothing to compare when no forward was found at fault
(`forward_faults` names the one that is), or why it must not re-run it (a
leaf changed after the drawn forward used it). Also `output_label`: the name
the check gives its output; `grad_output`: an output that the tracer saw
an earlier backward of the cell leave as a grad (the Backward tab and the
Memory tab's no_grad panel use it too); `no_live_leaf`: why no drawn leaf
feeds the output (the drawing cut at --max-nodes, say)."""
from dezero_magic.grad_origin import backward_ran, line_magic
from dezero_magic.graph import GradOrigin


def output_label(trace, y):
    """The output's name: its own, else the drawn label of the variable backward started from."""
    name = getattr(y, "name", None)
    if isinstance(name, str) and name:
        return name
    steps = trace.graph.steps
    if steps and len(steps[0].gys) == 1:
        node = trace.graph.variables.get(next(iter(steps[0].gys)))
        if node is not None and node.label:
            return node.label
    # no backward: the one drawn variable that some function made and none used
    return trace.graph.output_label() or "the output"


def output_gone(trace):
    """The output the check would differentiate died (weak references only).
    A drawn leaf that changed after the forward (a training loop's optimizer
    step) is said first: a name kept for the output would not make the check
    possible (book steps 50/51 evaluate after training, rebinding loss)."""
    moved = changed_leaves(trace, list(trace.graph.variables))
    if moved:
        return moved
    label = trace.graph.output_label()
    if line_magic(trace):
        what = f"{label}, the variable %dezero drew," if label else "the variable %dezero drew"
        return (f"{what} no longer exists, and its graph with it: no name holds it any more (a later cell bound "
                "its name to something else, or it was an expression's value, which no name holds); draw it "
                "with %dezero again while a name holds it to check it")
    what = "the output of the last backward" if backward_ran(trace.graph) else "the output"
    if _died_in_cell(trace.graph):
        # Step 35's `gx = x.grad` after its loop: the cell's own line, not a later cell (QA Q23-5)
        return (f"{what} no longer exists, and its graph with it: it was freed before this cell ended, as "
                "no name held it then (it was never named, or a line after that backward, or the loop's next "
                "round, bound its name to something else, as `gx = x.grad` after step 35's loop does); give "
                "the output a name that no later line of the cell rebinds (gx_last = gx, say) and run the cell "
                "again to check it")
    return (f"{what} no longer exists, and its graph with it: no name holds it any more (it was never named, or "
            "its name was bound to something else since, by a later cell or a loop in this one); give the "
            "output a name no later cell reuses and run the cell again to check it")


def _died_in_cell(graph):
    """Whether the variable the shown backward started from was already dead when the cell
    ended (`VarNode.alive`, read as the graph was built), so no later cell freed it."""
    node = graph.variables.get(graph.started_from() or "")
    return node is not None and not node.alive


def no_creator(trace):
    """The output lives but has no creator."""
    if line_magic(trace):
        return ("the variable %dezero drew has no creator (a leaf, made under no_grad, or unchained): there is "
                "no graph to differentiate")
    origin = grad_output(trace)
    if origin is not None:
        # Step 33 without create_graph=True: gx = x.grad; x.cleargrad(); gx.backward() (QA Q23-2),
        # said in the cell's own names (the tracer saw which backward left which grad)
        name = origin.name
        output, last = (f"the output, {name},", f"the last backward, from {name},") if name else \
            ("the output", "the last backward")
        return (f"{output} has no creator, so there is no graph to differentiate: no function of the cell made "
                f"it, and {last} ran no step. {origin.left_by()}, which computes grads without recording a "
                f"graph of them. To differentiate a grad, {origin.fix()} (steps 33-36)")
    return "the output has no creator (made under no_grad, or unchained): there is no graph to differentiate"


def grad_output(trace):
    """The `GradOrigin` of the output when the tracer knew it for a grad that an earlier
    backward of the cell left without create_graph (`Graph.from_grad`); else None. (A
    student's classes have no create_graph to advise.)"""
    if getattr(trace, "own_classes", False):
        return None
    origin = getattr(trace.graph, "from_grad", None)
    if isinstance(origin, str):  # a Trace pickled (%store) when it held the grad's label only
        return GradOrigin(origin) if origin else None
    return origin


def no_live_leaf(trace):
    """Why no drawn leaf feeds the output: a node budget (--max-nodes) cut the drawing before
    its leaves (x0, x1 of step 28 alive but not drawn, QA Q23-4), or none is alive."""
    graph = trace.graph
    if graph.cut:
        at = f" at --max-nodes {graph.max_nodes}" if graph.max_nodes else " (the nodes nearest the output are drawn)"
        return (f"the drawing was cut{at} before it reached the leaf variables that feed the output, and the "
                "check differentiates with respect to the drawn leaves only; run the cell again with a larger "
                "--max-nodes N to check them")
    return "no leaf variable of the drawn graph is alive and feeds the output"


def no_graph(trace):
    """Why a trace without functions has nothing to check."""
    if trace.graph.creatorless:  # a student's Variable without `creator` (book steps 1-6)
        return ("your Variable class has no `creator` yet (book steps 1-6): nothing links a variable to the "
                "function that made it, so there is no graph to re-run; compare by hand until book step 7 adds "
                "it (numerical_diff of step 4 next to the grads your backward calls gave)")
    if line_magic(trace):
        return "the variable %dezero drew has no creator, so there is no graph to differentiate"
    if not getattr(trace, "own_classes", False):
        # dezero's Functions would be drawn (the tracer sees every call); a student's
        # Function whose output no name holds leaves nothing to see
        return ("no Function was called in this cell whose output a name holds, so there is no graph to "
                "differentiate")
    # The student's classes: their calls are seen only through the variables the cell
    # binds, so whether one ran is not known; say what leaves no graph, and the fix.
    return ("no variable this cell binds has a creator, so there is no graph to differentiate. Your Functions "
            "may have run all the same: outputs made inside a def (f in numerical_diff, say) are freed when it "
            "returns, under no_grad they get no creator, and np.array([2.0]) + x makes a NumPy array of "
            "Variables until your Variable has __array_priority__ (book step 21). Keep a Function's output in a "
            "variable, with backprop on, to check its grads")


def not_reproduced(looked):
    """The re-run gives another output and no forward was found at fault;
    `looked`: whether the forwards were watched (`forward_faults.diagnose`)."""
    causes = ("the data changed since the graph was recorded (an optimizer step, or a later cell), or a "
              "function is random (dropout, say)")
    if not looked:
        causes += ", or a forward changed its input in place"
    return f"re-running the graph's forward does not reproduce the output: {causes}"


def raised(described_exc):
    return f"re-running the graph's forward raised {described_exc}"


def changed_leaves(trace, vids):
    """Why the check is not done when a leaf among `vids` (drawn ids) changed after the drawn
    forward used it (`VarNode.changed_since`: x.data -= lr * x.grad.data, an optimizer step);
    '' when none did. Re-run at the new values, the forward's slopes are those of another point
    than the one the backward took its grads at."""
    nodes = [trace.graph.variables.get(vid) for vid in vids]
    moved = [leaf_name(node) for node in nodes if node is not None and node.changed_since]
    if not moved:
        return ""
    one = len(moved) == 1
    names = moved[0] if one else ", ".join(moved[:4]) + (f" (and {len(moved) - 4} more)" if len(moved) > 4
                                                         else "")
    if not one and len(moved) <= 4:
        names = ", ".join(moved[:-1]) + f" and {moved[-1]}"
    example = "x" if moved[0].startswith("unnamed (") else moved[0]
    return (f"{names} changed after the drawn forward used {'it' if one else 'them'} ({example}.data -= ... "
            f"in the cell, an optimizer step, say): the check would re-run the forward at the new "
            f"value{'' if one else 's'} and compare its slopes there with the grads the backward took at the "
            f"old one{'' if one else 's'}, so it is not done. The Graph tab shows the values the backward used. "
            "To check the grads, run a %%dezero cell that stops after backward(), without the update")


def leaf_name(node):
    """A drawn variable as the Gradients tab names it: its label, or "unnamed (v3)"."""
    return node.label if node.label and node.label != node.id else f"unnamed ({node.id})"
