"""Labels from the user namespace: `x = Variable(...)` is drawn as `x`.

Only the namespace's top-level names are looked at, plus the items of short
lists and tuples (`xs[0]`), so the cost is one pass over the namespace.
"""

# IPython's own entries; `_`-prefixed names (_, __, _3, _i3 ...) are skipped too.
_SKIP = {"In", "Out", "exit", "quit", "get_ipython"}
_MAX_ITEMS = 16


def namespace_names(namespace):
    """Map id(object) -> the first user-visible name that refers to it."""
    names = {}
    if not namespace:
        return names
    for key, value in list(namespace.items()):
        if not isinstance(key, str) or key.startswith("_") or key in _SKIP:
            continue
        names.setdefault(id(value), key)
        if isinstance(value, (list, tuple)) and 0 < len(value) <= _MAX_ITEMS:
            for i, item in enumerate(value):
                names.setdefault(id(item), f"{key}[{i}]")
    return names


def label_for(obj, first_name, names):
    """`obj.name` if set, else the name recorded first, else the namespace name."""
    if obj is not None:
        name = getattr(obj, "name", None)
        if isinstance(name, str) and name:
            return name
    if isinstance(first_name, str) and first_name:
        return first_name
    if obj is not None:
        return names.get(id(obj), "")
    return ""
