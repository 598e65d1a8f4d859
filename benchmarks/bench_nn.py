"""Neural-network speed: our dezero against the book's dezero 0.0.13 and PyTorch (CPU),
measured in the same run.

Workloads (the fastest single unit over all units of --repeat rounds; the
rounds of all frameworks are interleaved so that load from other processes
hits them alike):
  spiral epoch         step 48: one epoch (10 mini-batches of 30) of MLP((10, 3)),
                       softmax cross entropy, SGD lr 1.0, index slicing as in the book
  spiral epoch, loader step 49/50: the same epoch through Spiral + DataLoader
  MLP 784-1000-10      forward, and backward + SGD update, of MLP((1000, 10))
                       (sigmoid) with softmax cross entropy on a (1000, 784)
                       float32 batch; PyTorch: the same net built from nn.Linear

Every framework runs in its own fresh interpreter (peers.run_isolated):
0.0.13 shares our import name `dezero` and must never be on our path.

Target: ours no slower than 0.0.13 on the spiral epoch.

    python benchmarks/bench_nn.py [--quick] [--repeat N]
"""
import os
import pathlib
import platform
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # peers, timing

from peers import PeerError, ensure_dezero_0013, run_isolated  # noqa: E402
from timing import REPO, best_of_rounds, markdown_table, parse_options, run_json  # noqa: E402

# Run in each dezero child (ours or 0.0.13): the same book code for both.
_DEZERO = """
import gc, json, math, time
import numpy as np
import dezero
import dezero.functions as F
from dezero import optimizers
from dezero.models import MLP
from dezero.datasets import Spiral, get_spiral
from dezero.dataloaders import DataLoader

def best(fn, units):
    # the fastest single unit: the least disturbed by other processes
    gc.collect()
    fn()  # warm-up: lazy weight init, caches
    times = []
    for _ in range(units):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)

np.random.seed(0)
x, t = get_spiral(train=True)
spiral = MLP((10, 3))
sgd = optimizers.SGD(1.0).setup(spiral)

def spiral_epoch():
    index = np.random.permutation(len(x))
    for i in range(math.ceil(len(x) / 30)):
        bi = index[i * 30:(i + 1) * 30]
        loss = F.softmax_cross_entropy(spiral(x[bi]), t[bi])
        spiral.cleargrads()
        loss.backward()
        sgd.update()

loader = DataLoader(Spiral(train=True), 30)

def spiral_loader_epoch():
    for bx, bt in loader:
        loss = F.softmax_cross_entropy(spiral(bx), bt)
        spiral.cleargrads()
        loss.backward()
        sgd.update()

rng = np.random.default_rng(0)
bx = rng.standard_normal((1000, 784)).astype(np.float32)
bt = rng.integers(0, 10, 1000)
big = MLP((1000, 10))
big_sgd = optimizers.SGD(0.01).setup(big)
state = {}

def big_forward():
    state["loss"] = F.softmax_cross_entropy(big(bx), bt)

def backward_only(units):
    # forward outside the clock, backward + update inside
    times = []
    for _ in range(units + 1):
        big_forward()
        t0 = time.perf_counter()
        big.cleargrads()
        state["loss"].backward()
        big_sgd.update()
        times.append(time.perf_counter() - t0)
    return min(times[1:])

print(json.dumps({
    "file": dezero.__file__,
    "spiral epoch": best(spiral_epoch, EPOCHS),
    "spiral epoch, loader": best(spiral_loader_epoch, EPOCHS),
    "MLP 784-1000-10 forward": best(big_forward, STEPS),
    "MLP 784-1000-10 backward+update": backward_only(STEPS),
}))
"""

