"""Trace events: the registry of observers that `Function.__call__` and the
backward engine notify.

The `%%dezero` tracer subscribes here; nothing else in dezero depends on it.
With no observer registered the only cost in the hot path is one truthiness
test of a module-level list.

Forward calls and backward steps are the hot events (one per operation), so
they skip `notify`: `Function.__call__` loops over `_forward_hooks` (bound
`on_forward` methods of the observers that define one) and the backward
engine over `step_hooks()`; an observer can stop hearing the steps of a pass
(return False) and does not hear the forward calls that a backward pass
without create_graph makes internally (see `Observer.forward_calls_in_backward`).
"""
import contextlib
import heapq
import warnings

# Plain lists, mutated in place only, so the hot paths (which bind them at
# import) test `if _forward_hooks:` without a call.
_observers = []
_forward_hooks = []   # bound on_forward of observers that override it
_muted = [0]          # depth of backward passes without create_graph in progress


class Observer:
    """Base class: override the hooks you need; every hook is a no-op here.

    Hooks receive live dezero objects. An observer that keeps them alive
    changes what the user's program frees, so keep summaries, not references.
    """

    # The forward calls that a backward pass without create_graph makes to
    # compute grads build no graph; an observer hears them only if it sets
    # this. Leaving them out halves the cost of watching a backward pass.
    forward_calls_in_backward = False

    def on_forward(self, function, inputs, outputs):
        """After `function` ran: `inputs` and `outputs` are lists of Variables."""

    def on_backward_begin(self, outputs, retain_grad, create_graph):
        """Before the first step of a backward pass started from `outputs`."""

    def on_backward_step(self, function, gys, gxs, pending):
        """After `function.backward` ran.

        gys: grads of its outputs (Variables), gxs: grads of its inputs,
        pending: a `Pending` view of the functions still queued.
        Return False to hear no more steps of this pass (a tracer that has
        recorded enough then costs nothing for the rest of a long pass).
        """

    def on_backward_end(self, outputs, steps, completed):
        """After the last step of that backward pass (also when it raised);
        `steps`: how many functions the pass popped; `completed`: False
        when it raised (or was interrupted)."""

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
        heap = self._heap
        n = len(heap) if limit is None else min(limit, len(heap))
        if len(heap) <= 64:
            # Small queues (nearly all): one C sort beats nsmallest's Python loop.
            # Entries are (-generation, -sequence, f): sequences are unique,
            # so f itself is never compared.
            return [entry[-1] for entry in sorted(heap)[:n]]
        return [entry[-1] for entry in heapq.nsmallest(n, heap)]


def _overrides(observer, hook):
    if hook in getattr(observer, "__dict__", ()):
        return True  # set on the instance
    return getattr(type(observer), hook, None) is not getattr(Observer, hook)


def _owner(hook, name):
    """The registered observer whose `name` hook is `hook`."""
    for observer in _observers:
        if getattr(observer, name, None) == hook:
            return observer
    return getattr(hook, "__self__", None)


# The two lists _forward_hooks switches between, made when observers come
# and go (a training loop mutes and unmutes twice an epoch).
_hooks_by_mode = {False: [], True: []}


def _rebuild_forward_hooks():
    hearing = [o for o in _observers if _overrides(o, "on_forward")]
    _hooks_by_mode[False] = [o.on_forward for o in hearing]
    _hooks_by_mode[True] = [o.on_forward for o in hearing if o.forward_calls_in_backward]
    _select_forward_hooks()


def _select_forward_hooks():
    _forward_hooks[:] = _hooks_by_mode[bool(_muted[0])]


def add_observer(observer):
    """Register `observer` (an `Observer`); registering twice is a no-op."""
    if observer not in _observers:
        _observers.append(observer)
        _rebuild_forward_hooks()


def remove_observer(observer):
    """Unregister `observer`; removing one that is not registered is a no-op."""
    try:
        _observers.remove(observer)
    except ValueError:
        return
    _rebuild_forward_hooks()


_begin_collects = [False]  # set while observers hear on_backward_begin of a dezero.grad() pass


