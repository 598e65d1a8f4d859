"""Running a `%%dezero` cell: the cell runs exactly as a normal cell
(through `shell.run_cell`, so prints, Out[], `_` and tracebacks are the
usual ones) while the tracer listens; then the graph is built and shown.

Guarantees: observers, the profile hook and `Config` are restored on every
exit (exceptions and KeyboardInterrupt included); a fault of ours while
building or drawing the graph becomes a one-line notice and never hides
the cell's own result; a cell that raised still counts as failed.
"""
import ast
import contextlib
from dataclasses import dataclass
from typing import Optional

from dezero import events
from dezero.config import no_grad, using_config
from dezero_magic import backward_watch
from dezero_magic.adapters import graph_from_objects, is_variable_like
from dezero_magic.assemble import graph_from_tracer
from dezero_magic.trace import Trace
from dezero_magic.tracer import Tracer

# Prepended to the body so traceback line numbers are the cell's own
# (line 1 of the cell is the `%%dezero` line).
LINE_ONE = "# %%dezero\n"


class CellFailed(Exception):
    """Raised to the caller of the magic when there is no outer cell to mark as failed."""


@dataclass
class CellOptions:
    backward: Optional[str] = None
    retain_grad: bool = False
    no_grad: bool = False
    verbose: bool = False
    max_nodes: int = 300
    output: Optional[str] = None
    rankdir: str = "LR"
    modes: bool = False
    static: bool = False


def names_in(code):
    """Names the code mentions (its variables are the roots of students' graphs)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return list(dict.fromkeys(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)))


def _call_backward(shell, expr):
    """Evaluate `-b EXPR` and call .backward() on it; returns an error message or None."""
    try:
        value = eval(expr, shell.user_ns)  # noqa: S307 - the user's own expression, in their namespace
    except Exception as exc:  # noqa: BLE001 - reported as the option's error
        return f"-b {expr}: evaluating it raised {type(exc).__name__}: {exc}"
    method = getattr(value, "backward", None)
    if not callable(method):
        return (f"-b {expr}: its value is a {type(value).__name__}, which has no .backward(); "
                "give an expression whose value is a Variable, e.g. -b loss")
    try:
        method()
    except Exception as exc:  # noqa: BLE001
        return f"-b {expr}: {expr}.backward() raised {type(exc).__name__}: {exc}"
    return None


def build_trace(shell, code, tracer, watch, opts, complete):
    """The Trace of what ran: dezero events if any, else the students' objects."""
    ns = shell.user_ns
    if tracer.forward_calls or tracer.saw_backward:
        graph, outs, leaves = graph_from_tracer(tracer, ns, opts.max_nodes, opts.verbose, complete)
        return Trace(graph, output_refs=outs, leaf_refs=leaves, rankdir=opts.rankdir,
                     verbose=opts.verbose, static=opts.static)
    roots = [ns[n] for n in names_in(code) if n in ns and is_variable_like(ns.get(n))]
    calls = watch.calls if watch else []
    graph, outs, leaves = graph_from_objects(roots, ns, calls=calls, max_nodes=opts.max_nodes,
                                             verbose=opts.verbose, complete=complete,
                                             elided_calls=watch.elided if watch else 0)
    return Trace(graph, output_refs=outs, leaf_refs=leaves, rankdir=opts.rankdir,
                 verbose=opts.verbose, static=opts.static, source="objects")


def run_body_once(shell, body):
    """A zero-argument callable running the body in the user namespace, output
    suppressed; it raises what the body raises (used by --modes)."""
    from IPython.utils.capture import capture_output

    code = shell.transform_cell(body)

    def run_body():
        with capture_output(display=True):
            exec(compile(code, "<%%dezero --modes>", "exec"), shell.user_ns)  # noqa: S102

    return run_body


def execute(shell, body, opts, display):
    """Run `body` traced; show the graph with `display`; return the Trace (or None)."""
    tracer = Tracer()
    code = shell.transform_cell(body)
    watch = backward_watch.BackwardWatch() if backward_watch.needed(code, shell.user_ns) else None
    outer = getattr(shell.displayhook, "exec_result", None)
    backward_error = None
    with contextlib.ExitStack() as stack:
        if opts.retain_grad:
            stack.enter_context(using_config("retain_grad", True))
        if opts.no_grad:
            stack.enter_context(no_grad())
        stack.enter_context(events.observing(tracer))
        if watch is not None:
            stack.enter_context(watch)
        result = shell.run_cell(LINE_ONE + body, store_history=False)
        ran = result.error_before_exec is None
        if opts.backward and result.success and not tracer.saw_backward and not (watch and watch.calls):
            backward_error = _call_backward(shell, opts.backward)
    if outer is not None:
        shell.displayhook.exec_result = outer  # the nested run_cell reset it to None
        if result.result is not None:
            outer.result = result.result     # the last expression's value, as a plain cell has it
    trace = None
    if ran:
        try:
            trace = build_trace(shell, code, tracer, watch, opts, complete=result.error_in_exec is None)
            if opts.modes and result.success:
                from dezero_magic.modes import measure_modes

                trace.mode_results = measure_modes(run_body_once(shell, body))
            if opts.output:
                shell.user_ns[opts.output] = trace
            display(trace)
        except Exception as exc:  # noqa: BLE001 - our fault must never mask the cell's result
            print(f"%%dezero: could not show the graph ({type(exc).__name__}: {exc}); "
                  "the cell itself ran normally.")
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        if outer is not None:
            # The traceback was shown by the nested run_cell; mark the outer cell failed.
            outer.error_in_exec = error
        else:
            raise error
    return trace, backward_error