_TORCH = """
import gc, json, time
import numpy as np
import torch
rng = np.random.default_rng(0)
bx = torch.from_numpy(rng.standard_normal((1000, 784)).astype(np.float32))
bt = torch.from_numpy(rng.integers(0, 10, 1000))
net = torch.nn.Sequential(torch.nn.Linear(784, 1000), torch.nn.Sigmoid(), torch.nn.Linear(1000, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.01)

def forward():
    return torch.nn.functional.cross_entropy(net(bx), bt)

def timed(units, with_backward):
    # the fastest single step, as for dezero
    forward().backward()  # warm-up
    times = []
    gc.collect()
    for _ in range(units):
        t0 = time.perf_counter()
        loss = forward()
        if with_backward:
            t0 = time.perf_counter()
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return min(times)

print(json.dumps({
    "file": torch.__file__, "threads": torch.get_num_threads(),
    "MLP 784-1000-10 forward": timed(STEPS, False),
    "MLP 784-1000-10 backward+update": timed(STEPS, True),
}))
"""

ROWS = ["spiral epoch", "spiral epoch, loader", "MLP 784-1000-10 forward",
        "MLP 784-1000-10 backward+update"]


def _torch_available():
    try:
        run_isolated("import torch", [], timeout=120)
        return True
    except PeerError:
        return False


def _child(template, paths, epochs, steps):
    code = template.replace("EPOCHS", str(epochs)).replace("STEPS", str(steps))
    return run_json(code, paths)


def measure(quick=False, repeat=3):
    """{framework: {row: best seconds}} over `repeat` interleaved rounds (see timing)."""
    epochs, steps = (5, 3) if quick else (30, 10)
    frameworks = {"ours": (_DEZERO, [REPO])}
    peer = ensure_dezero_0013()
    if peer is not None:
        frameworks["dezero 0.0.13"] = (_DEZERO, [peer])
    else:
        print("[bench_nn] dezero 0.0.13 unavailable: its column stays empty", file=sys.stderr)
    if _torch_available():
        frameworks["torch"] = (_TORCH, [])
    threads = {}  # a setting, not a timing: kept as reported, not minimised

    def run_once(name):
        template, paths = frameworks[name]
        out = _child(template, paths, epochs, steps)
        if name == "ours" and not out["file"].startswith(str(REPO)):
            raise RuntimeError(f"'ours' imported {out['file']}, not this repository")
        if name == "dezero 0.0.13" and out["file"].startswith(str(REPO / "dezero")):
            raise RuntimeError("the 0.0.13 child imported our dezero")
        if "threads" in out:
            threads[name] = out["threads"]
        return {row: out[row] for row in ROWS if row in out}

    results = best_of_rounds(list(frameworks), repeat, run_once)
    for name, n in threads.items():
        results[name]["threads"] = n
    return results


def _fmt(t):
    return "—" if t is None else (f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s")


def _ratio(ours, other):
    return "—" if ours is None or other is None else f"{ours / other:.2f}x"


def table(results):
    ours, old, torch = (results.get(k, {}) for k in ("ours", "dezero 0.0.13", "torch"))
    rows = []
    for row in ROWS:
        o, d, t = ours.get(row), old.get(row), torch.get(row)
        rows.append([row, _fmt(o), _fmt(d), _ratio(o, d), _fmt(t), _ratio(o, t)])
    return markdown_table(["workload", "ours", "dezero 0.0.13", "ours / 0.0.13", "torch CPU",
                           "ours / torch"], rows)


def verdict(results):
    o = results["ours"].get("spiral epoch")
    d = results.get("dezero 0.0.13", {}).get("spiral epoch")
    if d is None:
        return "Target (spiral epoch no slower than 0.0.13): not measured, 0.0.13 unavailable."
    met = "met" if o <= d else "NOT met"
    return f"Target (spiral epoch no slower than 0.0.13): {met} ({o / d:.2f}x)."


def environment(results):
    import numpy

    threads = results.get("torch", {}).get("threads")
    extra = f", torch intra-op threads {threads}" if threads else ""
    return (f"Python {platform.python_version()}, NumPy {numpy.__version__}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs{extra}")


def main(argv=None):
    args = parse_options(__doc__, "fewer epochs and steps", "interleaved rounds (best kept)", argv)
    results = measure(args.quick, args.repeat)
    print(environment(results) + f", best of {args.repeat} rounds")
    print()
    print(table(results))
    print()
    print(verdict(results))


if __name__ == "__main__":
    main()
