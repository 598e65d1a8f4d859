"""Labels from the user namespace: `x = Variable(...)` is drawn as `x`.

Only the namespace's top-level names are looked at, plus the items of short
lists and tuples (`xs[0]`) and the parameters of layers and models
(`model.l0.W`), so the cost is one pass over the namespace.
"""
from dezero.layers import Layer

# IPython's own entries; `_`-prefixed names (_, __, _3, _i3 ...) are skipped too.
_SKIP = {"In", "Out", "exit", "quit", "get_ipython"}
_MAX_ITEMS = 16
_MAX_PARAMS = 256   # parameters named per layer found in the namespace
_MAX_DEPTH = 4      # model.l0.W is depth 2


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
        elif isinstance(value, Layer):
            _name_params(value, key, names, [_MAX_PARAMS], _MAX_DEPTH)
    return names


def _name_params(layer, path, names, budget, depth):
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
                _name_params(value, f"{path}.{attr}", names, budget, depth - 1)
        else:
            names.setdefault(id(value), f"{path}.{attr}")


def label_for(obj, first_name, names):
    """`obj.name` if set (`model.l0.W` when it is a layer's parameter of that
    name), else the name recorded first, else the namespace name."""
    if obj is not None:
        name = getattr(obj, "name", None)
        if isinstance(name, str) and name:
            path = names.get(id(obj))
            if path is not None and path.endswith("." + name):
                return path
            return name
    if isinstance(first_name, str) and first_name:
        return first_name
    if obj is not None:
        return names.get(id(obj), "")
    return ""
