"""Labels from the user namespace: `x = Variable(...)` is drawn as `x`.

Only the namespace's top-level names are looked at, plus the items of short
lists and tuples (`xs[0]`) and the parameters of layers and models
(`model.l0.W`), so the cost is one pass over the namespace.
"""
import re
import weakref
from collections import Counter

import numpy as np

from dezero.layers import Layer

# IPython's own entries; `_`-prefixed names (_, __, _3, _i3 ...) are skipped too.
_SKIP = {"In", "Out", "exit", "quit", "get_ipython"}
_MAX_ITEMS = 16
_MAX_PARAMS = 256   # parameters named per layer found in the namespace
_MAX_DEPTH = 4      # model.l0.W is depth 2
# Lone surrogates, and the bidi embedding/override/isolate controls (an unclosed
# RLO in a name reversed the text after it in the same line of ours).
_UNPRINTABLE = re.compile("[\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
MAX_LABEL = 200  # characters: a 100 kB name made every output (and each step's widget update) MBs


def _replacement(match):
    return "\ufffd" if "\ud800" <= match.group(0) <= "\udfff" else ""


def printable(text):
    """`text` as a plain str (a str subclass's own __str__ may raise), with
    lone surrogates (U+D800-U+DFFF) as U+FFFD and bidi controls removed: a
    name may hold any Python string, but a label goes into every output
    (text/plain and widget state included), which the kernel must encode as
    UTF-8."""
    if type(text) is not str and isinstance(text, str):
        text = str.__str__(text)
    return _UNPRINTABLE.sub(_replacement, text) if _UNPRINTABLE.search(text) else text


def namespace_names(namespace):
    """Map id(object) -> the first user-visible name that refers to it.

    A layer path (`model.l1.b`) replaces a plain name (`p`, `params[3]`) of a
    Parameter named as its attribute: a loop variable left over from an
    earlier cell (`for p in model.params()`) says less than where it lives.
    """
    names = {}
    if not namespace:
        return names
    pathed = set()  # ids named by a layer path: the first path stays
    for key, value in list(namespace.items()):
        if not isinstance(key, str) or key.startswith("_") or key in _SKIP:
            continue
        key = printable(key)  # (globals()["a\ud800"] = f binds one; it names a Function's box too)
        names.setdefault(id(value), key)
        if isinstance(value, (list, tuple)) and 0 < len(value) <= _MAX_ITEMS:
            for i, item in enumerate(value):
                names.setdefault(id(item), f"{key}[{i}]")
        elif isinstance(value, Layer):
            _name_params(value, key, names, pathed, [_MAX_PARAMS], _MAX_DEPTH)
    return names


def names_at_backward(namespace, names, variables, since):
    """vid -> name, for the `names` (those a cell binds at its top level)
    that refer in `namespace` to a variable `variables` (the tracer's
    registry) knows, or to an array that a leaf of vid `since` or later wraps
    (book steps 43+ pass x, t as arrays). Read when a backward begins: a loop
    that rebinds x, y, loss after the drawn backward (an evaluation) leaves
    the drawn nodes these names (`label_for`'s `at_backward`)."""
    known = variables.known
    found, arrays = {}, {}
    for name, value in zip(names, map(namespace.get, names)):
        kind = type(value)
        if kind is np.ndarray:
            arrays[id(value)] = name
        elif kind.__weakrefoffset__:  # (an int, a float takes no weak reference: is no variable)
            vid = known(weakref.ref(value))
            if vid is not None:
                found.setdefault(vid, name)
    if arrays:
        live = variables.live
        for vid in reversed(variables.first_seen):  # (newest first: vids only grow)
            if vid < since:
                break
            name = arrays.get(id(attr_of(live(vid), "data")))
            if name is not None:
                found.setdefault(vid, name)
    return found


def _name_params(layer, path, names, pathed, budget, depth):
    """`path.attr` for the Parameters and sub-layers of `layer`: every Linear
    calls its weight W, so two layers' Ws differ only by where they live."""
    for attr in list(getattr(layer, "_params", ())):
        if budget[0] <= 0:
            return
        value = layer.__dict__.get(attr)
        if value is None:
            continue
        budget[0] -= 1
        if isinstance(value, Layer):
            if depth > 1:
                _name_params(value, f"{path}.{attr}", names, pathed, budget, depth - 1)
            continue
        key = id(value)
        if key in pathed:
            continue
        if key not in names or getattr(value, "name", None) == attr:
            names[key] = f"{path}.{attr}"
            pathed.add(key)


def attr_of(obj, name):
    """getattr(obj, name, None) on a user's object, whose property may raise."""
    try:
        return getattr(obj, name, None)
    except Exception:  # noqa: BLE001 - a user property that raises counts as absent
        return None


def has_attr(obj, name):
    """hasattr on a user's object: a property that raises is still there
    (hasattr would say it is not, and swallow more than AttributeError)."""
    try:
        getattr(obj, name)
    except AttributeError:
        return False
    except Exception:  # noqa: BLE001 - a property that raises is still there
        return True
    return True


def label_for(obj, first_name, names, at_backward=""):
    """`obj.name` if set (`model.l0.W` when it is a layer's parameter of that
    name), else the name recorded first, else the namespace name, else, for a
    Variable without a creator, the namespace name of its data array, else
    `at_backward`: the name that referred to it when the drawn backward began
    (`names_at_backward`); with lone surrogates replaced (`printable`)."""
    label = printable(_label(obj, first_name, names) or at_backward or "")
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _label(obj, first_name, names):
    if obj is not None:
        name = getattr(obj, "name", None)
        if isinstance(name, str) and name:
            path = names.get(id(obj))
            if path is not None and path.endswith("." + name):
                return path
            return name
    if isinstance(first_name, str) and first_name:
        return first_name
    if obj is None:
        return ""
    label = names.get(id(obj))
    if label is None and attr_of(obj, "creator") is None:
        # From step 43 on the book passes numpy arrays (x, t) to layers and
        # losses; dezero wraps each in a Variable whose data IS that array.
        # (Only creator-less ones: a Function may return its input array.)
        data = attr_of(obj, "data")
        label = names.get(id(data)) if data is not None else None
    return label or ""


def display_names(graph):
    """id -> the name the panels give a graph node (the picker, details, the
    Backward stepper's lines and queue, the Memory tab): what the drawing
    shows (a label, 'Square → a', 'Tanh output'), with the node's id where
    that is not unique: "grad out to unnamed (v7)" on a projector named
    nothing the audience could find, so the drawing shows those ids too
    (`ids_drawn`). Cached on the graph until its node counts change."""
    key = (len(graph.variables), len(graph.functions))
    cached = graph.__dict__.get("_display_names")
    if cached is not None and cached[0] == key:
        return cached[1]
    creator = {v: f for f in graph.functions.values() for v in f.outputs}
    base = {}
    for f in graph.functions.values():
        outs = [graph.variables[v].label for v in f.outputs if v in graph.variables and graph.variables[v].label]
        base[f.id] = f"{f.title} → {', '.join(outs)}" if outs else f.title
    for v in graph.variables.values():
        made_by = creator.get(v.id)
        base[v.id] = v.label or (f"{made_by.title} output" if made_by is not None else "unnamed")
    uses = Counter(base.values())
    names = {i: b if uses[b] == 1 and b != "unnamed" else f"{b} ({i})" for i, b in base.items()}
    graph.__dict__["_display_names"] = (key, names)
    return names


def ids_drawn(graph):
    """The nodes whose panel name carries their id (`display_names`): the drawing tags them with it."""
    return {i for i, name in display_names(graph).items() if name.endswith(f" ({i})")}
