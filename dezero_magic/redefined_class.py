"""A student's class replaced by a partial one of the same name.

The book shows each step's additions to Variable as a short class
(`class Variable: __array_priority__ = 200`, step 21; the properties of
step 19). Typed into a cell of its own, that statement makes a NEW class
that holds only those lines, and the name `Variable` now refers to it:
every later `Variable(y)` in their Function.__call__ raises "Variable()
takes no arguments". The earlier, whole class is still seen through the
variables made before (x = Variable(...) of an earlier cell), or in the
notebook's input history.
"""
import ast

from dezero_magic.backward_watch import from_dezero
from dezero_magic.naming import attr_of

# What a whole book Variable has and a partial one lacks.
CORE = ("__init__", "backward")
# Cells of the input history looked at (newest first), and the longest read.
CELLS_LOOKED_AT = 200
LONGEST_CELL = 100_000


def _has(cls, method):
    """Whether `cls` defines `method` (an `__init__` of its own, not object's)."""
    found = attr_of(cls, method)
    return found is not None and found is not attr_of(object, method)


def _own_attrs(cls):
    """The names the partial class statement gave it, dunders Python adds left out."""
    skip = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__firstlineno__",
            "__static_attributes__"}
    try:
        return [n for n in vars(cls) if n not in skip]
    except TypeError:
        return []


def _older_by_objects(name, cls, namespace):
    """A class named `name`, not `cls`, that some variable of the namespace is an instance of."""
    for key, value in list(namespace.items()):
        if not isinstance(key, str) or key.startswith("_"):
            continue
        older = type(value)
        if older is not cls and older.__name__ == name and not from_dezero(older):
            return older
    return None


def _class_in(source, name):
    """The `class NAME` statements at the top of the cell `source` (ast nodes)."""
    if not isinstance(source, str) or f"class {name}" not in source or len(source) > LONGEST_CELL:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]


def _history_had(name, namespace):
    """The methods of CORE a `class NAME` statement of an earlier cell defined (the input history, `In`)."""
    cells = namespace.get("In")
    if not isinstance(cells, list):
        return set()
    had = set()
    for source in reversed(cells[-CELLS_LOOKED_AT:]):
        for node in _class_in(source, name):
            had.update(n.name for n in node.body if isinstance(n, ast.FunctionDef) and n.name in CORE)
    return had


def _example(cls, name, attr):
    """How to add `attr` of the partial class to the earlier one, by assignment."""
    held = vars(cls).get(attr)
    if isinstance(held, property):
        return f"`def {attr}(self): ...` as a function, then `{name}.{attr} = property({attr})`"
    if callable(held):
        return f"`def {attr}(self, ...): ...` as a function, then `{name}.{attr} = {attr}`"
    text = repr(held)
    return f"`{name}.{attr} = {text}`" if len(text) <= 40 else f"`{name}.{attr} = ...`"


def redefined_note(namespace, name="Variable", here=False):
    """The hint when `name` in the namespace is a student's class lacking
    the `__init__` (and maybe the `backward`) that an earlier class of that
    name had. None otherwise (also for a class with an `__init__` of its own:
    re-running step 6's class in a notebook that goes on to step 7 is no
    slip). `here`: this cell's class statement made it."""
    cls = namespace.get(name)
    if not isinstance(cls, type) or cls.__name__ != name or from_dezero(cls):
        return None
    lacks = [m for m in CORE if not _has(cls, m)]
    if not lacks:
        return None
    older = _older_by_objects(name, cls, namespace)
    had = {m for m in lacks if _has(older, m)} if older is not None else _history_had(name, namespace)
    lost = [m for m in lacks if m in had]
    if "__init__" not in lost:
        return None
    attrs = _own_attrs(cls)
    holds = f"only {', '.join(attrs[:4])}" if attrs else "nothing of the earlier one"
    example = _example(cls, name, attrs[0]) if attrs else f"`{name}.__array_priority__ = 200`"
    by = "this cell" if here else "a later cell"
    return (f"{name} was redefined by {by}: a `class {name}:` statement makes a new class, which replaced the "
            f"whole earlier one, and this {name} has {holds}, no {' or '.join(lost)} ({name}(...) raises "
            f"\"{name}() takes no arguments\"). "
            f"To add to a class, assign to it: {example}; or run the whole class again with the new lines "
            "in it, then the cells that make your variables.")
