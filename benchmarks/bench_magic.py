"""%%dezero overhead: the same cell run plain and under %%dezero in one
InteractiveShell, best of N runs each (the display, i.e. building the
SVG/HTML/text bundle, is included in the %%dezero time). Times are CPU time
of this process (time.process_time): the machines this runs on are shared,
and wall clock there measures the neighbours as much as the code.

Peers measured in the same run: "plain + no-op observer" is the plain cell
with an observer registered whose forward and step hooks do nothing -- the
cost of dezero's event dispatch alone, the floor under any tracer; "plain +
weakref recorder" keeps one weakref per forward call and per backward step
and nothing else (no values, no grads, nothing drawn): the least a tracer
that draws the graph afterwards from the live objects would do, and one
that would lose what died or changed in place before the cell ended.

Targets: overhead <= 1.25x on a 10,000-op cell and a 300-epoch training
cell; trace+layout+render of a 1,000-node graph <= 0.5 s; a 100,000-op cell
<= 2 s with <= 2 MB of output.

    python benchmarks/bench_magic.py [--repeat N] [--no-readme]
"""
import argparse
import contextlib
import io
import os
import platform
import sys
import time
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))
sys.path.insert(0, os.path.join(HERE, os.pardir, "tests", "dezero_magic"))

SETUP = "import numpy as np\nimport dezero\nimport dezero.functions as F\nfrom dezero import Variable\n"

SCALAR_10K = """
x = Variable(np.array(0.5))
y = x
for _ in range(5000):
    y = F.sin(y) + 0.1
y.backward()
"""

CHAIN_100K = """
x = Variable(np.array(0.5))
y = x
for _ in range(100000):
    y = y * 1.0
"""

TRAIN_300 = """
rng = np.random.default_rng(0)
n, classes = 100, 3
xs = np.concatenate([np.c_[r * np.sin(t), r * np.cos(t)] for r, t in
                     ((np.linspace(0, 1, n), np.linspace(0, 4, n) + k * 4.2 + rng.normal(0, 0.2, n))
                      for k in range(classes))])
ts = np.repeat(np.arange(classes), n)
W1 = Variable(rng.normal(0, 0.5, (2, 10))); b1 = Variable(np.zeros(10))
W2 = Variable(rng.normal(0, 0.5, (10, classes))); b2 = Variable(np.zeros(classes))
for epoch in range(300):
    h = F.sigmoid(F.linear(xs, W1, b1))
    loss = F.softmax_cross_entropy(F.linear(h, W2, b2), ts)
    for p in (W1, b1, W2, b2):
        p.cleargrad()
    loss.backward()
    for p in (W1, b1, W2, b2):
        p.data -= 1.0 * p.grad.data
"""


clock = time.process_time


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def shell_timer(shell, cell, magic, repeat):
    code = ("%%dezero --static\n" + cell) if magic else cell
    sink = io.StringIO()

    def run():
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            result = shell.run_cell(code, store_history=False)
        if not result.success:
            raise RuntimeError(f"benchmark cell failed: {result.error_in_exec!r}")

    return best_of(run, repeat)


def overhead_row(shell, name, cell, repeat):
    from dezero.events import Observer, observing

    class NoOp(Observer):
        """Hears every event a tracer hears and does nothing with it."""

        def on_forward(self, function, inputs, outputs):
            pass

        def on_backward_step(self, function, gys, gxs, pending):
            pass

    class WeakRecorder(Observer):
        """Keeps a weakref per call and per step, nothing else."""

        def __init__(self):
            self.calls, self.steps = [], []

        def on_forward(self, function, inputs, outputs):
            self.calls.append(weakref.ref(function))

        def on_backward_step(self, function, gys, gxs, pending):
            self.steps.append(weakref.ref(function))

    plain = shell_timer(shell, cell, False, repeat)
    with observing(NoOp()):
        floor = shell_timer(shell, cell, False, repeat)
    with observing(WeakRecorder()):
        weak = shell_timer(shell, cell, False, repeat)
    magic = shell_timer(shell, cell, True, repeat)
    return [name, f"{plain * 1e3:.0f} ms", f"{floor * 1e3:.0f} ms ({floor / plain:.2f}x)",
            f"{weak * 1e3:.0f} ms ({weak / plain:.2f}x)", f"{magic * 1e3:.0f} ms", f"{magic / plain:.2f}x"]


