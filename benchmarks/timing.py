"""How bench_core and bench_nn time their peers and print the result.

Each framework runs in a fresh interpreter (peers.run_isolated) that prints
its timings as JSON on its last line. Rounds are interleaved: each round runs
every framework once, one after another, and each figure keeps its best
(smallest) value over the rounds. On a shared machine the load then weighs on
all frameworks alike, instead of on whichever ran during a busy spell.
"""
import argparse
import json
import pathlib

from peers import run_isolated

REPO = pathlib.Path(__file__).resolve().parent.parent  # the repository: "ours" is imported from here


def parse_options(doc, quick_help, repeat_help, argv=None):
    """The options both scripts take: --quick (smaller workloads) and --repeat N
    (rounds, default 3); the description is the first line of `doc`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--repeat", type=int, default=3, help=repeat_help)
    return parser.parse_args(argv)


def run_json(code, paths):
    """The JSON value on the last line that `code` prints in a fresh interpreter
    with `paths` first on sys.path (raises peers.PeerError when it fails)."""
    return json.loads(run_isolated(code, paths).strip().splitlines()[-1])


def best_of_rounds(names, repeat, run_once):
    """{name: {key: best timing}} over `repeat` interleaved rounds.

    run_once(name) -> {key: seconds, or a tuple of seconds (kept elementwise)}
    for one run of that framework; {} adds nothing.
    """
    results = {name: {} for name in names}
    for _ in range(repeat):
        for name in names:
            best = results[name]
            for key, t in run_once(name).items():
                old = best.get(key)
                if old is None:
                    best[key] = t
                elif isinstance(t, tuple):
                    best[key] = tuple(map(min, old, t))
                else:
                    best[key] = min(old, t)
    return results


def markdown_table(header, rows):
    """A Markdown table: `header` cells, then one line per row of cells (strings)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
