"""The computational graph as Graphviz DOT text (steps 25-26).

Two fixes to the book's version: names are escaped, so a variable named
`a"b` or `<script>` can neither break the DOT file nor the SVG Graphviz makes
from it (characters XML forbids and lone surrogates become U+FFFD); and
without Graphviz's `dot` program `plot_dot_graph` no longer fails silently:
it draws an SVG with dezero_magic's built-in renderer (and warns), or, when
that package is absent too, says what to install.
"""
import os
import re
import shutil
import subprocess
import sys
import warnings

# Characters XML 1.0 forbids: Graphviz would copy them into an invalid SVG;
# and lone surrogates (U+D800-U+DFFF), which cannot be encoded to feed `dot`.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")



class SvgFile(str):
    """The path of an SVG file written by the fallback renderer; a `str`, and
    shown as the picture itself by notebooks (`_repr_svg_`), without IPython."""

    def _repr_svg_(self):
        with open(self, encoding="utf-8") as fh:
            return fh.read()


def builtin_svg(output, to_file, verbose):
    """Draw with dezero_magic's renderer (imported here, never at `import
    dezero`, which must need NumPy alone); returns the .svg path written."""
    try:
        from dezero_magic.render.export import write_svg
    except ImportError as exc:
        raise RuntimeError(missing_graphviz_message(to_file)) from exc
    return SvgFile(write_svg(output, to_file, verbose=verbose))


# What plot_dot_graph calls when `dot` is missing: a callable
# `(output, to_file, verbose) -> path written`. The default draws an SVG with
# the built-in renderer; None raises the RuntimeError that says what to install.
svg_fallback = builtin_svg


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


def _dot_var(v, verbose=False):  # the book calls _dot_var(x) in step 26
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
    path written. Without `dot` on PATH (book fix: the book prints "dot: not
    found" and returns None): `svg_fallback` draws the graph, by default as an
    SVG next to `to_file` (model.png -> model.svg) with a warning saying so;
    a RuntimeError that says what to install when there is no fallback.
    """
    dot_text = get_dot_graph(output, verbose)
    dot = shutil.which("dot")
    if dot is None:
        if svg_fallback is None:
            raise RuntimeError(missing_graphviz_message(to_file))
        written = svg_fallback(output, to_file, verbose)
        how = ("dezero_magic's built-in SVG renderer" if svg_fallback is builtin_svg
               else "dezero.dot.svg_fallback")
        warnings.warn(
            f"Graphviz's `dot` program is not on PATH, so {os.fspath(to_file)!r} was not "
            f"drawn by Graphviz; wrote {os.fspath(written)!r} with {how} instead "
            "(install Graphviz for PNG or PDF output)",
            RuntimeWarning,
            stacklevel=2,
        )
        return _show(written)
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
    path = os.fspath(path)
    from IPython.display import SVG, Image

    return SVG(filename=path) if path.lower().endswith(".svg") else Image(filename=path)
