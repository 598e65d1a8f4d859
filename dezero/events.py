"""Trace events: the registry of observers that `Function.__call__` and the
backward engine notify.

The `%%dezero` tracer subscribes here; nothing else in dezero depends on it.
With no observer registered the only cost in the hot path is one truthiness
test of a module-level list.
"""
import contextlib
import heapq
import warnings

# A plain list so the hot path can test `if _observers:` without a call.
_observers = []


class Observer:
    """Base class: override the hooks you need; every hook is a no-op here.

    Hooks receive live dezero objects. An observer that keeps them alive
    changes what the user's program frees, so keep summaries, not references.
    """

    def on_forward(self, function, inputs, outputs):
        """After `function` ran: `inputs` and `outputs` are lists of Variables."""

    def on_backward_begin(self, outputs, retain_grad, create_graph):
        """Before the first step of a backward pass started from `outputs`."""

    def on_backward_step(self, function, gys, gxs, pending):
        """After `function.backward` ran.

        gys: grads of its outputs (Variables), gxs: grads of its inputs,
        pending: a `Pending` view of the functions still queued.
        """

    def on_backward_end(self, outputs):
        """After the last step of that backward pass (also when it raised)."""

    def on_error(self, exc):
        """Called when one of this observer's hooks raised; it is then removed."""


class Pending:
    """Read-only view of the backward queue, in the order it will be popped.

    Ordering is computed only on request, so an observer that ignores the
    queue costs nothing; `ordered(limit)` bounds the work for huge queues.
    """

    __slots__ = ("_heap",)

    def __init__(self, heap):
        self._heap = heap

    def __len__(self):
        return len(self._heap)

    def ordered(self, limit=None):
        n = len(self._heap) if limit is None else min(limit, len(self._heap))
        return [entry[-1] for entry in heapq.nsmallest(n, self._heap)]


def add_observer(observer):
    """Register `observer` (an `Observer`); registering twice is a no-op."""
    if observer not in _observers:
        _observers.append(observer)


def remove_observer(observer):
    """Unregister `observer`; removing one that is not registered is a no-op."""
    try:
        _observers.remove(observer)
    except ValueError:
        pass


def observers():
    """The registered observers, as a tuple (a snapshot)."""
    return tuple(_observers)


@contextlib.contextmanager
def observing(observer):
    """Register `observer` for the duration of a `with` block, always removed."""
    add_observer(observer)
    try:
        yield observer
    finally:
        remove_observer(observer)


def notify(hook, *args):
    """Call `hook` on every observer. A failing observer is removed and told,
    so a bug in a tool that watches can never break the user's computation."""
    for observer in tuple(_observers):
        try:
            getattr(observer, hook)(*args)
        except Exception as exc:  # noqa: BLE001 - isolate observer faults
            remove_observer(observer)
            try:
                observer.on_error(exc)
            except Exception:  # noqa: BLE001
                pass
            warnings.warn(
                f"dezero observer {type(observer).__name__} failed in {hook} "
                f"and was removed: {exc!r}",
                RuntimeWarning,
                stacklevel=3,
            )
