"""dezero.dot: DOT text with escaped names, and plot_dot_graph with or without Graphviz."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.dom.minidom

import numpy as np
import pytest

import dezero.functions as F
from dezero import Function, Variable, dot
from dezero.benchmark_functions import goldstein


NASTY = 'a"b\\c<script>&amp;</script>\nline2'


def _graph():
    x = Variable(np.array(1.0), name="x")
    y = Variable(np.array(1.0), name="y")
    z = goldstein(x, y)
    z.name = "z"
    return x, y, z


def test_get_dot_graph_has_every_node_and_edge_once():
    x = Variable(np.array([1.0, 2.0]), name="x")
    a = F.square(x)
    y = F.exp(a) + a
    y.name = "y"
    text = dot.get_dot_graph(y, verbose=False)
    assert text.startswith("digraph g {\n") and text.endswith("}\n")
    node_lines = [line for line in text.splitlines() if "[label=" in line]
    assert len(node_lines) == 4 + 3  # x, a, exp(a), y; Square, Exp, Add
    assert f'{id(x)} [label="x", color=orange, style=filled]' in text
    assert f'{id(a.creator)} [label="Square", color=lightblue, style=filled, shape=box]' in text
    assert f"{id(x)} -> {id(a.creator)}" in text
    assert f"{id(a.creator)} -> {id(a)}" in text
    assert f"{id(y.creator)} -> {id(y)}" in text
    assert text.count(f"{id(a)} [label=") == 1  # a feeds two functions, drawn once


def test_verbose_labels_have_shape_and_dtype():
    x = Variable(np.ones((2, 3), dtype=np.float32), name="x")
    y = F.sin(x)
    text = dot.get_dot_graph(y, verbose=True)
    assert '[label="x: (2, 3) float32"' in text
    assert '[label="(2, 3) float32"' in text  # the unnamed y


def test_names_are_escaped_for_dot():
    x = Variable(np.array(1.0), name=NASTY)
    y = F.square(x)
    text = dot.get_dot_graph(y, verbose=False)
    label = re.search(str(id(x)) + r' \[label=("(?:[^"\\]|\\.)*")', text).group(1)
    assert label == r'"a\"b\\c&lt;script&gt;&amp;amp;&lt;/script&gt;\nline2"'
    assert "<" not in text and ">" not in text.replace("->", "")


def test_function_class_names_are_escaped():
    Weird = type('W<e>"ird', (Function,), {"forward": lambda self, x: x,
                                            "backward": lambda self, gy: gy})
    y = Weird()(Variable(np.array(1.0)))
    text = dot.get_dot_graph(y)
    assert 'label="W&lt;e&gt;\\"ird"' in text


def test_dropped_output_is_not_drawn():
    class Two(Function):
        def forward(self, x):
            return x, 2 * x

        def backward(self, g0, g1):
            return g0 + 2 * g1

    x = Variable(np.array(1.0))
    y0, _ = Two()(x)
    del _
    text = dot.get_dot_graph(F.square(y0))
    assert "None" not in text
    # x -> Two -> y0 -> Square -> output; the dropped second output has no node
    assert text.count(" -> ") == 4
    assert text.count("color=orange") == 3


def test_long_chain_is_walked_without_recursion():
    x = Variable(np.array(0.5))
    y = x
    for _ in range(20_000):
        y = F.sin(y)
    text = dot.get_dot_graph(y, verbose=False)
    assert text.count("[label=\"Sin\"") == 20_000


def test_rejects_non_variables():
    with pytest.raises(TypeError, match="needs a dezero Variable, got ndarray"):
        dot.get_dot_graph(np.ones(2))


def test_plot_without_graphviz_nor_fallback_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(dot, "svg_fallback", None)
    _, _, z = _graph()
    with pytest.raises(RuntimeError) as info:
        dot.plot_dot_graph(z, to_file=str(tmp_path / "g.png"))
    message = str(info.value)
    assert "`dot` program" in message and "Graphviz" in message
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "get_dot_graph" in message and "%%dezero" in message
    assert not (tmp_path / "g.png").exists()


def test_plot_without_graphviz_draws_an_svg_with_the_builtin_renderer(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    x = Variable(np.array(1.0), name=NASTY)
    y = F.square(x) + F.sin(x)
    y.name = "y"
    with pytest.warns(RuntimeWarning, match=r"Graphviz's `dot` program is not on PATH.*"
                      r"g\.png.*g\.svg.*built-in SVG renderer"):
        result = dot.plot_dot_graph(y, verbose=False, to_file=str(tmp_path / "g.png"))
    target = tmp_path / "g.svg"
    assert result == str(target) and isinstance(result, dot.SvgFile)
    assert not (tmp_path / "g.png").exists()
    svg = target.read_text(encoding="utf-8")
    assert result._repr_svg_() == svg  # what a notebook shows
    doc = xml.dom.minidom.parseString(svg)  # valid XML: the nasty name is escaped
    assert doc.documentElement.tagName == "svg"
    assert "<script>" not in svg
    assert "Square" in svg and "Sin" in svg and "Add" in svg


def test_fallback_follows_to_file_and_makes_its_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    _, _, z = _graph()
    with pytest.warns(RuntimeWarning, match="model.svg"):
        result = dot.plot_dot_graph(z, to_file=tmp_path / "sub" / "model.pdf")
    assert result == str(tmp_path / "sub" / "model.svg")
    assert (tmp_path / "sub" / "model.svg").stat().st_size > 0


def test_fallback_without_dezero_magic_keeps_the_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "dezero_magic.render.export", None)  # import fails
    _, _, z = _graph()
    with pytest.raises(RuntimeError, match="Install Graphviz") as info:
        dot.plot_dot_graph(z, to_file=str(tmp_path / "g.png"))
    assert isinstance(info.value.__cause__, ImportError)
    assert list(tmp_path.iterdir()) == []


def test_fallback_imports_no_notebook_stack(tmp_path):
    """The fallback imports dezero_magic's renderer lazily, and not IPython."""
    code = (
        "import json, sys, warnings\n"
        "import numpy as np, dezero, dezero.functions as F\n"
        "assert 'dezero_magic' not in sys.modules\n"
        "warnings.simplefilter('ignore')\n"
        "y = F.sin(dezero.Variable(np.array(1.0)))\n"
        f"p = dezero.dot.plot_dot_graph(y, to_file={str(tmp_path / 'g.png')!r})\n"
        "print(json.dumps([p, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('IPython', 'ipywidgets', 'matplotlib'))]))\n"
    )
    env = dict(os.environ, PATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    path, loaded = json.loads(result.stdout)
    assert path == str(tmp_path / "g.svg") and loaded == []


def test_plot_uses_the_fallback_hook_when_set(monkeypatch, tmp_path):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    calls = []

    def fallback(output, to_file, verbose):
        calls.append((output, to_file, verbose))
        return to_file

    monkeypatch.setattr(dot, "svg_fallback", fallback)
    _, _, z = _graph()
    target = str(tmp_path / "g.svg")
    with pytest.warns(RuntimeWarning, match="dezero.dot.svg_fallback"):
        assert dot.plot_dot_graph(z, verbose=False, to_file=target) == target
    assert calls == [(z, target, False)]


def test_plot_calls_dot_with_the_dot_text(monkeypatch, tmp_path):
    """A stand-in `dot` on PATH records its arguments and input."""
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[1:]\n"
        "out = args[args.index('-o') + 1]\n"
        "open(out, 'w').write(' '.join(args) + '\\n' + sys.stdin.read())\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake.parent))
    _, _, z = _graph()
    target = tmp_path / "out" / "graph.png"
    assert dot.plot_dot_graph(z, to_file=str(target)) == str(target)
    args, text = target.read_text().split("\n", 1)
    assert args == f"-Tpng -o {target}"
    assert text == dot.get_dot_graph(z, verbose=True)


def test_plot_reports_a_failing_dot(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    _, _, z = _graph()
    with pytest.raises(RuntimeError, match="exit 3.*syntax error"):
        dot.plot_dot_graph(z, to_file=str(tmp_path / "g.png"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_real_graphviz_svg_is_valid_and_shows_the_names(tmp_path):
    x = Variable(np.array(1.0), name=NASTY)
    y = F.square(x)
    y.name = "&bogus; & <b>bold</b>"
    target = tmp_path / "g.svg"
    dot.plot_dot_graph(y, verbose=False, to_file=str(target))
    svg = target.read_text()
    doc = xml.dom.minidom.parseString(svg)  # valid XML: no raw markup got through
    texts = [t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild]
    assert "&bogus; & <b>bold</b>" in texts
    assert 'a"b\\c<script>&amp;</script>' in texts and "line2" in texts
    assert "<script>" not in svg and "<b>" not in svg
    os.remove(target)
