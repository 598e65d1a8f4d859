"""What to say when a backward pass ran but none of its steps is drawn.

A cut graph (more than node_budget.WHOLE_UP_TO nodes, or --max-nodes) draws
the nodes nearest the output. After repeated create_graph passes (book step
35, tanh's 7th derivative) those are the grad graph the last pass BUILT,
which holds none of the functions that pass popped: "no backward pass was
recorded" would then be false (QA session 21: 7 passes ran, 339 steps).
"""
from dezero_magic.node_budget import MOST, WHOLE_UP_TO


def steps_outside(graph):
    """How many steps the shown pass took when none of them is drawn (0 otherwise)."""
    return graph.pass_steps if graph.pass_steps > 0 and not graph.steps else 0


def more_nodes_advice(graph, then="step through them"):
    """The --max-nodes to give to draw more of a cut graph ('' when it was not cut); `then`:
    what drawing more lets one do."""
    cut, asked = graph.cut, graph.max_nodes
    if not cut:
        return ""
    if asked is not None and asked >= MOST:
        return (f"--max-nodes {MOST:,} is the most that can be drawn; run fewer passes (a smaller loop) "
                "to see the last one's steps")
    larger = min(MOST, max(2 * WHOLE_UP_TO, 2 * (asked or 0)))
    return f"give --max-nodes {larger} (or more) to draw more of the graph and {then}"


def outside_message(graph):
    """The Backward tab's message for a pass whose steps are all undrawn (None: some are drawn,
    or no pass ran)."""
    n = steps_outside(graph)
    if not n:
        return None
    steps = "1 step" if n == 1 else f"{n:,} steps"
    said = (f"Backward ran (its last pass took {steps}), but none of the functions that pass popped is among "
            "the drawn nodes, so there is no step to show here.")
    cut, asked = graph.cut, graph.max_nodes
    if cut:
        drawn = len(graph.variables) + len(graph.functions)
        where = (f"the graph has more than {WHOLE_UP_TO:,} nodes, so only the {drawn:,} nearest the output "
                 "are drawn" if asked is None
                 else f"the graph was cut at --max-nodes {asked}, so the nodes nearest the output are drawn")
        said += f" Here {where}, and the last pass's steps lie outside them: {more_nodes_advice(graph)}."
    return said


def text_note(graph):
    """The text summary's line for the same case (None when some steps are drawn)."""
    n = steps_outside(graph)
    if not n:
        return None
    advice = more_nodes_advice(graph, then="of its steps")
    return (f"none of the last backward's {n:,} steps is drawn (they lie outside the drawn nodes), so the "
            "grads it left on its leaves may not be shown here" + (f"; {advice}." if advice else "."))
