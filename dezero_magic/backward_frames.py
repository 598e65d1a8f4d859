"""What `backward_watch` reads of a frame at a profile event: whether it
returned or was unwound by an exception (`returned`), whether a
Variable.backward's code adds grads in place (`adds_in_place`), the grads a
backward was given (`grads_given`), and the book's `funcs` queue of its caller
(`queue`). Each is read on every backward step, so what can be is cached
per code object.
"""
import dis
import types

_RETURNS = {dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap}


def returned(frame):
    """Whether a frame at its `return` profile event returned normally: it
    stopped at a return instruction (RETURN_VALUE, and from 3.12 on
    RETURN_CONST; `co_code` holds the unspecialized opcodes, `f_lasti` is a
    byte offset in 3.9 to 3.13). An exception unwinding the frame stops it
    at the instruction that raised."""
    code = frame.f_code.co_code
    at = frame.f_lasti
    return 0 <= at < len(code) and code[at] in _RETURNS


# id of a code object -> (the code, whether it or a def inside it has an
# in-place `+=`): read once per Variable.backward, not once per pass (a training
# loop runs many). By id, holding the code (its id cannot be reused meanwhile):
# a WeakKeyDictionary hashed the code and made a weakref on every lookup.
_IN_PLACE_ADDS = {}


def adds_in_place(code):
    entry = _IN_PLACE_ADDS.get(id(code))
    if entry is None or entry[0] is not code:
        found = any(i.opname == "INPLACE_ADD" or (i.opname == "BINARY_OP" and i.argrepr == "+=")
                    for i in dis.get_instructions(code))
        found = found or any(adds_in_place(c) for c in code.co_consts if isinstance(c, types.CodeType))
        if len(_IN_PLACE_ADDS) > 256:
            _IN_PLACE_ADDS.clear()  # (classes redefined cell after cell)
        entry = _IN_PLACE_ADDS[id(code)] = (code, found)
    return entry[1]


# id of a backward's code -> (the code, its parameter names after `self`, its
# *args name or None): code.co_varnames builds a new tuple on each read (3.11).
# Holding the code keeps its id from being reused while it is cached.
_PARAMS = {}


def grads_given(code, local):
    """The grads a backward was given: its arguments after `self` (`local`: its frame's f_locals)."""
    entry = _PARAMS.get(id(code))
    if entry is None or entry[0] is not code:
        if len(_PARAMS) > 256:
            _PARAMS.clear()  # (classes redefined cell after cell)
        names = code.co_varnames
        star = names[code.co_argcount + code.co_kwonlyargcount] if code.co_flags & 0x04 else None  # CO_VARARGS
        entry = _PARAMS[id(code)] = (code, names[1:code.co_argcount], star)
    _, names, star = entry
    values = [local.get(names[0])] if len(names) == 1 else list(map(local.get, names))
    if star is not None:  # the *gys tuple follows the named arguments
        values.extend(local.get(star) or ())
    return values


def queue(frame):
    """The book's `funcs` list in the calling `Variable.backward`, as ids in pop order."""
    caller = frame.f_back
    if caller is None or caller.f_code.co_name[:8] != "backward":
        return None
    funcs = caller.f_locals.get("funcs")
    if not isinstance(funcs, list):
        return None
    return list(map(id, reversed(funcs)))
