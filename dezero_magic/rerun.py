"""The --modes re-runs of a cell body, which must not change what the cell did.

A `Snapshot` copies what the cell reads from earlier cells (and what the
functions it calls read), before the cell's own run when `%%dezero --modes`
takes it. Each re-run starts from fresh copies of that (dezero's and
students' objects, arrays, lists, dicts, generators: one memo for all, so a
model and the optimizer that holds it stay one model; modules, functions and
classes are shared) and runs in the user's own namespace dict holding the
copies, where functions of earlier cells look. Without the copies a re-run
would add to `x.grad` of an earlier cell's x, or train the model once more
per mode. Copies are made before the measurement starts (`prepare`), so they
are not counted as the run's memory. NumPy's and `random`'s global
generators are restored by `dezero_magic.modes`, so later cells draw the
same numbers; input() is given the answers of the cell's own run.
"""
import builtins
import contextlib
import copy
import re
import sys
import types
import weakref

import numpy as np

from dezero.core import Variable
from dezero_magic.backward_watch import needed
from dezero_magic.cell_names import assigned_in, names_in, read_first
from dezero.layers import Layer
from dezero.optimizers import Optimizer
from dezero_magic.exc_text import described
from dezero_magic.naming import attr_of, has_attr

_COPIED = (Variable, Layer, Optimizer, np.ndarray)
_ITEMS = 16  # items of a list or dict looked at for a student's objects (isinstance looks at all)


def _students(value):
    """A student's own Variable (a NumPy `data`, and `grad` or `creator`)
    or Function (`forward` and `backward` methods) object, not dezero's."""
    home = getattr(type(value), "__module__", None) or ""
    if isinstance(value, type) or home.split(".")[0] in ("dezero", "dezero_magic"):
        return False
    if isinstance(attr_of(value, "data"), (np.ndarray, np.generic)):
        return has_attr(value, "grad") or has_attr(value, "creator")
    return callable(attr_of(value, "forward")) and callable(attr_of(value, "backward"))


def _copied(value):
    if isinstance(value, _COPIED) or _students(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, _COPIED) for v in value) or any(map(_students, value[:_ITEMS]))
    if isinstance(value, dict):
        values = list(value.values())
        return any(isinstance(v, _COPIED) for v in values) or any(map(_students, values[:_ITEMS]))
    try:
        return type(value).__module__.startswith("dezero.dataloaders")  # its position moves when iterated
    except Exception:  # noqa: BLE001 - an odd type: not ours to copy
        return False


def _from_snapshot(shell, snapshot, assigned):
    """A re-run's namespace: the user's, with what the cell reads from earlier
    cells as it was before the cell ran (fresh copies each run), and without
    what the cell binds before reading (the own run's objects, which the
    re-run would free as it rebinds them, under the measured start)."""
    if snapshot.error is not None:
        raise RuntimeError(snapshot.error)
    namespace = dict(shell.user_ns)
    for name in assigned:
        if name not in snapshot.values:
            namespace.pop(name, None)
    values, error = _copies(snapshot.values)
    if error is not None:
        raise RuntimeError(error)
    namespace.update(values)
    if "input" not in namespace:  # (a name of the user's own stays theirs)
        namespace["input"] = snapshot.replayed_input()
    return namespace


@contextlib.contextmanager
def _as_user_ns(shell, namespace):
    """The user's own namespace dict holding `namespace` while the body runs
    (and back after, the re-run's names into `namespace`): functions of
    earlier cells, whose globals ARE that dict, find the copies and not the
    user's objects."""
    user = shell.user_ns
    saved = dict(user)
    user.clear()
    user.update(namespace)
    try:
        yield user
    finally:
        namespace.clear()
        namespace.update(user)
        user.clear()
        user.update(saved)


