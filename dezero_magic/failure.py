"""Where a cell that raised stopped: the dezero Function whose call raised,
read from the exception's traceback.

The tracer hears a call only once it returned, so a call that raised (a
shape mismatch in matmul, say) is not in the graph; the note names it and
its inputs, which are usually the cause.
"""
from dezero.core import Function, Variable
from dezero_magic.exc_text import described, message
from dezero_magic.interrupts import is_magic_frame
from dezero_magic.preview import format_snapshot, snapshot


def failed_call_note(error, names):
    """A note naming the innermost dezero Function whose call was running
    when `error` was raised, with its inputs; None when none was (a backward
    that raised is named by the tracer). `names`: id(object) -> namespace
    name (`naming.namespace_names`)."""
    tb = getattr(error, "__traceback__", None)
    call = innermost = None
    heard = False  # a tracer hook ran below the call: its forward had returned
    while tb is not None:
        frame = tb.tb_frame
        if isinstance(frame.f_locals.get("self"), Function):
            innermost = frame
            if frame.f_code.co_name == "__call__":
                call, heard = frame, False
        elif call is not None and is_magic_frame(frame):
            heard = True
        tb = tb.tb_next
    if call is None or heard or innermost.f_code.co_name == "backward":
        return None
    function, inputs = call.f_locals["self"], call.f_locals.get("inputs")
    if not isinstance(inputs, (list, tuple)):
        return None
    shown = ", ".join(_describe(x, names) for x in list(inputs)[:6])
    return (f"The cell raised in {type(function).__name__}({shown}), which is not drawn (it never "
            f"returned): {described(error)}")


# NumPy 2 made float()/int() of an array with dimensions an error; the
# book's steps 59-60 call float(y.data) on a (1, 1) array, written for NumPy 1.
_NUMPY_SCALAR = "only 0-dimensional arrays can be converted to Python scalars"


def numpy_scalar_note(error):
    """A note for the TypeError NumPy 2 raises on float(array) (None for any
    other error): what changed, and what to write instead."""
    if not isinstance(error, TypeError) or _NUMPY_SCALAR not in message(error):
        return None
    return ("NumPy raised this, not dezero: since NumPy 2, float() and int() take only an array "
            "without dimensions. The book's code (steps 59-60: float(y.data) where y.data has "
            "shape (1, 1)) was written for NumPy 1. For one value write y.data.item() "
            "(or float(y.data.item())); for several, pick one (y.data[0, 0]) or reduce them "
            "first (y.data.sum()).")


def _describe(x, names):
    data = x.data if isinstance(x, Variable) else x
    name = (getattr(x, "name", None) or names.get(id(x)) or names.get(id(data))) if x is not None else None
    snap = snapshot(data)
    shape = f"shape {tuple(snap.shape)}" if snap is not None and snap.shape else format_snapshot(snap)
    return f"{name} {shape}" if name else shape
