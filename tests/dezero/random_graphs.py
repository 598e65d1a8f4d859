"""Random dezero expression graphs for the property tests of test_random_graphs.py.

A graph is a `Recipe`: leaf inputs, constants and steps, each step one line of
Python (`v3 = F.exp(v1)`) run as written against dezero, next to a torch line
built from the same choices. So the recipe printed on a failure is exactly the
code that ran. Ops are chosen by looking at the values computed so far: an op
is only drawn where it is differentiable at those values with a margin (log of
values > 0.2, relu away from 0, max without near-ties, ...), so numerical
gradients are meaningful. The op catalogue lives in random_ops.py.
"""
import re
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

import dezero
import dezero.functions as F
from dezero import Function, Variable

# The largest magnitude a value may reach; beyond it numerical differences lose digits.
MAX_ABS = 200.0


class SinCos(Function):
    """Two outputs from one input: (sin x, cos x). Its backward gets a zero grad
    for an output the caller dropped (dezero's fix of the book's crash)."""

    def forward(self, x):
        return np.sin(x), np.cos(x)

    def backward(self, gy0, gy1):
        (x,) = self.inputs
        return gy0 * F.cos(x) - gy1 * F.sin(x)


class Split(Function):
    """x[:k] and x[k:] along axis 0: two outputs of different shapes."""

    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return x[: self.k], x[self.k:]

    def backward(self, gy0, gy1):
        return Merge(self.k)(gy0, gy1)


class Merge(Function):
    """Concatenation along axis 0, the backward of Split; differentiable in turn."""

    def __init__(self, k):
        self.k = k

    def forward(self, a, b):
        return np.concatenate([a, b], axis=0)

    def backward(self, gy):
        return gy[: self.k], gy[self.k:]


@dataclass
class Step:
    outs: list  # names of the kept outputs
    code: str  # dezero expression
    tcode: str  # torch expression (same argument names)
    n_out: int = 1
    keep: tuple = (0,)  # which outputs of a multi-output call are kept
    args: tuple = ()

    def line(self, expr):
        if self.n_out == 1:
            return f"{self.outs[0]} = {expr}"
        if len(self.keep) == self.n_out:
            return f"{', '.join(self.outs)} = {expr}"
        # Index the call: the other output is dropped at once (only a weakref remains).
        return f"{self.outs[0]} = {expr}[{self.keep[0]}]"


@dataclass
class Recipe:
    inputs: dict = field(default_factory=dict)  # name -> float64 array (differentiated)
    consts: dict = field(default_factory=dict)  # name -> array (not differentiated)
    steps: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # name -> value at the inputs
    used: set = field(default_factory=set)

    @property
    def outputs(self):
        """Values no step consumed: their sums make the scalar that is differentiated."""
        return [n for n in self.values if n not in self.used]

    def code(self):
        lines = ["import numpy as np", "import dezero.functions as F", "from dezero import Variable",
                 "from tests.dezero.random_graphs import SinCos, Split"]
        lines += [f"{n} = np.array({_lit(a)})" for n, a in self.consts.items()]
        lines += [f"{n} = Variable(np.array({_lit(a)}))" for n, a in self.inputs.items()]
        lines += [s.line(s.code) for s in self.steps]
        lines.append(f"outputs = [{', '.join(self.outputs)}]")
        return "\n".join(lines)

    def torch_code(self):
        return "\n".join(s.line(s.tcode) for s in self.steps)

    def features(self):
        """Short labels of what this graph exercises (for hypothesis statistics)."""
        ops = [_label(s.code) for s in self.steps]
        out = set()
        if any(a.ndim == 0 for a in self.inputs.values()):
            out.add("0-d input")
        if any(s.n_out > 1 for s in self.steps):
            out.add("multi-output")
        if any(len(s.keep) < s.n_out for s in self.steps):
            out.add("dropped output")
        uses = [a for s in self.steps for a in s.args]
        if len(uses) != len(set(uses)):
            out.add("fan-out")
        if len(self.outputs) > 1:
            out.add("several outputs")
        out.add(f"{len(self.steps)} steps")
        return sorted(out) + ops


def _label(code):
    """The op of a line of code, without its argument names and numbers."""
    code = re.sub(r"\b[xvc]\d+\b", "a", code)
    if re.match(r"[A-Za-z]", code) and "(" in code:
        return code.split("(")[0]
    return re.sub(r"-?\d+(\.\d+)?", "k", code)


def _lit(a):
    return repr(np.asarray(a).tolist())


def _dezero_ns(recipe):
    ns = {"F": F, "np": np, "dezero": dezero, "Variable": Variable, "SinCos": SinCos, "Split": Split}
    ns.update(recipe.consts)
    return ns


def compiled(recipe):
    return [compile(s.line(s.code), f"<step {i}: {s.line(s.code)}>", "exec")
            for i, s in enumerate(recipe.steps)]