def _figures():
    """Numbers of the open matplotlib figures (None when pyplot is not in use)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    return set(pyplot.get_fignums()) if pyplot is not None else None


def _close_new_figures(before):
    # A re-run's plt.plot made a figure the inline backend showed after the graph, once per mode.
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        for number in set(pyplot.get_fignums()) - (before or set()):
            pyplot.close(number)


class StudentsUse:
    """How a cell uses a student's own classes, for `dezero_magic.modes`:
    `namespace` is where their `Config` is looked up (their Functions read
    it from there, a re-run's copy of the namespace holds the same class);
    `defines_config`: the cell defines its own Config, made anew each run."""

    def __init__(self, namespace, defines_config):
        self.namespace = namespace
        self.defines_config = defines_config


def _students_use(source, namespace, mentioned):
    """A StudentsUse when the cell may run a student's classes, else None."""
    if not (needed(source, namespace, mentioned)
            or any(_students(namespace[k]) for k in mentioned if k in namespace)):
        return None
    return StudentsUse(namespace, "Config" in assigned_in(source))


class CannotRerun(Exception):
    """The cell ran, but --modes cannot run it again (its message says why)."""


class _Gone:
    """Something a dead weak reference can have pointed at."""


def _repoint_weak_outputs(memo):
    """copy.deepcopy keeps weakref.ref objects as they are: a copied
    Function's `outputs` still pointed at the user's variables, and a
    re-run's backward freed THEIR grads (retain_grad=False). Point them at
    the copies; an output that was not copied gets a dead reference, as if
    it had been dropped (dezero then gives it a zero grad)."""
    for obj in list(memo.values()):
        outputs = getattr(obj, "__dict__", {}).get("outputs")
        if not isinstance(outputs, list) or not any(isinstance(r, weakref.ref) for r in outputs):
            continue
        repointed = []
        for r in outputs:
            if not isinstance(r, weakref.ref):
                repointed.append(r)
                continue
            target = r()
            twin = memo.get(id(target)) if target is not None else None
            repointed.append(weakref.ref(twin) if twin is not None else weakref.ref(_Gone()))
        obj.__dict__["outputs"] = repointed


# Kept as they are in a snapshot: code and modules (a re-run calls the same functions).
_SHARED = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)


class Snapshot:
    """What a cell reads from earlier cells, copied BEFORE its own run (taken
    only for --modes): every re-run starts from the state the cell started
    from, not from what its own run left (an x.grad it added to, a name it
    deleted), and a name the cell binds before reading it is not copied (an
    80-function graph left in `y` by the own run exceeded the recursion limit).
    Values that cannot be deep-copied are kept as they are, except dezero's
    and students' objects, whose sharing would let a re-run change them."""

    def __init__(self, shell, body):
        source = shell.transform_cell(body)
        ns = shell.user_ns
        bound = assigned_in(source)
        names = [k for k in read_first(source) if k in ns and _copy_name(k, bound)]
        # and what the functions it calls read (`loss = step()` with step() training an earlier
        # cell's model: the re-runs run in the user's namespace, where step() finds the copies)
        self.names = names + [k for k in _globals_read(ns, names) if k not in names]
        self.values, self.error = _copies({k: ns[k] for k in self.names})
        self.answers = []  # what input() returned in the cell's own run, given back to each re-run

    @contextlib.contextmanager
    def recording_input(self):
        """Around the cell's own run: input() asks as always, and its answers are kept
        (a kernel prompted four times, three answers thrown away)."""
        asks = builtins.input

        def input(prompt=""):  # noqa: A001 - stands in for the builtin
            answer = asks(prompt)
            self.answers.append(answer)
            return answer

        builtins.input = input
        try:
            yield
        finally:
            if builtins.input is input:
                builtins.input = asks

    def replayed_input(self):
        """input() for a re-run: the own run's answers, in order."""
        answers = iter(list(self.answers))

        def input(prompt=""):  # noqa: A001 - stands in for the builtin
            try:
                return next(answers)
            except StopIteration:
                raise RuntimeError("the re-run asked input() more often than the cell's own run; "
                                   "--modes does not ask you again") from None

        return input


