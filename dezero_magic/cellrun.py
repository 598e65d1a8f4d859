"""Running a `%%dezero` cell: the cell runs exactly as a normal cell
(through `shell.run_cell`, so prints, Out[], `_` and tracebacks are the
usual ones) while the tracer listens; then the graph is built and shown.

Guarantees: observers, the profile hook and `Config` (dezero's, and a
student's own step-18 `Config` under --no-grad) are restored on every
exit (exceptions and KeyboardInterrupt included); a fault of ours while
building or drawing the graph becomes a one-line notice and never hides
the cell's own result; a cell that raised still counts as failed.
"""
import contextlib
import sys
from dataclasses import dataclass
from typing import Optional

from IPython.core.error import UsageError

from dezero import events
from dezero.config import no_grad, using_config
from dezero_magic import backward_watch, node_budget
from dezero_magic.adapters import cell_roots, graph_from_objects, is_students
from dezero_magic.backward_option import call_backward, show_backward_failure
from dezero_magic.exc_text import described
from dezero_magic.bindings import bindings, rebound
from dezero_magic.cell_names import assigned_in, bound_at_top_level, names_in, sets_grads, top_level_names
from dezero_magic.failure import failed_call_note, numpy_scalar_note
from dezero_magic.freed_grad_note import freed_grad_note
from dezero_magic.naming import namespace_names
from dezero_magic.redefined_class import redefined_note
from dezero_magic.recursion_room import UNLOADED, recursion_headroom, watch_notes
from dezero_magic.student_cell_notes import mixed_notes, none_call_note, object_array_note
from dezero_magic.student_flags import (backprop_left_off, backprop_off, creatorless_note, flag_notes, left_off_note,
                                        students_config)
from dezero_magic.assemble import graph_from_tracer
from dezero_magic.trace import Trace, earlier_variables
from dezero_magic.gcpace import paced_collector
from dezero_magic.grad_origin import raised_backwards
from dezero_magic.interrupts import interrupts_shown_without_our_frames
from dezero_magic.memory import NO_GRAD
from dezero_magic.nested_run import async_check_silent, cell_source, numbered_as, one_line_source, quiet_as
from dezero_magic.tracer import Tracer

class CellFailed(Exception):
    """Raised to the caller of the magic when there is no outer cell to mark as failed."""


@dataclass
class CellOptions:
    backward: Optional[str] = None
    retain_grad: bool = False
    no_grad: bool = False
    verbose: bool = False
    max_nodes: Optional[int] = None   # None: dezero_magic.node_budget's default
    output: Optional[str] = None
    rankdir: str = "auto"
    modes: bool = False
    static: bool = False


def _note_object_arrays(graph, names, namespace, before, code="", error=None, backprop_off=False):
    """What a name holds instead of a Variable: None from a student's __call__ (or the TypeError
    `error` a None from it raised), or an object array."""
    note = (none_call_note(names, namespace, code, error, backprop_off)
            or object_array_note(names, namespace, before))
    if note is not None:
        graph.notes.append(note)


