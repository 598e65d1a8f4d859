"""Notes on what a `%%dezero` cell did with students' own classes as a
whole, where the graph alone would mislead: the cell also used dezero's
classes (only one graph is drawn), the backward ran on a graph no variable
holds any more (made inside a def, or deleted), a student's Function
raised before it returned (nothing, or not all, to draw), or its __call__
returned None.
"""
import ast
import inspect
import textwrap
import types

import numpy as np

from dezero_magic.backward_watch import from_dezero
from dezero_magic.cell_names import bound_by_calls
from dezero_magic.bindings import rebound
from dezero_magic.exc_text import described, message
from dezero_magic.links import is_variable_like
from dezero_magic.naming import attr_of
from dezero_magic.render.text import count_of


def _is_students(obj):
    return not from_dezero(type(obj))


def _students_function(obj):
    """A student's Function, also one whose __call__ raised before it stored
    its inputs and outputs: its class has a `forward` and nothing of dezero's."""
    try:
        cls = type(obj)
        return (callable(getattr(cls, "forward", None)) and not hasattr(obj, "creator")
                and not any(from_dezero(c) for c in cls.__mro__))
    except Exception:  # noqa: BLE001 - a user property that raises: not a function we can tell
        return False


def mixed_notes(watch, namespace, names, before=None):
    """[the note] when a cell drawn from dezero's events also ran students'
    own classes (their backward ran, or it bound one of their variables
    with a creator), else []: one graph is drawn, dezero's, and the other's
    is not, so say how to see it. `names`: those the cell binds or reads at
    its top level; `before`: bindings.bindings taken before the cell ran."""
    if watch is None:
        return []
    own = [n for n in names if n in namespace and is_variable_like(namespace[n]) and _is_students(namespace[n])
           and attr_of(namespace[n], "creator") is not None and (before is None or rebound(n, namespace, before))]
    if not own and not watch.calls:
        return []
    draw = f"`%dezero {own[-1]}`" if own else "`%dezero NAME` on one of your variables"
    return [f"This cell used both your own classes and dezero's: one graph is drawn, dezero's. To see the graph "
            f"of your classes, draw it with {draw} in a cell of its own, or run their part in a %%dezero "
            "cell of its own."]


def lost_graph_note(calls_seen, drawn):
    """The watch saw `calls_seen` backward calls of the student's classes,
    but none of the last pass's functions is alive to draw: the graph was
    made inside a def (freed when it returned), or deleted. `drawn`: other
    nodes are drawn (what the cell's variables still hold)."""
    held = ("what is drawn is only what your variables still hold" if drawn
            else "there is nothing left to draw")
    return (f"Your classes ran ({count_of(calls_seen, 'backward call')}), but no variable left in the notebook "
            "holds the graph that backward ran on (it was made inside a function, or deleted with del), so "
            f"{held}: keep the output in a variable (return it from the function) to see its graph.")


def _students_frames(error):
    """The traceback's frames (outermost first) and the index of the
    innermost one running a method of a student's Function, or None."""
    frames, tb = [], getattr(error, "__traceback__", None)
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for i in range(len(frames) - 1, -1, -1):
        obj = frames[i].f_locals.get("self")
        if obj is not None and _students_function(obj):
            return frames, i
    return frames, None


# A forward returning one array where the book's step-11 __call__ iterates over
# a tuple of them (`for y in ys`, `y, = ys`) raises with one of these
_NOT_ITERABLE = ("object is not iterable", "cannot unpack non-iterable")


def raised_note(error, drawn):
    """Where the cell raised, when a student's Function's forward or
    __call__ was running (its backward is told by the steps): it never
    returned, so it is not drawn; with the usual cause when the exception
    says a single value was iterated over in __call__. None otherwise.
    `drawn`: some Function of the student's is drawn."""
    if error is None:
        return None
    frames, at = _students_frames(error)
    if at is None:
        return None
    frame = frames[at]
    where = frame.f_code.co_name
    if where == "backward":
        return None
    op = type(frame.f_locals["self"]).__name__
    drawn_text = (", which is not drawn: it never returned" if drawn
                  else " before any of your Functions finished, so no Function is drawn")
    note = f"The cell raised in your {op}.{where}{drawn_text} ({described(error)})."
    # (only comprehension frames below __call__: the iteration was __call__'s own)
    own = all(f.f_code.co_name.startswith("<") for f in frames[at + 1:])
    if (where == "__call__" and own and isinstance(error, TypeError)
            and any(text in message(error) for text in _NOT_ITERABLE)):
        note += (f" {op}.forward returned one value where your Function.__call__ goes through a tuple of them: "
                 "return a tuple, `return (y,)` (book step 11), or let __call__ wrap a single one, "
                 "`if not isinstance(ys, tuple): ys = (ys,)` (step 12).")
    return note


def own_no_graph_note(expr, value, namespace=None):
    """`%dezero x` on a leaf of the student's own classes: why no graph is
    behind it, in their terms (dezero's note names no_grad(), F.accuracy and
    unchain(), which their classes do not have). None for dezero's variables."""
    if not _is_students(value):
        return None
    config = (namespace or {}).get("Config")
    own_config = isinstance(config, type) and not from_dezero(config) and hasattr(config, "enable_backprop")
    also = " or made while your Config.enable_backprop was False (no_grad, book step 18)" if own_config else ""
    return (f"{expr} has no creator, so there is no graph behind it: it is a leaf you made "
            f"({type(value).__name__}(...)){also}, not the output of one of your Functions; draw an output, "
            "e.g. %dezero y.")


