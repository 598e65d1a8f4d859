"""Core autograd speed: our dezero against the book's dezero 0.0.13,
micrograd and PyTorch (CPU), measured in the same run.

Workloads (scalar Variables, forward and backward timed separately, best of
--repeat rounds that each run every framework once, the cyclic GC left on as
a user has it):
  chain mul N   y = x; N times y = y * c
  chain sin N   y = x; N times y = F.sin(y)
  wide N        y = x0**2 + x1**2 + ... (N squares summed one by one; x**2
                everywhere, as 0.0.13 has no F.square)
plus ours with a no-op observer registered (the price of the trace events).

Every framework runs in its own fresh interpreter (peers.run_isolated):
0.0.13 shares our import name `dezero` and must never be on our path.

Targets: wide N=10k backward >= 50x faster than 0.0.13; wide N=100k
backward < 1 s; chain N=100k forward+backward <= 0.6x 0.0.13's time.

    python benchmarks/bench_core.py [--quick] [--repeat N]
"""
import os
import pathlib
import platform
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # peers, timing

from peers import PeerError, ensure_dezero_0013, ensure_micrograd  # noqa: E402
from timing import REPO, best_of_rounds, markdown_table, parse_options, run_json  # noqa: E402

# The timing harness every child runs; the framework adapters below define
# const(v), mul(y, c), sin(y), square(x), add(a, b), backward(y).
_HARNESS = """
import gc, json, time
def _time_case(build, repeat):
    best_f = best_b = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        y, keep = build()
        t1 = time.perf_counter()
        backward(y)
        t2 = time.perf_counter()
        best_f, best_b = min(best_f, t1 - t0), min(best_b, t2 - t1)
        del y, keep
    return best_f, best_b

def chain_mul(n):
    def build():
        x = const(0.5)
        y = x
        c = const(1.0000001)
        for _ in range(n):
            y = mul(y, c)
        return y, x
    return build

def chain_sin(n):
    def build():
        x = const(0.5)
        y = x
        for _ in range(n):
            y = sin(y)
        return y, x
    return build

def wide(n):
    xs = [const(i * 1e-3) for i in range(n)]
    def build():
        y = square(xs[0])
        for x in xs[1:]:
            y = add(y, square(x))
        return y, xs
    return build

results = {}
for name, n in CASES:
    if name in SKIP or f"{name} {n}" in SKIP:
        continue
    results[f"{name} {n}"] = _time_case(globals()[name.replace(" ", "_")](n), REPEAT)
print(json.dumps(results))
"""

# Every framework's values take the same operators; each adapter adds its
# const() and sin (or skips chain sin).
_OPERATORS = """
mul = lambda y, c: y * c
square = lambda x: x ** 2
add = lambda a, b: a + b
backward = lambda y: y.backward()
"""
# Ours and the book's 0.0.13 run the same code.
_DEZERO = """
import numpy as np
import dezero, dezero.functions as F
from dezero import Variable
const = lambda v: Variable(np.array(v))
sin = F.sin
"""

_ADAPTERS = {
    "ours": _DEZERO + _OPERATORS,
    "dezero 0.0.13": _DEZERO + """
assert dezero.__version__ == "0.0.13", dezero.__file__
""" + _OPERATORS,
    "micrograd": """
import sys
sys.setrecursionlimit(10**7)  # micrograd's topological sort recurses once per node
from micrograd.engine import Value
const = Value
SKIP.add("chain sin")  # micrograd has no sin
""" + _OPERATORS,
    "torch": """
import torch
torch.set_num_threads(1)
const = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
sin = torch.sin
""" + _OPERATORS,
}

# Ours again, with an observer whose hooks do nothing but hear every
# forward call and backward step: the cost of emitting events when somebody
# listens. (An observer that overrides no hook is not even called.)
_OBSERVED = _ADAPTERS["ours"] + """
class _NoOp(dezero.events.Observer):
    def on_forward(self, function, inputs, outputs):
        pass

    def on_backward_step(self, function, gys, gxs, pending):
        pass

dezero.events.add_observer(_NoOp())
"""


def _cases(quick):
    if quick:
        return [("chain mul", 1000), ("chain mul", 10000), ("chain sin", 10000),
                ("wide", 1000), ("wide", 10000)]
    return [("chain mul", 10000), ("chain mul", 100000), ("chain sin", 10000),
            ("chain sin", 100000), ("wide", 1000), ("wide", 10000), ("wide", 100000)]


def _run(adapter, paths, cases, repeat, skip=()):
    code = (f"CASES = {cases!r}\nREPEAT = {repeat}\nSKIP = set({list(skip)!r})\n"
            + adapter + _HARNESS)
    return {k: tuple(v) for k, v in run_json(code, paths).items()}


