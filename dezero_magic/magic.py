"""The `%%dezero` cell magic and `%dezero` line magic: argument parsing
only; running the cell lives in `cellrun`, drawing in `trace`/`render`."""
import builtins
import importlib.util
import keyword
import re
import sys
import weakref

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from dezero.core import Parameter
from dezero.layers import Layer
from dezero_magic.adapters import graph_from_objects, is_students, lacks_creator, no_creator_note
from dezero_magic.exc_text import described
from dezero_magic.links import is_variable_like
from dezero_magic.magic_help import (HELP_OUTPUT, a_noun as _a, asks_help as _asks_help, line_hint as _line_hint,
                                     not_run, print_help as _print_help, repeated_option, value_is,
                                     with_hint as _with_hint)
from dezero_magic.cell_names import assigned_in
from dezero_magic.naming import attr_of, has_attr, label_for
from dezero_magic.cellrun import CellOptions, execute, execute_async
from dezero_magic import node_budget
from dezero_magic.node_budget import describe_default
from dezero_magic.earlier_grads import earlier_pass_note
from dezero_magic.student_cell_notes import own_no_graph_note
from dezero_magic.trace import Trace
from dezero_magic.tuple_hint import tuple_hint



def _check_name(name, option):
    if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
        short = option.split("/")[0]  # "-o/--output" -> "-o"
        raise UsageError(f"{option} {name!r}: give a Python variable name, e.g. {short} t")


# IPython's own names: storing a trace there breaks the session (Out[], _oh ...).
_RESERVED = {"In", "Out", "exit", "quit", "get_ipython", "_", "__", "___", "_oh", "_ih", "_dh", "_i", "_ii",
             "_iii"}
_RESERVED_PATTERN = re.compile(r"_i?\d+|__\w+__")   # _3, _i3 (history), dunders


def _check_output(name, user_ns, code=None):
    """-o NAME must not replace what the user has: a trace stored over `y`
    would break the next `y.backward()`."""
    if name is None:
        return
    taken = assigned_in(code)
    free = _free_name(user_ns, taken)
    if name in _RESERVED or _RESERVED_PATTERN.fullmatch(name):
        raise UsageError(f"-o {name}: that name belongs to IPython; store the trace under a name of "
                         f"your own, e.g. -o {free}")
    if name in user_ns and not isinstance(user_ns[name], Trace):
        raise UsageError(f"-o {name}: {name} already holds {_a(type(user_ns[name]).__name__)}, which the trace "
                         f"would replace; pick a new name, e.g. -o {free}")
    if name in taken:
        raise UsageError(f"-o {name}: the cell assigns {name} itself, and the trace would replace it; "
                         f"pick a new name, e.g. -o {free}")
    if name not in user_ns and hasattr(builtins, name):
        raise UsageError(f"-o {name}: that is a Python builtin, which the trace would hide; "
                         f"pick a new name, e.g. -o {free}")


def _free_name(user_ns, taken):
    """A name to suggest for -o: free in the namespace and in the cell (or
    holding an earlier trace, which -o may replace)."""
    for name in ("t", "trace", "tr", *(f"t{i}" for i in range(2, 1000))):
        if name not in taken and (name not in user_ns or isinstance(user_ns[name], Trace)):
            return name
    return "my_trace"


def _no_graph_note(expr, parameter=False):
    """Why the line magic's variable has no graph behind it."""
    if parameter:
        return (f"{expr} is a parameter: a leaf, made by its layer and changed by the optimizer, not by a "
                "function, so there is no graph behind it; draw the loss it went into, e.g. %dezero loss.")
    if expr.replace(" ", "").endswith(".grad"):
        # the graph of a grad is what steps 33-36 draw; a plain backward keeps none
        return (f"{expr} has no creator: a backward() without create_graph=True computes grads without "
                "recording a graph of them. Call backward(create_graph=True) (steps 33-36) and draw the grad "
                "again.")
    return (f"{expr} has no creator, so there is no graph behind it: it is a leaf you made, or it was "
            "computed under no_grad() or by a function that keeps no graph (F.accuracy, say), or "
            "unchain() / unchain_backward() cut it.")


