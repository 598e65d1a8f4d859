"""What the Backward tab says when the cell's output was computed under
no_grad (book step 50's evaluation cell). Its general "No backward pass was
recorded ... call loss.backward(), or run it with %%dezero -b loss" told a
cell that had -b loss to add it, and a cell with nothing wrong to fix it (QA 24, H2)."""

NO_GRAD_CELL = ("{the} cell ran its dezero calls under no_grad() (or with Config.enable_backprop=False), which "
                "keeps no graph, so there is no backward pass to step through.")
NO_GRAD_OUTPUT = ("{y} was computed under no_grad() (or with Config.enable_backprop=False), which keeps no "
                  "graph, so there is no backward pass to step through.")
# (-b ran the backward: it is told what that backward found, not to add -b)
B_RAN = "-b {expr} called {expr}.backward(), but it ran no step: "
# (an if: the cell may have called y.backward() itself, which then ran no step, as the caption says)
NOTHING_TO_FIX = (" If this is an evaluation cell, that is as it should be. To step through a backward pass, "
                  "compute {y} with backprop enabled (outside no_grad) and call {call}.")
BY_OPTION = ("{the} cell ran under %%dezero --no-grad, which runs its dezero calls under no_grad() and keeps no "
             "graph, so there is no backward pass to step through.")


def _made_under_no_grad(graph):
    """Whether every output of the drawn graph (a variable a drawn function
    made and none used) was made by a call that ran under no_grad."""
    used = {i for f in graph.functions.values() for i in f.inputs}
    maker = {out: f for f in graph.functions.values() for out in f.outputs}
    ends = [v for v in graph.variables.values() if v.id not in used and v.id in maker]
    return bool(ends) and all(maker[v.id].no_grad for v in ends)


def no_grad_text(graph, expr=None, by_option=False):
    """The tab's text for a cell whose output was computed under no_grad,
    or None when it was not; `expr`: the cell's -b, if it had one;
    `by_option`: the cell ran with %%dezero --no-grad."""
    if not _made_under_no_grad(graph):
        return None
    name = graph.output_label()
    named = name.isidentifier()
    head = B_RAN.format(expr=expr) if expr else ""
    if by_option:   # (the option did it, not the user's code: review R2-F3)
        return head + BY_OPTION.format(the="the" if head else "The") + " Run it without --no-grad to step through it."
    if all(f.no_grad for f in graph.functions.values()):
        said = NO_GRAD_CELL.format(the="the" if head else "The")
    else:
        said = NO_GRAD_OUTPUT.format(y=name if named else ("the output" if head else "The output"))
    fix = NOTHING_TO_FIX.format(y=name if named else "the output",
                                call=f"{name}.backward()" if named else "its backward()")
    return head + said + fix