def notify_backward_begin(outputs, retain_grad, create_graph, collects=False):
    """on_backward_begin for the observers; `collects`: the pass keeps its
    grads apart from `Variable.grad` (`dezero.grad`), see `pass_collects_elsewhere`."""
    _begin_collects[0] = collects
    try:
        notify("on_backward_begin", outputs, retain_grad, create_graph)
    finally:
        _begin_collects[0] = False


def pass_collects_elsewhere():
    """Read in on_backward_begin: whether the pass beginning keeps its grads
    apart from `Variable.grad` (`dezero.grad`), so a `.grad` an observer sees
    during it is not that pass's (a stale one from an earlier backward)."""
    return _begin_collects[0]


def mute_internal_forward():
    """A backward pass without create_graph begins: observers that do not
    want its internal forward calls stop hearing forward calls until
    `unmute_internal_forward` (nested passes count)."""
    _muted[0] += 1
    if _muted[0] == 1:
        _select_forward_hooks()


def unmute_internal_forward():
    _muted[0] -= 1
    if _muted[0] == 0:
        _select_forward_hooks()


def emit_forward(function, inputs, outputs, hooks=None):
    """Call the forward hooks (or `hooks`, a list of them); a failing one is
    removed as in `notify` and the hooks after it still hear this call."""
    hooks = tuple(_forward_hooks) if hooks is None else hooks
    for hook in hooks:
        try:
            hook(function, inputs, outputs)
        except Exception as exc:  # noqa: BLE001 - isolate observer faults
            _failed(_owner(hook, "on_forward"), "on_forward", exc)


def forward_failed(hook, exc, function, inputs, outputs):
    """`Function.__call__` caught `exc` from `hook` in its inlined loop."""
    hooks = list(_forward_hooks)
    rest = hooks[hooks.index(hook) + 1:] if hook in hooks else []
    _failed(_owner(hook, "on_forward"), "on_forward", exc)
    emit_forward(function, inputs, outputs, rest)


def step_hooks():
    """(observer, its on_backward_step) of the observers that define one, for
    one pass (`emit_step` drops those that are done or removed)."""
    return [(o, o.on_backward_step) for o in _observers if _overrides(o, "on_backward_step")]


def emit_step(hooks, function, gys, gxs, pending):
    for entry in tuple(hooks):
        observer, hook = entry
        if observer not in _observers:
            hooks.remove(entry)
            continue
        try:
            if hook(function, gys, gxs, pending) is False:
                hooks.remove(entry)
        except Exception as exc:  # noqa: BLE001 - isolate observer faults
            hooks.remove(entry)
            _failed(observer, "on_backward_step", exc)


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


@contextlib.contextmanager
def unobserved():
    """Run the body heard by no observer: for a tool's own work (a watching
    tool re-running a graph to draw or check it), which no observer may
    record as the user's. The registry is emptied in place (the hot paths
    bind these lists) and put back as it was, also when the body raises;
    an observer the body registers and leaves is dropped with it."""
    saved = list(_observers)
    try:
        _observers.clear()
        _rebuild_forward_hooks()
        yield
    finally:
        _observers[:] = saved
        _rebuild_forward_hooks()   # (selects by _muted, which the body's passes leave as it was)


def notify(hook, *args):
    """Call `hook` on every observer. A failing observer is removed and told,
    so a bug in a tool that watches can never break the user's computation."""
    for observer in tuple(_observers):
        try:
            getattr(observer, hook)(*args)
        except Exception as exc:  # noqa: BLE001 - isolate observer faults
            _failed(observer, hook, exc)


def _failed(observer, hook, exc):
    if observer not in _observers:
        return  # already removed (and told) by an earlier failure
    remove_observer(observer)
    try:
        observer.on_error(exc)
    except Exception:  # noqa: BLE001
        pass
    warnings.warn(
        f"dezero observer {type(observer).__name__} failed in {hook} "
        f"and was removed: {exc!r}",
        RuntimeWarning,
        stacklevel=4,
    )