def _drawn_first(value, outs):
    """The output refs with the variable %dezero draws first: the Gradients tab
    checks the first one alive, which must be that variable, not another end
    of its graph (a sibling output, say)."""
    try:
        ref = weakref.ref(value)
    except TypeError:
        return outs
    return [ref] + [r for r in outs if r() is not value]


def _unquote(text):
    """`-b "F.sum(y * 2)"`: IPython keeps the quotes that let an expression hold spaces."""
    if text is not None and len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _no_data(expr, value, user_ns):
    """Why `%dezero expr` has nothing to draw when its value's .data is None."""
    owner = _owner(value, user_ns)
    if owner is not None:
        layer, attr = owner
        cls = type(layer).__name__
        if type(layer).__module__.startswith("dezero."):  # dezero's lazy layers (Linear(out_size), ...)
            why = f"{_a(cls)} layer creates {attr} on its first call, when it sees the input's size"
        else:
            why = f"the {cls} layer that holds it as {attr} has not set its .data"
        return f"{expr} has no data yet ({why}); call the layer, then draw its output, e.g. %dezero y"
    if attr_of(value, "creator") is not None:  # computed, then its data dropped
        return f"{expr}'s .data is None, and %dezero draws only variables that hold data"
    return (f"{expr} holds no data ({type(value).__name__}(None): its .data is None), so there is no "
            "graph behind it; give it an array, e.g. Variable(np.array(1.0))")


def _owner(value, user_ns, depth=4):
    """(layer, attribute) of the namespace's Layer that holds `value` as a
    parameter (`lin.W`), or None."""
    layers = [(v, depth) for k, v in list(user_ns.items()) if isinstance(v, Layer) and not str(k).startswith("_")]
    seen = set()
    while layers:
        layer, left = layers.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        for attr in list(getattr(layer, "_params", ())):
            held = layer.__dict__.get(attr)
            if held is value:
                return layer, attr
            if isinstance(held, Layer) and left > 1:
                layers.append((held, left - 1))
    return None


def _check_common(args):
    refused = node_budget.check(args.max_nodes)
    if refused:
        raise UsageError(refused)
    _check_name(args.output, "-o/--output")


def _modes_available():
    if "dezero_magic.modes" in sys.modules:
        return True
    try:
        return importlib.util.find_spec("dezero_magic.modes") is not None
    except (ImportError, ValueError):
        return False


