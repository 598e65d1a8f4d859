"""How much of a graph is drawn when --max-nodes is not given.

A lecture graph is never cut: the largest figures of the book (the Taylor
series of sin to 1e-150 in step 27: 331 nodes; tanh's 6th derivative in
step 35: 690) are drawn whole, up to WHOLE_UP_TO nodes (about 55 ms to lay
out and draw, see benchmarks/README.md). A larger graph -- a long loop, not
a picture anyone reads node by node -- is drawn as its NEAREST nodes nearest
the output, and a note says so.
"""
WHOLE_UP_TO = 1000
NEAREST = 300
# The most --max-nodes may ask for: 5,000 nodes take ~0.7 s to lay out and
# draw and ~7 MB of SVG; 20,000 took 4.6 s, and a browser showing such a
# drawing (held several times by the output) stalls the lecture.
MOST = 5000


def describe_default():
    """The default, as --max-nodes's help says it."""
    return f"the whole graph up to {WHOLE_UP_TO:,} nodes, else the {NEAREST} nearest the output"


def check(max_nodes):
    """Why --max-nodes `max_nodes` is refused (None when it is fine)."""
    if max_nodes is None:
        return None
    if max_nodes < 1:
        return f"--max-nodes {max_nodes}: give a positive number of nodes, e.g. --max-nodes 200"
    if max_nodes > MOST:
        return (f"--max-nodes {max_nodes}: at most {MOST:,} nodes are drawn (a larger drawing takes seconds "
                f"to lay out and stalls the browser that shows it); give --max-nodes {MOST} or less. A "
                "whole large graph: dezero.utils.get_dot_graph(y) writes it as DOT text for Graphviz.")
    return None


def cut_note(max_nodes):
    """Said when the graph was cut (the caption counts what was left out);
    `max_nodes` None: by the default."""
    if max_nodes is None:
        return (f"The graph has more than {WHOLE_UP_TO:,} nodes, so the {NEAREST} nearest the output are "
                f"drawn; give --max-nodes N to draw more (e.g. --max-nodes {2 * WHOLE_UP_TO}).")
    return (f"The graph was cut at --max-nodes {max_nodes} (the part nearest the output is drawn); "
            "give a larger --max-nodes to draw more.")


def window(max_nodes):
    """Calls and steps the tracer keeps: 4 x what can be drawn, at least
    1,000 (enough to tell whether a graph fits WHOLE_UP_TO: 1,000 calls
    make at least 2,000 nodes)."""
    return max(1000, 4 * (NEAREST if max_nodes is None else max_nodes))


HEAVY_CHARS = 2_000_000  # an SVG this large (~3,000 nodes) weighs on a saved notebook


def heavy_note(svg_chars, max_nodes):
    """Said when --max-nodes drew a graph whose SVG is over HEAVY_CHARS: the
    output holds it several times (SVG, HTML, the widgets' saved state)."""
    return (f"This drawing is {svg_chars / 1e6:.1f} MB of SVG (--max-nodes {max_nodes}), and a saved "
            "notebook holds it several times (the static SVG and HTML, the widgets' state); a smaller "
            "--max-nodes keeps the notebook light.")