def _torch_available():
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def _peers(cases, notes):
    """[(name, adapter code, sys.path entries, cases)] of what can run here."""
    runs = [("ours", _ADAPTERS["ours"], [REPO], cases),
            ("ours + no-op observer", _OBSERVED, [REPO], cases)]
    path = ensure_dezero_0013()
    if path is None:
        notes.append("dezero 0.0.13: could not be installed (see message above)")
    else:
        # The book re-sorts its queue on every push: wide N=100k would take
        # minutes (quadratic; ~100x its N=10k time), so it is not run.
        todo = [c for c in cases if c != ("wide", 100000)]
        if todo != cases:
            notes.append("dezero 0.0.13, wide 100000: not run (quadratic backward, "
                         "~100x its wide 10000 time)")
        runs.append(("dezero 0.0.13", _ADAPTERS["dezero 0.0.13"], [path], todo))
    path = ensure_micrograd()
    if path is None:
        notes.append("micrograd: could not be installed")
    else:
        runs.append(("micrograd", _ADAPTERS["micrograd"], [path], cases))
        notes.append("micrograd: no sin, so chain sin is not run")
    if _torch_available():
        runs.append(("torch", _ADAPTERS["torch"], [], cases))
    else:
        notes.append("torch: not installed")
    return runs


def measure(quick=False, repeat=3):
    """{framework: {case: (forward s, backward s)}}, best of `repeat` interleaved
    rounds (see timing), and notes on what was skipped."""
    cases = _cases(quick)
    notes = []
    runs = {name: rest for name, *rest in _peers(cases, notes)}
    failed = set()

    def run_once(name):
        if name in failed:
            return {}
        adapter, paths, todo = runs[name]
        try:
            return _run(adapter, paths, todo, 1)
        except PeerError as exc:  # that framework is dropped, the others go on
            failed.add(name)
            notes.append(f"{name} failed: {str(exc).splitlines()[-1]}")
            return {}

    results = best_of_rounds(list(runs), repeat, run_once)
    return cases, {k: v for k, v in results.items() if v}, notes


def _fmt_s(t):
    return f"{t * 1000:.0f} ms" if t < 10 else f"{t:.1f} s"


def table(cases, results):
    """Markdown table: one row per case and phase, each peer as time (peer/ours)."""
    names = list(results)
    rows = []
    for name, n in cases:
        key = f"{name} {n}"
        ours = results["ours"].get(key)
        for phase, pick in (("fwd", lambda r: r[0]), ("bwd", lambda r: r[1]),
                            ("fwd+bwd", lambda r: r[0] + r[1])):
            cells = []
            for fw in names:
                r = results[fw].get(key)
                if r is None:
                    cells.append("—")
                elif fw == "ours":
                    cells.append(_fmt_s(pick(r)))
                else:
                    cells.append(f"{_fmt_s(pick(r))} ({pick(r) / pick(ours):.2f}x)")
            rows.append([f"{name} {n:,}", phase] + cells)
    return markdown_table(["case", "phase"] + names, rows)


def targets(results):
    """The issue's three targets, each as (text, met or None when not measured)."""
    ours, old = results["ours"], results.get("dezero 0.0.13", {})
    out = []
    if "wide 10000" in ours and "wide 10000" in old:
        speedup = old["wide 10000"][1] / ours["wide 10000"][1]
        out.append((f"wide 10k backward {speedup:.0f}x faster than 0.0.13 (target >= 50x)",
                    speedup >= 50))
    if "wide 100000" in ours:
        t = ours["wide 100000"][1]
        out.append((f"wide 100k backward {t:.2f} s (target < 1 s)", t < 1.0))
    for case in ("chain mul 100000", "chain sin 100000"):
        if case in ours and case in old:
            ratio = sum(ours[case]) / sum(old[case])
            out.append((f"{case} fwd+bwd {ratio:.2f}x 0.0.13's time (target <= 0.6x)",
                        ratio <= 0.6))
    return out


def environment():
    import numpy

    return (f"{platform.machine()}, {os.cpu_count()} cores ({platform.processor() or 'cpu'}), "
            f"Python {platform.python_version()}, NumPy {numpy.__version__}")


def main(argv=None):
    args = parse_options(__doc__, "smaller N (a smoke run)", "best of this many runs", argv)
    cases, results, notes = measure(args.quick, args.repeat)
    print(environment() + f", best of {args.repeat} rounds; each cell: time (that / ours)")
    print(table(cases, results))
    for text, met in targets(results):
        print(("MET     " if met else "NOT MET ") + text)
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
