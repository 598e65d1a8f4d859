"""Write the graph behind a Variable to an .svg file without Graphviz.

The fallback for `dezero.dot.plot_dot_graph` when the `dot` program is
absent: dezero imports this lazily, inside the function, so `import dezero`
still needs NumPy alone and never imports IPython.
"""
import os

from dezero_magic.adapters import graph_from_objects
from dezero_magic.links import is_variable_like
from dezero_magic.layout import layout
from dezero_magic.render.svg import render_svg


def write_svg(output, to_file="graph.png", verbose=True, rankdir="LR", max_nodes=1000):
    """Draw the graph that produced `output` into `to_file` with its suffix
    replaced by .svg (an SVG cannot be written as PNG without Graphviz);
    returns the path written."""
    if not is_variable_like(output):
        raise TypeError(f"write_svg needs a Variable, got {type(output).__name__}")
    to_file = os.fspath(to_file)
    if to_file.endswith(("/", os.sep)) or os.path.isdir(to_file):
        # ("out/" became the hidden file out/.svg, and an existing folder "out" a sibling out.svg)
        raise IsADirectoryError(f"to_file={to_file!r} is a folder; give a file name, e.g. "
                                f"{os.path.join(to_file, 'graph.png')!r}")
    path = os.path.splitext(to_file)[0] + ".svg"
    graph, _, _ = graph_from_objects([output], None, max_nodes=max_nodes, verbose=verbose)
    svg = render_svg(graph, layout(graph, rankdir, show_shapes=verbose), show_shapes=verbose)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(svg)
    return path