def build_trace(shell, names, tracer, watch, opts, complete, before=None, switched=None, error=None, code=""):
    """The Trace of what ran: dezero events if any, else the students' objects.
    Those are the variables the cell (re)bound; all it mentions when their
    backward ran in the cell (`y.backward()` on an earlier cell's y). An
    earlier cell's graph is never shown as this one's. `names`: those the
    cell reads or binds at its top level (`cell_names.top_level_names`: a
    def's parameter `w` is no root, whatever an earlier cell bound to `w`).
    `switched`: the student's Config
    that --no-grad switched off, if any (see `student_flags.flag_notes`).
    `code`: the cell's source, for notes that name a line's slip."""
    ns = shell.user_ns
    if tracer.forward_calls or tracer.saw_backward:
        graph, outs, leaves = graph_from_tracer(tracer, ns, opts.max_nodes, opts.verbose, complete,
                                                no_grad_cell=opts.no_grad, cell_code=code)
        graph.notes.extend(mixed_notes(watch, ns, names, before))
        graph.notes.extend(watch_notes(watch, error))
        _note_object_arrays(graph, names, ns, before, code, error, opts.no_grad)
        trace = Trace(graph, output_refs=outs, leaf_refs=leaves, rankdir=opts.rankdir,
                      verbose=opts.verbose, static=opts.static)
        trace.first_derivatives = tracer.first_derivatives()  # (weak references: first_pass checks them)
        return trace
    # The last pass only, as for dezero: an earlier pass (before a cleargrad)
    # is counted, and its grads do not read as overwritten by the last one.
    calls, earlier = watch.last_pass() if watch else ([], 0)
    # (a pass whose recording stopped near the recursion limit is no whole pass either)
    partial = bool(watch and (watch.pass_cut or watch.pass_stopped))

    def bound_anew(n):
        return calls or before is None or rebound(n, ns, before)

    roots = cell_roots(names, ns, bound_anew)
    graph, outs, leaves = graph_from_objects(roots, ns, calls=calls, max_nodes=opts.max_nodes,
                                             verbose=opts.verbose, complete=complete,
                                             elided_calls=earlier, partial_pass=partial, error=error,
                                             grads_written=sets_grads(code))
    graph.notes.extend(watch_notes(watch, error))
    earlier = ([], [])
    if not graph.variables and not graph.functions:
        note = creatorless_note(names, ns, bound_anew)
        if note is not None:
            graph.notes.append(note)
            graph.creatorless = True
        earlier = earlier_variables(names, ns, bound_anew, code)
    elif calls or any(is_students(r) for r in roots):
        graph.notes.extend(flag_notes(opts, ns, switched))
    _note_object_arrays(graph, names, ns, before, code, error, opts.no_grad)
    if switched is not None:
        graph.ran_as = NO_GRAD  # --no-grad switched the student's own Config off: their classes kept no graph
    trace = Trace(graph, output_refs=outs, leaf_refs=leaves, rankdir=opts.rankdir,
                  verbose=opts.verbose, static=opts.static, source="objects")
    trace.earlier = earlier  # (read by its empty caption: `y` alone names y, made in an earlier cell)
    # (what the Memory tab calls "your own classes": an earlier cell's dezero Variable rebound here is not)
    trace.own_classes = bool(calls) or any(is_students(r) for r in roots)
    if tracer.error is not None:
        trace.notices.append(f"The tracer failed ({type(tracer.error).__name__}: {tracer.error}) and "
                             "recorded nothing; this graph is rebuilt from the cell's variables.")
    return trace


