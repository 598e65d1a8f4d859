"""Backward stepper: Python-side time of one step (press "next": running
grads, SVG of the whole graph, HTML panels) for graphs of about 50, 200 and
1,000 nodes, against its peer measured in the same run: render_svg alone
(the static drawing of the same graph with the same highlights).

Target: one step < 100 ms at 200 nodes (issue 5). No kernel or browser is
involved: the widget sync to the front end is not timed.

    python benchmarks/bench_stepper.py [--repeat N] [--no-readme]
"""
import argparse
import datetime
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

import numpy as np  # noqa: E402

from dezero import Variable, events  # noqa: E402
import dezero.functions as F  # noqa: E402
from dezero_magic.assemble import graph_from_tracer  # noqa: E402
from dezero_magic.render.svg import render_svg  # noqa: E402
from dezero_magic.replay import POP_LIMIT  # noqa: E402
from dezero_magic.trace import Trace  # noqa: E402
from dezero_magic.tracer import Tracer  # noqa: E402

SIZES = (50, 200, 1000)
TARGET_MS = 100.0


def traced(nodes):
    """A Trace of about `nodes` nodes: y = sin(y) + y repeated (4 nodes each;
    every Add has two paths, so the queue and the accumulation are exercised)."""
    tracer = Tracer()
    with events.observing(tracer):
        x = Variable(np.array(0.5), name="x")
        y = x
        for _ in range(max(1, (nodes - 1) // 4)):
            y = F.sin(y) + y
        y.backward()
    graph, outs, leaves = graph_from_tracer(tracer, {"x": x, "y": y}, max_nodes=nodes + 10)
    return Trace(graph, output_refs=outs, leaf_refs=leaves), (x, y)


def best_ms(fn, repeat, inner):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best * 1000


def measure(nodes, repeat):
    from dezero_magic.widgets.backward_tab import BackwardView, step_edges

    trace, keep = traced(nodes)
    graph = trace.graph
    n_nodes = len(graph.functions) + len(graph.variables)
    t0 = time.perf_counter()
    view = BackwardView(trace)
    build_ms = (time.perf_counter() - t0) * 1000
    mid = len(graph.steps) // 2
    view.slider.value = mid

    def step():  # one press of next, then back, so every press lands on a mid-graph step
        view.next.click()
        view.prev.click()

    step_ms = best_ms(step, repeat, 5) / 2
    s = graph.steps[mid]

    def draw():
        render_svg(graph, trace.layout, highlight_functions=[s.func],
                   highlight_edges=step_edges(graph, s.func, s.gys, s.gxs))

    draw_ms = best_ms(draw, repeat, 5)
    t0 = time.perf_counter()
    view.mode.value = "book"           # the list algorithm is replayed once, here
    switch_ms = (time.perf_counter() - t0) * 1000
    view.slider.value = max(1, view.slider.max // 2)
    book_ms = best_ms(step, repeat, 5) / 2
    kb = len(view.figure.value) / 1024
    del keep
    return dict(nodes=n_nodes, steps=len(graph.steps), build=build_ms, step=step_ms, draw=draw_ms,
                switch=switch_ms, book=book_ms, kb=kb)


def table(rows):
    head = ("| nodes | steps | one step (next) | render_svg alone (peer) | step / peer | "
            "step / 100 ms target | book mode step | switch to book (replay) | view built | SVG sent |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| {r['nodes']} | {r['steps']} | {r['step']:.1f} ms | {r['draw']:.1f} ms | {r['step'] / r['draw']:.2f}x | "
        f"{r['step'] / TARGET_MS:.2f}x | {r['book']:.1f} ms | {r['switch']:.0f} ms | {r['build']:.0f} ms | "
        f"{r['kb']:.0f} KB |\n" for r in rows)
    return head + body


def record(text):
    path = os.path.join(HERE, "README.md")
    with open(path, encoding="utf-8") as fh:
        readme = fh.read()
    marker = "\n## Stepper\n"
    if marker in readme:
        start = readme.index(marker)
        end = readme.find("\n## ", start + len(marker))
        readme = readme[:start] + readme[end:] if end >= 0 else readme[:start]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(readme.rstrip("\n") + "\n" + marker + "\n" + text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--no-readme", action="store_true", help="print only; do not update README.md")
    args = parser.parse_args()
    rows = [measure(n, args.repeat) for n in SIZES]
    result = table(rows)
    at200 = next(r for r in rows if r["nodes"] <= 210 and r["nodes"] >= 190)
    verdict = (f"Target (< {TARGET_MS:.0f} ms a step at 200 nodes): "
               f"{'met' if at200['step'] < TARGET_MS else 'NOT met'} ({at200['step']:.1f} ms).")
    print(result + "\n" + verdict)
    if not args.no_readme:
        text = (f"`python benchmarks/bench_stepper.py` — Python side of one backward-stepper step (press "
                f"next: running grads, SVG of the whole graph, HTML panels), against render_svg alone on the "
                f"same graph, measured in the same run; graph y = sin(y) + y repeated. No kernel/browser sync "
                f"is timed. On this graph the book's list algorithm is exponential (every Add is "
                f"reached twice), so the replay stops at {POP_LIMIT} pops: the switch cost is bounded.\n\n{datetime.date.today().isoformat()}, Python {platform.python_version()}, "
                f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs), best of {args.repeat}.\n\n"
                f"{result}\n{verdict}\n")
        record(text)


if __name__ == "__main__":
    main()