def object_array_note(names, namespace, before=None):
    """When a name the cell bound holds a NumPy array of Variables
    (dtype=object) instead of a Variable: `np.array([2.0]) + x` with a
    Variable class NumPy does not step aside for (book step 21:
    __array_priority__), or np.array([v1, v2]) of a student's Variables
    (dezero's refuse np.array: theirs get here only in an object array
    filled one by one, np.empty(2, dtype=object)). Nothing draws it (it has
    no creator), so the graph alone would only look empty. None otherwise."""
    for name in names:
        value = namespace.get(name)
        if not (isinstance(value, np.ndarray) and value.dtype == object):
            continue
        if before is not None and not rebound(name, namespace, before):
            continue
        held = next((e for e, _ in zip(value.flat, range(1000)) if is_variable_like(e)), None)
        if held is None:
            continue
        cls = type(held)
        what = (f"{name} is a NumPy array holding {cls.__name__} objects (dtype=object), not a {cls.__name__}, "
                "so no graph is drawn for it")
        if not _is_students(held):
            return (f"{what}. An array made with dtype=object (np.empty(2, dtype=object), then {name}[0] = a) only "
                    "holds them: no dezero function takes it. Keep the Variables in a list, and compute with the "
                    "Variables themselves to get a graph.")
        made = ("NumPy made an array of them: np.array([...]) of Variables makes one, and so does an ndarray "
                "on the left of an operator (`np.array([2.0]) + x`), whose NumPy operator runs first, element by "
                "element")
        if not getattr(cls, "__array_priority__", 0):
            # (which of the two made it is not known: both are said, the step-21 fix for the second)
            return (f"{what}. {made}, unless your {cls.__name__} class has `__array_priority__ = 200` (book step "
                    f"21): then NumPy leaves the operator to {cls.__name__}.__radd__ and the others, which return "
                    "a Variable. Compute with the Variables themselves to get a graph.")
        return f"{what}. {made}. Compute with the Variables themselves to get a graph."
    return None


def none_call_note(names, namespace, code="", error=None, backprop_off=False):
    """A name of the cell that holds None while a student's Function.__call__
    can end without `return`: `y = Square()(x)` gave None (book step 18's
    `return` indented into `if Config.enable_backprop:` returns nothing under
    no_grad(); a __call__ with no `return` at all, never anything), and the
    graph shows only the input. Also when the cell raised a TypeError or
    AttributeError about None (`x * x + 1`: the product was None, then
    `None + 1` raised), where no name is left holding the None: only when
    the cell can have run with backprop off (`backprop_off`: --no-grad; or
    its code says no_grad/enable_backprop/using_config) or a __call__ never
    returns, as step 18's freed `a.grad` raises on None too. None when no
    such name or __call__."""
    called = bound_by_calls(code)   # (g = y.grad is None when the book freed it: no __call__'s doing)
    empty = [n for n in names if n in called and n in namespace and namespace[n] is None]
    on_none = isinstance(error, (TypeError, AttributeError)) and "NoneType" in message(error)
    if not empty and not on_none:
        return None
    # (a student's Config switched off in an earlier cell and still off counts: review W23-4)
    off = (backprop_off or getattr(namespace.get("Config"), "enable_backprop", True) is False
           or any(w in code for w in _BACKPROP_OFF))
    for call in _students_calls(namespace):
        why, never = _why_none(call)
        if why is None or not (empty or off or never):
            continue
        if empty:
            shown = ", ".join(empty[:3])
            return (f"{shown} {'is' if len(empty) == 1 else 'are'} None: your Function.__call__ returned None. "
                    f"{why}")
        return (f"The cell raised on None ({described(error)}): most likely one of your Functions "
                f"gave None, as your Function.__call__ can return None. {why}")
    return None


# The words of a cell that can switch backprop off (book step 18)
_BACKPROP_OFF = ("no_grad", "enable_backprop", "using_config")


def _students_calls(namespace):
    """The `__call__` functions of the student's Function classes in the namespace (each once)."""
    found = {}
    for value in list(namespace.values()):
        if not isinstance(value, type) or from_dezero(value) or not callable(getattr(value, "forward", None)):
            continue
        for cls in value.__mro__:
            call = vars(cls).get("__call__")
            if isinstance(call, types.FunctionType) and not from_dezero(cls):
                found.setdefault(id(call), call)
                break
    return list(found.values())


def _why_none(call):
    """(Why `call`, a Function.__call__, may return None, said with the fix; whether it never
    returns anything); (None, False) when it always returns."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(call)))
        body = tree.body[0].body
    except Exception:  # noqa: BLE001 - no source (exec'd code): not told
        return None, False
    if _always_returns(body):
        return None, False
    inside = [node for node in body if isinstance(node, ast.If) and any(
        isinstance(n, ast.Return) for n in ast.walk(node))]
    if inside:
        test = ast.unparse(inside[-1].test)
        when = (" (under no_grad(), book step 18)" if "enable_backprop" in test else "")
        return (f"Its `return` is inside `if {test}:`, so when that is false{when} it returns nothing: "
                "put the `return` after the `if`, unindented."), False
    if not any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree)):
        return ("It has no `return`: end it with `return outputs if len(outputs) > 1 else outputs[0]` "
                "(book step 12; `return output` before step 11)."), True
    return "It can end without reaching its `return`: make every way through it return the output.", False


def _always_returns(body):
    """Whether every way through the statements `body` ends in a `return` or `raise`."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    if isinstance(last, (ast.With, ast.Try)):
        return _always_returns(last.body)
    return False
