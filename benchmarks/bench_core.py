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
import argparse
import json
import os
import pathlib
import platform
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peers import PeerError, ensure_dezero_0013, ensure_micrograd, run_isolated  # noqa: E402

REPO = HERE.parent

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

_ADAPTERS = {
    "ours": """
import numpy as np
import dezero, dezero.functions as F
from dezero import Variable
const = lambda v: Variable(np.array(v))
mul = lambda y, c: y * c
sin = F.sin
square = lambda x: x ** 2
add = lambda a, b: a + b
backward = lambda y: y.backward()
""",
    "dezero 0.0.13": """
import numpy as np
import dezero, dezero.functions as F
from dezero import Variable
assert dezero.__version__ == "0.0.13", dezero.__file__
const = lambda v: Variable(np.array(v))
mul = lambda y, c: y * c
sin = F.sin
square = lambda x: x ** 2
add = lambda a, b: a + b
backward = lambda y: y.backward()
""",
    "micrograd": """
import sys
sys.setrecursionlimit(10**7)  # micrograd's topological sort recurses once per node
from micrograd.engine import Value
const = Value
mul = lambda y, c: y * c
square = lambda x: x ** 2
add = lambda a, b: a + b
backward = lambda y: y.backward()
SKIP.add("chain sin")  # micrograd has no sin
""",
    "torch": """
import torch
torch.set_num_threads(1)
const = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
mul = lambda y, c: y * c
sin = torch.sin
square = lambda x: x ** 2
add = lambda a, b: a + b
backward = lambda y: y.backward()
""",
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
    out = run_isolated(code, paths)
    return {k: tuple(v) for k, v in json.loads(out.strip().splitlines()[-1]).items()}


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
    """{framework: {case: (forward s, backward s)}} and notes on what was skipped.

    Each round runs every framework once, one after another, and the best of
    the rounds is kept: on a shared machine the load then weighs on all of
    them alike, instead of on whichever happened to run during a busy spell.
    """
    cases = _cases(quick)
    notes = []
    runs = _peers(cases, notes)
    results = {name: {} for name, *_ in runs}
    failed = set()
    for _ in range(repeat):
        for name, adapter, paths, todo in runs:
            if name in failed:
                continue
            try:
                got = _run(adapter, paths, todo, 1)
            except PeerError as exc:
                failed.add(name)
                notes.append(f"{name} failed: {str(exc).splitlines()[-1]}")
                continue
            best = results[name]
            for key, (f, b) in got.items():
                old = best.get(key)
                best[key] = (f, b) if old is None else (min(old[0], f), min(old[1], b))
    return cases, {k: v for k, v in results.items() if v}, notes


def _fmt_s(t):
    return f"{t * 1000:.0f} ms" if t < 10 else f"{t:.1f} s"


def table(cases, results):
    """Markdown table: one row per case and phase, each peer as time (peer/ours)."""
    names = list(results)
    lines = ["| case | phase | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
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
            lines.append(f"| {name} {n:,} | {phase} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller N (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    cases, results, notes = measure(args.quick, args.repeat)
    print(environment() + f", best of {args.repeat} rounds; each cell: time (that / ours)")
    print(table(cases, results))
    for text, met in targets(results):
        print(("MET     " if met else "NOT MET ") + text)
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