def render_rows(repeat):
    import numpy as np

    import dezero.functions as F
    from dezero import Variable
    from dezero.events import observing
    from dezero_magic.assemble import graph_from_tracer
    from dezero_magic.trace import Trace
    from dezero_magic.gcpace import paced_collector
    from dezero_magic.tracer import Tracer

    def compute(n_ops):
        y = Variable(np.array(0.5))
        for _ in range(n_ops):
            y = F.sin(y) + 0.1 if n_ops < 10000 else y * 1.0
        y.backward()
        return y

    rows = []
    for label, n_ops, max_nodes in (("1,000-node graph", 500, 1000), ("100,000-op cell", 100000, 300)):
        ops = n_ops * (2 if n_ops < 10000 else 1)
        sizes = {}

        def pipeline():
            # As %%dezero runs a cell of dezero's classes: the tracer listening, the collector paced.
            tracer = Tracer(max_steps=max(1000, 4 * max_nodes))
            with observing(tracer), paced_collector():
                y = compute(n_ops)
            start = clock()
            graph, outs, leaves = graph_from_tracer(tracer, {"y": y}, max_nodes)
            bundle = Trace(graph, static=True)._repr_mimebundle_()
            sizes["nodes"] = len(graph.functions) + len(graph.variables)
            sizes["bytes"] = sum(len(v.encode()) for v in bundle.values())
            sizes["draw"] = clock() - start

        plain = best_of(lambda: compute(n_ops), repeat)
        total = best_of(pipeline, repeat)
        rows.append([f"{label} ({ops} ops + backward, {sizes['nodes']} nodes drawn)",
                     f"{plain * 1e3:.0f} ms", f"{total * 1e3:.0f} ms",
                     f"{sizes['draw'] * 1e3:.0f} ms", f"{sizes['bytes'] / 1e6:.2f} MB"])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    parser.add_argument("--no-readme", action="store_true", help="do not append to benchmarks/README.md")
    args = parser.parse_args()

    from IPython.testing.globalipapp import start_ipython
    from student_code import DIAMOND_RUN, STEP17

    shell = start_ipython()
    shell.run_line_magic("load_ext", "dezero_magic")
    shell.run_cell(SETUP)
    student = "for _ in range(300):\n" + "".join("    " + l + "\n" for l in DIAMOND_RUN.strip().splitlines())

    header = ["cell", "plain", "plain + no-op observer", "plain + weakref recorder", "%%dezero", "ratio (target <= 1.25x)"]
    rows = [overhead_row(shell, "10,000 scalar ops + backward", SCALAR_10K, args.repeat),
            overhead_row(shell, "300-epoch training, 2-layer MLP, spiral (300 points)", TRAIN_300, args.repeat),
            overhead_row(shell, "100,000 ops, no backward", CHAIN_100K, max(1, args.repeat - 1))]
    # Last: the students' classes replace `Variable` in the namespace.
    shell.run_cell(STEP17 + "GENERATIONS = True\n")
    rows += [overhead_row(shell, "students' own classes, 300 backward passes (profile hook)", student,
                         args.repeat)]
    render_header = ["trace+layout+render (targets: 1,000 nodes <= 0.5 s; 100,000 ops <= 2 s, <= 2 MB)",
                     "same computation, plain", "traced + drawn", "of which drawing", "output"]
    render = render_rows(args.repeat)

    def table(head, body):
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)

    text = (f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs (shared), CPU time, best of {args.repeat}.\n\n"
            + table(header, rows) + "\n\n" + table(render_header, render) + "\n")
    print(text)
    if not args.no_readme:
        path = os.path.join(HERE, "README.md")
        old = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
        marker = "\n## Magic\n"
        findings = ""  # the hand-written analysis under "### Findings" is kept
        if marker in old:
            head, _, rest = old.partition(marker)
            nxt = rest.find("\n## ")
            mine = rest[:nxt] if nxt >= 0 else rest
            if "\n### Findings" in mine:
                findings = "\n### Findings" + mine.split("\n### Findings", 1)[1].rstrip("\n") + "\n"
            old = head + (rest[nxt:] if nxt >= 0 else "")
        section = (marker + "\n`python benchmarks/bench_magic.py` — %%dezero against the same cell run plain "
                   "in the same IPython shell (CPU time; the %%dezero time includes building the "
                   "displayed SVG/HTML/text).\n\n" + text + findings)
        with open(path, "w") as fh:
            fh.write(old.rstrip("\n") + "\n" + section)


if __name__ == "__main__":
    main()