# IPython's own names (outputs `_`, `_7`, inputs `_i7`, `_oh`) and dunders, never copied
_IPYTHONS = re.compile(r"_+|_i+|_i?\d+|_(oh|ih|dh|exit_code)|__\w*__")


def _copy_name(name, bound):
    """Whether a name the cell reads first is copied for the re-runs: a `_name`
    is shared as it is, unless the cell also binds it (`_count += 1`: left out,
    the re-runs' namespace lost it and each raised NameError)."""
    return not name.startswith("_") or (name in bound and _IPYTHONS.fullmatch(name) is None)


def _globals_read(ns, names, depth=3):
    """Names of `ns` that the user's functions among `names` read (and the
    functions those call, `depth` calls deep)."""
    found, todo = [], [ns[k] for k in names if isinstance(ns.get(k), types.FunctionType)]
    seen = set()
    for _ in range(depth):
        calls = []
        for fn in todo:
            if id(fn) in seen or getattr(fn, "__globals__", None) is not ns:
                continue
            seen.add(id(fn))
            codes = [fn.__code__]
            while codes:  # nested defs, lambdas and comprehensions have code objects of their own
                code = codes.pop()
                codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
                for k in code.co_names:
                    if k in ns and not k.startswith("_") and k not in found:
                        found.append(k)
                        if isinstance(ns[k], types.FunctionType):
                            calls.append(ns[k])
        todo = calls
    return found


def _copies(values):
    """(copies of `values`, None) or (None, the message why they cannot be copied):
    one memo for all, so a model and the optimizer that holds it stay one model."""
    copied = {k: v for k, v in values.items() if not isinstance(v, _SHARED)}
    try:
        memo = {}
        out = copy.deepcopy(copied, memo)
        _repoint_weak_outputs(memo)
    except Exception:  # noqa: BLE001 - one at a time: an uncopyable object of the user's is shared
        memo, out = {}, {}
        for k, v in copied.items():
            try:
                out[k] = copy.deepcopy(v, memo)
            except Exception as exc:  # noqa: BLE001 - told as this run's error when it matters
                if _copied(v):
                    return None, (f"could not copy your objects for the re-run ({described(exc)}); "
                                  "nothing was re-run")
                out[k] = v
        _repoint_weak_outputs(memo)
    return {**values, **out}, None


def run_body_once(shell, body, backward=None, snapshot=None):
    """A callable running the body once, output suppressed, in a namespace
    from `run_body.prepare()` (made for it when none is given); it returns
    that namespace and raises what the body raises (used by --modes).
    `backward`: the -b expression whose .backward() the cell's own run got
    from the magic; each re-run calls it too, or it measures another cell.
    `run_body.students`: a StudentsUse when the cell may run a student's own
    classes (their Config is switched per mode then), else None."""
    from IPython.utils.capture import capture_output

    source = shell.transform_cell(body)
    try:
        code = compile(source, "<%%dezero --modes>", "exec")
    except SyntaxError as exc:
        # The cell itself ran (IPython runs top-level await): only re-running it here cannot.
        raise CannotRerun("--modes did not measure this cell: it uses top-level await, which the "
                          "re-runs cannot run; put that code in an async def, or measure a cell "
                          "without await") if "await" in str(exc) else exc from None
    then = compile(f"({backward}).backward()", "<%%dezero --modes -b>", "exec") if backward else None
    mentioned = set(names_in(source))

    if snapshot is None:
        snapshot = Snapshot(shell, body)  # (taken now: the state the cell left, for callers without one)
    assigned = assigned_in(source)

    def prepare():
        return _from_snapshot(shell, snapshot, assigned)

    def run_body(namespace=None):
        namespace = prepare() if namespace is None else namespace
        figures = _figures()
        try:
            with capture_output(display=True), _as_user_ns(shell, namespace) as ns:
                exec(code, ns)  # noqa: S102
                if then is not None:
                    exec(then, ns)  # noqa: S102
        finally:
            _close_new_figures(figures)
        return namespace

    run_body.prepare = prepare
    run_body.students = _students_use(source, shell.user_ns, mentioned)
    return run_body
