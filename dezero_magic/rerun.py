"""The --modes re-runs of a cell body, which must not change what the cell did.

Each re-run gets a namespace of its own: the user's names, with the dezero
objects and arrays that the cell's code mentions deep-copied (one memo for
all names, so a model and the optimizer that holds it stay one model; names
the cell never mentions are not copied: an earlier cell's deep graph, the
step-35 derivatives say, would only cost time, or exceed the recursion limit). Without the copies a re-run would
add to `x.grad` of an earlier cell's x, or train the model once more per
mode. Copies are made before the measurement starts (`prepare`), so they are
not counted as the run's memory. NumPy's and `random`'s global generators
are restored by `dezero_magic.modes`, so later cells draw the same numbers.
"""
import copy

import numpy as np

from dezero.core import Variable
from dezero_magic.cell_names import names_in
from dezero.layers import Layer
from dezero.optimizers import Optimizer

_COPIED = (Variable, Layer, Optimizer, np.ndarray)


def _copied(value):
    if isinstance(value, _COPIED):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, _COPIED) for v in value)
    if isinstance(value, dict):
        return any(isinstance(v, _COPIED) for v in value.values())
    try:
        return type(value).__module__.startswith("dezero.dataloaders")  # its position moves when iterated
    except Exception:  # noqa: BLE001 - an odd type: not ours to copy
        return False


def run_body_once(shell, body):
    """A callable running the body once, output suppressed, in a namespace
    from `run_body.prepare()` (made for it when none is given); it returns
    that namespace and raises what the body raises (used by --modes)."""
    from IPython.utils.capture import capture_output

    source = shell.transform_cell(body)
    code = compile(source, "<%%dezero --modes>", "exec")
    mentioned = set(names_in(source))

    def prepare():
        namespace = dict(shell.user_ns)
        mine = {k: namespace[k] for k in mentioned
                if k in namespace and not k.startswith("_") and _copied(namespace[k])}
        try:
            namespace.update(copy.deepcopy(mine))
        except Exception as exc:  # noqa: BLE001 - told as this run's error, the user's objects untouched
            raise RuntimeError(f"could not copy your objects for the re-run ({type(exc).__name__}: {exc}); "
                               "nothing was re-run") from None
        return namespace

    def run_body(namespace=None):
        namespace = prepare() if namespace is None else namespace
        with capture_output(display=True):
            exec(code, namespace)  # noqa: S102
        return namespace

    run_body.prepare = prepare
    return run_body
