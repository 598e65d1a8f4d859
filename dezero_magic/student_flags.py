"""--no-grad and --retain-grad for students' own book-style classes.

Those classes read their own step-18 `Config` and their own
`backward(retain_grad=...)`, not dezero's: --no-grad switches the student's
Config off for the cell (restored on every exit), and the graph's notes say
what each flag did -- or why it could not.
"""
import contextlib

from dezero.config import Config as DezeroConfig
from dezero_magic.adapters import lacks_creator, no_creator_note
from dezero_magic.cell_names import sets_attribute
from dezero_magic.student_notes import takes_retain_grad


def students_config(namespace):
    """The student's own `Config` class of book step 18 in the namespace
    (one with `enable_backprop`, not dezero's), or None."""
    cls = namespace.get("Config")
    if not isinstance(cls, type) or issubclass(cls, DezeroConfig) or cls.__name__ != "Config":
        return None
    try:
        return cls if hasattr(cls, "enable_backprop") else None
    except Exception:  # noqa: BLE001 - a metaclass property that raises: not the book's Config
        return None


@contextlib.contextmanager
def backprop_off(cls):
    """`cls.enable_backprop = False` inside the block, restored on every exit
    (an inherited value is restored by removing the class's own copy).
    Yields whether it was switched: a class that refuses is left alone."""
    try:
        own = "enable_backprop" in vars(cls)
        previous = cls.enable_backprop
        cls.enable_backprop = False
    except Exception:  # noqa: BLE001 - a metaclass that forbids it must not break the cell
        yield False
        return
    try:
        yield True
    finally:
        if own:
            cls.enable_backprop = previous
        else:
            del cls.enable_backprop


def flag_notes(opts, namespace, switched):
    """What --no-grad / --retain-grad did to a graph of students' classes,
    which read their own Config and backward(retain_grad=...), not dezero's."""
    notes = []
    if opts.no_grad:
        current = namespace.get("Config")
        if switched is not None and current is switched:
            notes.append(f"--no-grad: your Config.enable_backprop was False while this cell ran (it is "
                         f"{switched.enable_backprop!r} again now), so Functions that check it "
                         "(book step 18) set no creator and kept no inputs.")
        elif students_config(namespace) is not None:
            notes.append("--no-grad sets dezero's Config only, and this cell defines its own Config, so it "
                         "could not be switched off before the cell ran: your classes built their graph as "
                         "usual. Define Config in an earlier cell, or write `with no_grad():` in the cell.")
        else:
            notes.append("--no-grad sets dezero's Config only: your classes have no Config.enable_backprop "
                         "it could switch off (book step 18 adds it), so they built their graph as usual.")
    if opts.retain_grad:
        if takes_retain_grad(namespace.get("Variable")):
            notes.append("--retain-grad sets dezero's Config only: your Variable.backward decides itself which "
                         "grads it keeps; call y.backward(retain_grad=True) in your code (book step 18).")
        else:
            notes.append("--retain-grad sets dezero's Config only: your Variable.backward has no retain_grad "
                         "argument yet, so it keeps every grad anyway (book step 18 adds the choice).")
    return notes


def creatorless_note(names, namespace, rebound):
    """The steps 1-6 message, when the cell (re)bound variables without `creator`."""
    found = [n for n in names if n in namespace and rebound(n) and lacks_creator(namespace[n], namespace)]
    return no_creator_note(found, [namespace[n] for n in found]) if found else None


def backprop_left_off(namespace, opts):
    """The student's own Config when its enable_backprop is False as a cell
    starts without --no-grad: an earlier cell left it off (a test of
    no_grad written as `Config.enable_backprop = False`). None otherwise."""
    cls = students_config(namespace)
    if cls is None or opts.no_grad:
        return None
    try:
        return cls if cls.enable_backprop is False else None
    except Exception:  # noqa: BLE001 - a metaclass property that raises: nothing to tell
        return None


def left_off_note(cls, namespace, code="", made_graph=False):
    """Why the student's Functions made no graph: their Config.enable_backprop
    was False before the cell and still is (see `backprop_left_off`). None
    when the cell switched it back on, bound another Config, or sets
    Config.enable_backprop itself (book step 18's cell switches it on, runs
    a backward, then off: rerun, it starts False); None too when the cell
    `made_graph` (its Functions set a creator, or a backward went through
    one): then the value it started with did not stop them."""
    if made_graph or sets_attribute(code, "Config", "enable_backprop"):
        return None
    if namespace.get("Config") is not cls or getattr(cls, "enable_backprop", None) is not False:
        return None
    return ("Your Config.enable_backprop was already False when this cell started (set in an earlier cell?), so "
            "your Functions set no creator and kept no inputs (book step 18): their outputs are leaves with no "
            "graph behind them, and a backward() has nothing to go back through. Set "
            "`Config.enable_backprop = True` again, and switch it off only inside `with no_grad():`, which sets "
            "it back when the block ends.")