class TracedRun:
    """One `%%dezero` cell: the observers and Config around the nested run
    (`listening`), then the graph shown (`show`). `execute` and
    `execute_async` differ only in how the nested run is awaited."""

    def __init__(self, shell, body, opts):
        self.shell = shell
        self.body = body
        self.opts = opts
        self.source = cell_source(body)
        # Calls and steps kept (the drawn ones are the most recent calls and
        # the first steps): see node_budget.window.
        window = node_budget.window(opts.max_nodes)
        self.tracer = Tracer(keep=window, max_steps=window)
        try:
            self.code = shell.transform_cell(body)
        except Exception:  # noqa: BLE001 - IPython's token transforms raise an IndentationError
            # before any parse: the nested run_cell meets it again and shows it as a plain cell
            # does (IPython's short syntax error, the line counted from `%%dezero`), not raised here
            self.code = body
        else:
            self.source = one_line_source(shell, body, self.code) or self.source
        self.names = names_in(self.code)
        self.roots = top_level_names(self.code)  # a graph's roots: not names local to a def
        # (what they referred to when a backward began: an evaluation loop rebinds x, y, loss after it)
        bound = bound_at_top_level(self.code)
        self.tracer.cell_names = (shell.user_ns, bound) if bound else None
        try:
            needed = backward_watch.needed(self.code, shell.user_ns, self.names)
        except Exception:  # noqa: BLE001 - a namespace object we cannot inspect: no watch, the cell still runs
            needed = False
        self.watch = backward_watch.BackwardWatch() if needed else None
        self.before = bindings(self.names, shell.user_ns)
        # --modes re-runs start from the state this cell starts from (copied now, before it runs)
        self.snapshot = None
        if opts.modes:
            from dezero_magic.rerun import Snapshot

            try:
                self.snapshot = Snapshot(shell, body)
            except Exception:  # noqa: BLE001 - a body IPython cannot transform: --modes says so later
                self.snapshot = None
        self.outer = getattr(shell.displayhook, "exec_result", None)
        self.result = None
        self.backward_error = None
        self.backward_called = False  # -b called EXPR.backward() (the re-runs of --modes call it too)
        self.backward_raised = False  # ... and it raised: the cell's own code had run without an error
        self.switched = None          # the student's Config that --no-grad switched off
        self.left_off = backprop_left_off(shell.user_ns, opts)  # theirs, False before the cell ran

    @contextlib.contextmanager
    def listening(self):
        opts = self.opts
        with contextlib.ExitStack() as stack:
            # Last out, even when the nested run itself raised (ipykernel's traceback of an
            # exception whose __str__ raises): the outer cell's result must not stay reset.
            stack.callback(self._restore_outer)
            if self.snapshot is not None:
                stack.enter_context(self.snapshot.recording_input())  # --modes re-runs get its answers
            if opts.retain_grad:
                stack.enter_context(using_config("retain_grad", True))
            if opts.no_grad:
                stack.enter_context(no_grad())
                # Students' classes of step 18 read their own Config: switch it too.
                config = students_config(self.shell.user_ns)
                if config is not None and stack.enter_context(backprop_off(config)):
                    self.switched = config
            stack.enter_context(events.observing(self.tracer))
            # Paced from the start where only dezero's classes can run (their graphs hold no
            # cycles: nothing waits longer); with the students' classes (book step 16's
            # cycles, measured in step 17) only once the cell is long.
            pacer = stack.enter_context(paced_collector(now=self.watch is None))
            self.tracer.on_long_cell = pacer.pace
            if self.watch is not None:
                stack.enter_context(self.watch)
            stack.enter_context(numbered_as(self.shell, getattr(self.outer, "execution_count", None)))
            stack.enter_context(quiet_as(self.shell, self.code))
            stack.enter_context(async_check_silent(self.shell))
            stack.enter_context(interrupts_shown_without_our_frames(self.shell))
            stack.enter_context(recursion_headroom(self.shell))
            yield

    def _usage_error_alone(self):
        """IPython refused the body (`%%nosuchmagic` on the line below) and
        nothing ran: its message is all there is to show."""
        recorded = self.tracer.forward_calls or self.tracer.saw_backward or (self.watch and self.watch.calls)
        return isinstance(self.result.error_in_exec, UsageError) and not recorded

    def _restore_outer(self):
        if self.outer is not None:
            self.shell.displayhook.exec_result = self.outer  # the nested run_cell reset it to None

    def ran(self, result):
        """Inside `listening`, after the nested run: the -b backward, if asked for."""
        self.result = result
        watched = self.watch is not None and self.watch.calls
        if self.opts.backward and result.success and not self.tracer.saw_backward and not watched:
            self.backward_called = True
            error = call_backward(self.shell, self.opts.backward)
            if isinstance(error, BaseException):
                # The user's backward failed: the cell fails with their exception.
                if self.outer is not None:
                    show_backward_failure(self.shell, self.opts.backward, error)
                result.error_in_exec = error
                self.backward_raised = True
            else:
                self.backward_error = error  # (backward_option already names a tuple's item to give)

    def _backward_option_notes(self):
        """What became of -b, on the graph itself: its error is raised below
        the whole view, off a projected screen."""
        expr = self.opts.backward
        if not expr or not self.result.success:
            return []
        if self.backward_error:
            return [f"{self.backward_error}. The backward pass did not run: no grads are drawn."]
        if not self.backward_called:
            return [f"-b {expr} was not called: the cell ran a backward pass itself, and the graph of "
                    "its last pass is drawn."]
        return []

    def _draw(self, display):
        """Build the Trace of what ran, add the notes of this run, store it (-o) and show it."""
        shell, opts, result = self.shell, self.opts, self.result
        trace = build_trace(shell, self.roots, self.tracer, self.watch, opts,
                            complete=result.error_in_exec is None, before=self.before,
                            switched=self.switched, error=result.error_in_exec, code=self.code)
        trace.backward_expr = opts.backward  # (the Backward tab names it when the cell raised first)
        trace.no_grad_option = bool(opts.no_grad)  # (... and says --no-grad, not the cell, kept no graph)
        trace.graph.interrupted = isinstance(result.error_in_exec, KeyboardInterrupt)
        if self.tracer.unloaded and UNLOADED not in trace.graph.notes:
            trace.graph.notes.append(UNLOADED)  # (the cell ran %unload_ext dezero_magic: nothing after it heard)
        # (the Gradients tab tells a backward that raised from one that returned None)
        trace.backward_raised = raised_backwards(self.watch, result.error_in_exec)
        if self.backward_raised:
            trace.graph.raised_in = f"{opts.backward}.backward() (called by -b {opts.backward})"
        trace.graph.notes[:0] = self._backward_option_notes()
        if self.left_off is not None and trace.own_classes:
            watch = self.watch
            made = bool(trace.graph.functions) or (watch is not None and bool(watch.elided or watch.calls))
            note = left_off_note(self.left_off, shell.user_ns, self.code, made_graph=made)
            if note is not None:
                trace.graph.notes.append(note)
        if opts.max_nodes and opts.max_nodes > node_budget.WHOLE_UP_TO:
            size = len(trace.svg())
            if size > node_budget.HEAVY_CHARS:
                trace.graph.notes.append(node_budget.heavy_note(size, opts.max_nodes))
        here = "class Variable" in self.code and "Variable" in assigned_in(self.code)
        if result.error_in_exec is not None or here:
            note = redefined_note(shell.user_ns, here=here)  # (a partial `class Variable:` cell: steps 19-21)
            if note is not None:
                trace.graph.notes.append(note)
        if result.error_in_exec is not None:
            error = result.error_in_exec
            for note in (failed_call_note(error, namespace_names(shell.user_ns)),
                         numpy_scalar_note(error), freed_grad_note(error, self.code, shell.user_ns)):
                if note is not None:
                    trace.graph.notes.append(note)
        if opts.modes and result.success:
            from dezero_magic.modes import measure_modes
            from dezero_magic.rerun import CannotRerun, run_body_once

            backward = opts.backward if self.backward_called else None
            try:
                trace.mode_results = measure_modes(run_body_once(shell, self.body, backward,
                                                                 snapshot=self.snapshot))
            except CannotRerun as exc:
                trace.graph.notes.append(str(exc))
        elif opts.modes:
            trace.graph.notes.append("--modes did not measure this cell: it raised (the re-runs "
                                     "would raise too); fix the error and run it again.")
        if opts.output:
            shell.user_ns[opts.output] = trace
        display(trace)
        return trace

    def show(self, display):
        result, outer = self.result, self.outer
        if outer is not None:
            self._restore_outer()
            if result.result is not None:
                outer.result = result.result     # the last expression's value, as a plain cell has it
        trace = None
        interrupted = None
        if result.error_before_exec is None and not self._usage_error_alone():
            try:
                trace = self._draw(display)
            except KeyboardInterrupt as stop:
                # Pressed while the graph was drawn, after the cell's own code: say so in a line (the
                # traceback ran through layout code, and read as our crash), keep what the cell made,
                # and let the outer cell fail as interrupted, so that Run All stops as the user asked.
                done = ("ran to its end (its variables and output are kept)" if result.error_in_exec is None
                        else "had raised the error shown above")
                print(f"%%dezero: drawing the graph was interrupted; the cell itself {done}. Run the cell "
                      "again to see its graph.", file=sys.stderr)
                interrupted = stop
            except Exception as exc:  # noqa: BLE001 - our fault must never mask the cell's result
                cell = ("the cell itself ran normally" if result.error_in_exec is None
                        else "the cell's own error is shown above")
                print(f"%%dezero: could not show the graph ({described(exc)}); {cell}.")
        error = result.error_before_exec or result.error_in_exec or interrupted
        if error is not None:
            if outer is not None:
                # The traceback was shown by the nested run_cell; mark the outer cell failed (a
                # syntax error as a plain cell's: before exec, for front ends that read the reply).
                if result.error_before_exec is not None:
                    outer.error_before_exec = error
                else:
                    outer.error_in_exec = error
            else:
                raise error
        return trace, self.backward_error


def execute(shell, body, opts, display):
    """Run `body` traced; show the graph with `display`; return (Trace or None, -b error or None)."""
    run = TracedRun(shell, body, opts)
    with run.listening():
        run.ran(shell.run_cell(run.source, store_history=False))
    return run.show(display)


async def execute_async(shell, body, opts, display):
    """`execute` for a body with top-level `await`, on the loop the outer cell
    runs on (see `autoawait`); the nested run is `run_cell` minus its runner."""
    run = TracedRun(shell, body, opts)
    with run.listening():
        failed_transform = None
        try:
            transformed = shell.transform_cell(run.source)
        except Exception:  # noqa: BLE001 - IPython shows it as the cell's error, as run_cell does
            transformed, failed_transform = run.source, sys.exc_info()
        result = None
        try:
            result = await shell.run_cell_async(run.source, store_history=False, transformed_cell=transformed,
                                                preprocessing_exc_tuple=failed_transform)
        finally:
            shell.events.trigger("post_execute")
            shell.events.trigger("post_run_cell", result)
        run.ran(result)
    return run.show(display)