def make_function(recipe):
    """f(*input_variables) -> list of output Variables, running the recipe's code."""
    codes = compiled(recipe)
    names = list(recipe.inputs)
    outs = recipe.outputs
    base = _dezero_ns(recipe)

    def f(*xs):
        ns = dict(base)
        ns.update(zip(names, xs))
        for c in codes:
            exec(c, ns)  # noqa: S102 - the recipe's own generated code
        return [ns[n] for n in outs]

    f.__name__ = "recipe"
    return f


def run_torch(recipe, torch, helpers):
    """The same graph in torch (float64): (input tensors, output tensors)."""
    ns = {"T": torch, "TF": torch.nn.functional, "np": np, **helpers}
    for n, a in recipe.consts.items():
        ns[n] = torch.tensor(a)
    xs = [torch.tensor(a, requires_grad=True) for a in recipe.inputs.values()]
    ns.update(zip(recipe.inputs, xs))
    for s in recipe.steps:
        exec(s.line(s.tcode), ns)  # noqa: S102 - the recipe's own generated code
    return xs, [ns[n] for n in recipe.outputs]


class Builder:
    """Grows a Recipe one drawn step at a time, evaluating values as it goes."""

    def __init__(self, draw):
        self.draw = draw
        self.recipe = Recipe()
        self._fresh = []

    # -- values and names -------------------------------------------------
    def value(self, name):
        return self.recipe.values[name]

    def _name(self, prefix):
        r = self.recipe
        return f"{prefix}{len(r.consts) + len(r.values)}"

    def pick(self, pred=lambda a: True):
        """An existing value satisfying pred (any earlier one: fan-out), or None."""
        names = [n for n, a in self.recipe.values.items() if pred(a)]
        if not names:
            return None
        return self.draw(st.sampled_from(names))

    def new_input(self, shape, kind="any"):
        """A fresh leaf Variable of `shape`; kind 'pos' keeps it in [0.5, 2.5]."""
        seed = self.draw(st.integers(0, 2**31 - 1))
        rng = np.random.default_rng(seed)
        lo, hi = {"any": (-2.0, 2.0), "pos": (0.5, 2.5), "unit": (0.1, 0.9)}[kind]
        a = np.round(rng.uniform(lo, hi, size=shape), 2)
        name = self._name("x")
        self.recipe.inputs[name] = np.asarray(a, dtype=np.float64)
        self.recipe.values[name] = self.recipe.inputs[name]
        self._fresh.append(name)
        return name

    def const(self, array):
        name = self._name("c")
        self.recipe.consts[name] = np.asarray(array)
        self._fresh.append(name)
        return name

    def rand_const(self, shape, lo=-2.0, hi=2.0):
        rng = np.random.default_rng(self.draw(st.integers(0, 2**31 - 1)))
        return self.const(np.round(rng.uniform(lo, hi, size=shape), 2))

    # -- steps ------------------------------------------------------------
    def add_step(self, plan):
        """Evaluate the planned step; keep it if its values are finite and moderate."""
        r = self.recipe
        n_out, keep = plan.get("n_out", 1), plan.get("keep", (0,))
        outs = [f"v{len(r.consts) + len(r.values) + i}" for i in range(len(keep))]
        step = Step(outs, plan["code"], plan["tcode"], n_out, keep, tuple(plan["args"]))
        ns = _dezero_ns(r)
        ns.update({n: Variable(a) for n, a in r.values.items()})
        try:
            with dezero.no_grad():
                exec(step.line(step.code), ns)  # noqa: S102 - generated code
        except Exception as exc:  # noqa: BLE001 - reported with the graph so far
            raise AssertionError(f"dezero raised {type(exc).__name__}: {exc}\nwhile running\n"
                                 f"{r.code()}\n{step.line(step.code)}") from exc
        vals = [np.asarray(ns[o].data if isinstance(ns[o], Variable) else ns[o]) for o in outs]
        if not all(np.all(np.isfinite(v)) and np.max(np.abs(v), initial=0) <= MAX_ABS for v in vals):
            self._rollback()
            return False
        r.steps.append(step)
        r.used.update(a for a in step.args if a in r.values)
        for o, v in zip(outs, vals):
            r.values[o] = v
        self._fresh = []
        return True

    def _rollback(self):
        for n in self._fresh:
            self.recipe.inputs.pop(n, None)
            self.recipe.consts.pop(n, None)
            self.recipe.values.pop(n, None)
        self._fresh = []


def shapes(max_ndim=3, max_side=3):
    return st.lists(st.integers(1, max_side), min_size=0, max_size=max_ndim).map(tuple)


@st.composite
def recipes(draw, ops, max_steps=6, min_steps=1):
    """A random Recipe over `ops` (a list of plan functions from random_ops)."""
    b = Builder(draw)
    b.new_input(draw(shapes()), draw(st.sampled_from(["any", "pos"])))
    n = draw(st.integers(min_steps, max_steps))
    # An op may not apply to the values so far: a few more tries than steps.
    for _ in range(3 * n):
        if len(b.recipe.steps) >= n:
            break
        op = draw(st.sampled_from(ops))
        b._fresh = []
        plan = op(b)
        if plan is None:
            b._rollback()
            continue
        b.add_step(plan)
    return b.recipe
