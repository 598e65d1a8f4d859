"""Which names a cell bound anew: what they referred to before it ran."""
import weakref


def bindings(names, namespace):
    """What each name refers to before the cell: (id, weakref or None), so
    that a rebound name is told from one the cell left alone, without
    keeping the old objects alive."""
    seen = {}
    for name in names:
        if name in namespace:
            value = namespace[name]
            try:
                ref = weakref.ref(value)
            except TypeError:
                ref = None
            seen[name] = (id(value), ref)
    return seen


def rebound(name, namespace, before):
    """Whether the cell bound `name` anew (`before`: `bindings` taken before it ran)."""
    if name not in before:
        return True
    old_id, ref = before[name]
    value = namespace[name]
    return id(value) != old_id or (ref is not None and ref() is not value)
