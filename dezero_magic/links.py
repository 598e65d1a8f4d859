"""How students' book-style objects link up, read by duck typing: a
variable is an object with `.data` and `.creator`; a function is the
creator, with `input`/`inputs` and `output`/`outputs` (objects or weakrefs,
one or a list), as in the book's steps 7, 11 and 17."""
import weakref

from dezero_magic.naming import attr_of


def is_variable_like(obj):
    # (data None with a creator: a student's forward without `return` made it; it is drawn)
    return (not isinstance(obj, type) and hasattr(obj, "creator")
            and (attr_of(obj, "data") is not None or attr_of(obj, "creator") is not None))


def _deref(obj):
    return obj() if isinstance(obj, weakref.ref) else obj


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [_deref(v) for v in value]
    return [_deref(value)]


def func_inputs(f):
    xs = attr_of(f, "inputs")
    return [x for x in _as_list(xs if xs is not None else attr_of(f, "input")) if is_variable_like(x)]


def func_outputs(f):
    ys = attr_of(f, "outputs")
    return [y for y in _as_list(ys if ys is not None else attr_of(f, "output")) if is_variable_like(y)]


def creators_reached(seeds, both_ways=False, limit=None):
    """id -> function of the functions reached from `seeds` through creator
    links: the creators of the seeds, of those functions' inputs (and, with
    `both_ways`, of their outputs too), at most `limit` of them."""
    found, seen, stack = {}, set(), list(seeds)
    while stack and (limit is None or len(found) < limit):
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        f = attr_of(v, "creator")
        if f is None or id(f) in found:
            continue
        found[id(f)] = f
        stack.extend(func_inputs(f) + (func_outputs(f) if both_ways else []))
    return found
