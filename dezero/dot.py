"""The computational graph as Graphviz DOT text (steps 25-26).

Two fixes to the book's version: names are escaped, so a variable named
`a"b` or `<script>` can neither break the DOT file nor the SVG Graphviz makes
from it; and `plot_dot_graph` says what is missing when Graphviz's `dot`
program is not installed, instead of failing silently.
"""
import os
import re
import shutil
import subprocess
import sys

# Characters XML 1.0 forbids: Graphviz would copy them into an invalid SVG.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Hook for a renderer that needs no Graphviz: a callable
# `(output, to_file, verbose) -> path written`, used by plot_dot_graph when
# `dot` is missing. None: raise the RuntimeError that explains what to install.
# (Kept None here so that `import dezero` never touches dezero_magic; a caller
# may set it, e.g. to dezero_magic's built-in SVG renderer.)
svg_fallback = None


def dot_label(text):
    """`text` as a double-quoted DOT string, safe in DOT and in Graphviz's SVG.

    <, > and & become entities (Graphviz decodes them for PNG and re-escapes
    them for SVG), then backslashes and quotes are escaped for DOT.
    """
    text = _XML_INVALID.sub("\ufffd", str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + text + '"'


def _var_label(v, verbose):
    name = "" if v.name is None else str(v.name)
    if verbose and v.data is not None:
        if v.name is not None:
            name += ": "
        name += str(v.shape) + " " + str(v.dtype)
    return name


def _dot_var(v, verbose):
    return f"{id(v)} [label={dot_label(_var_label(v, verbose))}, color=orange, style=filled]\n"


def _dot_func(f):
    lines = [f"{id(f)} [label={dot_label(type(f).__name__)}, color=lightblue, "
             "style=filled, shape=box]\n"]
    for x in f.inputs:
        lines.append(f"{id(x)} -> {id(f)}\n")
    for ref in f.outputs:
        y = ref()
        if y is not None:  # an output the user dropped is not drawn
            lines.append(f"{id(f)} -> {id(y)}\n")
    return "".join(lines)


def get_dot_graph(output, verbose=True):
    """DOT text of the graph that made `output` (a Variable).

    verbose=True adds each variable's shape and dtype to its label, as in the
    book. The walk is iterative (a graph of a million nodes is fine) and
    every variable is written once.
    """
    from dezero.core import Variable

    if not isinstance(output, Variable):
        raise TypeError(
            f"get_dot_graph needs a dezero Variable, got {type(output).__name__}; "
            "pass the output of your computation, e.g. get_dot_graph(y)"
        )
    parts = [_dot_var(output, verbose)]
    seen_vars = {id(output)}
    funcs = []
    seen_funcs = set()

    def add_func(f):
        if f is not None and id(f) not in seen_funcs:
            seen_funcs.add(id(f))
            funcs.append(f)

    add_func(output.creator)
    while funcs:
        f = funcs.pop()
        parts.append(_dot_func(f))
        for ref in f.outputs:
            y = ref()
            if y is not None and id(y) not in seen_vars:
                seen_vars.add(id(y))
                parts.append(_dot_var(y, verbose))
        for x in f.inputs:
            if id(x) not in seen_vars:
                seen_vars.add(id(x))
                parts.append(_dot_var(x, verbose))
            add_func(x.creator)
    return "digraph g {\n" + "".join(parts) + "}\n"


def missing_graphviz_message(to_file):
    return (
        f"plot_dot_graph cannot write {to_file!r}: Graphviz's `dot` program is not on PATH. "
        "Install Graphviz (`apt-get install graphviz` on Debian/Ubuntu, "
        "`brew install graphviz` on macOS, or `conda install graphviz`), or instead use "
        "`dezero.dot.get_dot_graph(y)` for the DOT text, or run the cell with `%%dezero` "
        "in a notebook (`%load_ext dezero_magic`) to see the graph without Graphviz."
    )


def plot_dot_graph(output, verbose=True, to_file="graph.png"):
    """Draw the graph that made `output` into `to_file` with Graphviz's `dot`.

    The format follows the file's suffix (png, svg, pdf, ...). Returns an
    IPython Image/SVG when running inside IPython (as the book does), else the
    path written. Without `dot` on PATH: the `svg_fallback` hook when set,
    otherwise a RuntimeError that says what to install or use instead.
    """
    dot_text = get_dot_graph(output, verbose)
    dot = shutil.which("dot")
    if dot is None:
        if svg_fallback is not None:
            return _show(svg_fallback(output, to_file, verbose))
        raise RuntimeError(missing_graphviz_message(to_file))
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    folder = os.path.dirname(to_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    result = subprocess.run([dot, "-T" + extension, "-o", to_file], input=dot_text,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"Graphviz's dot failed to write {to_file!r} (exit {result.returncode}): "
            f"{result.stderr.strip()[:500]}"
        )
    return _show(to_file)


def _show(path):
    # IPython only if the user is already in it: never import it ourselves.
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return path
    from IPython.display import SVG, Image

    return SVG(filename=path) if path.lower().endswith(".svg") else Image(filename=path)