@magics_class
class DezeroMagics(Magics):
    """%%dezero: run a cell and show its dezero computation graph."""

    # IPython writes the usage line as "%" + this name (default: the method's, "dezero_cell")
    @magic_arguments("%dezero")
    @argument("-b", "--backward", metavar="EXPR", default=None,
              help="after the cell, call EXPR.backward(), only if the cell ran no backward pass itself "
                   "(after y.backward(create_graph=True) in the cell, -b gx is not called: for a second "
                   "derivative call gx.backward() in the cell); "
                   'quote an expression with spaces: -b "F.sum(y * 2)"')
    @argument("--retain-grad", action="store_true",
              help="set dezero.Config.retain_grad = True for the cell: every backward keeps intermediate grads")
    @argument("--no-grad", action="store_true",
              help="run the cell under dezero.no_grad(): no graph is kept, calls are still traced")
    @argument("-v", "--verbose", action="store_true",
              help="draw shapes and dtypes on the variables and longer value previews")
    @argument("--max-nodes", type=int, default=None, metavar="N",
              help=f"draw at most N nodes (N <= {node_budget.MOST:,}), those nearest the output "
                   f"(default: {describe_default()}); "
                   "the last call is always drawn whole, with its inputs and outputs")
    @argument("-o", "--output", metavar="NAME", default=None, help=HELP_OUTPUT["cell"])
    @argument("--rankdir", choices=("auto", "LR", "TB"), default="auto", metavar="auto|LR|TB",
              help="draw the graph left to right (LR) or top to bottom (TB); auto (default): LR, "
                   "or TB where the box shows clearly more of the graph top to bottom")
    @argument("--modes", action="store_true",
              help="run the cell AGAIN once per memory mode (default, retain_grad=True, no_grad), "
                   "each run on copies of what the cell (and the functions it calls) reads from earlier "
                   "cells, as they were before it ran; other side effects happen again (prints are "
                   "hidden, input() gets the answers the cell's own run got, files are written again; "
                   "with -b, each run calls "
                   "EXPR.backward() too; not for a cell with top-level await), and chart the memory each "
                   "run measured (tracemalloc)")
    @argument("--static", action="store_true",
              help="show the static SVG only, without the interactive widgets")
    @cell_magic("dezero")
    def dezero_cell(self, line, cell):
        """Run the cell as usual and show the computation graph dezero built.

        The cell runs unchanged (same namespace, prints, last-expression
        output, tracebacks). Variables are drawn as ovals with their value
        and grad, functions as boxes; the fill shows |grad|. A cell that
        trains in a loop shows the graph of its last backward pass; what
        ran after it (an evaluation) is counted in a note, not drawn; a
        second-order backward (create_graph=True) keeps the graph of y
        with the graph of its grad. Your own book-style Variable/Function
        classes are drawn too, with the order in which their backward
        methods ran. A wide graph is drawn top to bottom (--rankdir auto).

        -b EXPR calls EXPR.backward() after the cell only when the cell ran
        no backward pass itself: a cell that runs
        y.backward(create_graph=True) is not followed by -b gx; for the
        second derivative call gx.backward() in the cell (steps 33-34).

        Examples:

            %%dezero -b y
            x = Variable(np.array(2.0))
            y = F.exp(F.square(x))

            %%dezero --retain-grad -o t
            y = (x ** 2 + 1) * 3
            y.backward()

        `%dezero y` draws the graph that produced an existing variable y.
        """
        if _asks_help(line):
            _print_help(self.dezero_cell, "The cell was not run")
            return
        opts = self._checked_options(line, cell)
        _trace, backward_error = execute(self.shell, cell, opts, display)
        if backward_error:
            raise UsageError(backward_error)

    async def dezero_cell_async(self, line, cell):
        """`%%dezero` for a cell with top-level `await` (called by the input
        transform of `dezero_magic.autoawait`, not by users)."""
        if _asks_help(line):
            _print_help(self.dezero_cell, "The cell was not run")
            return
        opts = self._checked_options(line, cell)
        _trace, backward_error = await execute_async(self.shell, cell, opts, display)
        if backward_error:
            raise UsageError(backward_error)

    def _checked_options(self, line, cell):
        try:
            return self._cell_options(line, cell)
        except UsageError as exc:
            raise UsageError(not_run(str(exc))) from None

    def _cell_options(self, line, cell=None):
        try:
            args = parse_argstring(self.dezero_cell, line)
        except UsageError as exc:
            raise UsageError(_with_hint(str(exc), line)) from None
        repeated = repeated_option(line)
        if repeated:
            raise UsageError(repeated)
        _check_common(args)
        code = None
        if args.output and cell:
            try:
                code = self.shell.transform_cell(cell)
            except Exception:  # noqa: BLE001 - the run reports the cell's own syntax error
                code = cell
        _check_output(args.output, self.shell.user_ns, code)
        args.backward = _unquote(args.backward)
        if args.backward is not None:
            try:
                compile(args.backward, "<-b>", "eval")
            except SyntaxError as exc:
                raise UsageError(f"-b {args.backward!r} is not a Python expression ({exc.msg}); "
                                 "give e.g. -b y or -b loss") from None
        if args.modes and not _modes_available():
            raise UsageError("--modes is unavailable: dezero_magic.modes is not installed")
        opts = CellOptions(backward=args.backward, retain_grad=args.retain_grad, no_grad=args.no_grad,
                           verbose=args.verbose, max_nodes=args.max_nodes, output=args.output,
                           rankdir=args.rankdir, modes=args.modes, static=args.static)
        return opts

    @magic_arguments("dezero")
    @argument("-v", "--verbose", action="store_true",
              help="draw shapes and dtypes on the variables and longer value previews")
    @argument("--max-nodes", type=int, default=None, metavar="N",
              help=f"draw at most N nodes (N <= {node_budget.MOST:,}), those nearest the variable "
                   f"(default: {describe_default()}); "
                   "its creator is always drawn whole, with its inputs, even past N")
    @argument("-o", "--output", metavar="NAME", default=None, help=HELP_OUTPUT["line"])
    @argument("--rankdir", choices=("auto", "LR", "TB"), default="auto", metavar="auto|LR|TB",
              help="left to right (LR), top to bottom (TB), or auto (default): LR, or TB where the box "
                   "shows clearly more of the graph top to bottom")
    @argument("--static", action="store_true", help="show the static SVG only, without widgets")
    @argument("expr", nargs="+", metavar="EXPR",
              help="one variable or expression whose graph to draw (spaces allowed: %%dezero y * 2; one "
                   "starting with - goes after --: %%dezero -- -y)")
    @line_magic("dezero")
    def dezero_line(self, line):
        """Draw the graph that produced an existing variable.

        Examples:

            %dezero y
            %dezero -v --rankdir TB loss
        """
        if _asks_help(line):
            _print_help(self.dezero_line, "Nothing was drawn")
            return
        try:
            args = parse_argstring(self.dezero_line, line)
        except UsageError as exc:
            raise UsageError(_line_hint(str(exc), line)) from None
        _check_common(args)
        _check_output(args.output, self.shell.user_ns)
        expr = _unquote(" ".join(args.expr))  # (as -b's: %dezero "y * 2" is the expression, not a str)
        try:
            value = eval(expr, self.shell.user_ns)  # noqa: S307 - the user's own expression
        except Exception as exc:  # noqa: BLE001 - reported as a usage error
            raise UsageError(f"%dezero {expr}: evaluating it raised {described(exc)}") from None
        if not is_variable_like(value):
            if value is None and expr.endswith(".grad"):
                raise UsageError(f"%dezero {expr}: it is None: no grad is stored there. Either no backward "
                                 "has run since it was made or cleared (call the output's backward() first, "
                                 "e.g. y.backward()), or it is the grad of a variable a function made, the "
                                 "output included: a backward keeps the leaves' grads only, unless it ran with "
                                 "retain_grad=True (or the cell with %%dezero --retain-grad)")
            if not isinstance(value, type) and has_attr(value, "data") and attr_of(value, "data") is None:
                raise UsageError(f"%dezero {expr}: " + _no_data(expr, value, self.shell.user_ns))
            if lacks_creator(value, self.shell.user_ns):
                raise UsageError(f"%dezero {expr}: " + no_creator_note([expr], [value]))
            hint = tuple_hint(expr, value)
            if hint:
                raise UsageError(f"%dezero {expr}: its value is a tuple, not a Variable. {hint}.")
            raise UsageError(f"%dezero {expr}: its value is {value_is(value)}, not a Variable; "
                             "%dezero draws the graph that produced a Variable, e.g. %dezero y")
        graph, outs, leaves = graph_from_objects([value], self.shell.user_ns, max_nodes=args.max_nodes,
                                                 verbose=args.verbose)
        earlier = earlier_pass_note(expr, value, graph, leaves, self.shell.user_ns)
        if earlier is not None:
            graph.notes.append(earlier)
        if not graph.functions and getattr(value, "creator", None) is None:
            graph.notes.append(own_no_graph_note(expr, value, self.shell.user_ns)
                               or _no_graph_note(expr, isinstance(value, Parameter)))
        used = {i for f in graph.functions.values() for i in f.inputs}
        sinks = [v for v in graph.variables.values() if v.id not in used]
        if len(sinks) == 1 and not sinks[0].label:
            sinks[0].label = label_for(None, expr, {})  # `%dezero x.grad`: its node reads x.grad, not v5
        trace = Trace(graph, output_refs=_drawn_first(value, outs), leaf_refs=leaves, rankdir=args.rankdir,
                      verbose=args.verbose, static=args.static, source="objects")
        trace.line_magic = True  # its backward (if any) ran unwatched, in another cell
        trace.own_classes = is_students(value)
        if args.output:
            self.shell.user_ns[args.output] = trace
        display(trace)
