"""After class: the tour exported to static HTML still shows the graphs.

`jupyter nbconvert --to html --execute` runs the notebook in a fresh kernel
(nbclient) and, as for any notebook with widgets, saves the widgets' state
into the HTML: each %%dezero output becomes a widget view that the widget
HTML manager draws when the page is opened. The graph is in that saved
state (the Graph tab's SVG), so it is checked there. With
`--ExecutePreprocessor.store_widget_state=False` (no JavaScript at all),
every %%dezero cell falls back to its inline SVG, checked too.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbconvert")

REPO = Path(__file__).resolve().parents[2]
TOUR = REPO / "notebooks" / "00_tour.ipynb"
# Variable names in the tour's %%dezero cells, as the graph labels them.
EXPECTED_LABELS = ["x", "y", "a", "b", "c", "z", "w", "loss"]


def _export(tmp_path_factory, *options):
    out_dir = tmp_path_factory.mktemp("export")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
         "--ExecutePreprocessor.timeout=180", "--ExecutePreprocessor.kernel_name=python3",
         *options, str(TOUR), "--output-dir", str(out_dir)],
        cwd=TOUR.parent, env=env, capture_output=True, text=True, timeout=400,
    )
    assert result.returncode == 0, f"nbconvert failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    return (out_dir / "00_tour.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def exported_html(tmp_path_factory):
    return _export(tmp_path_factory)


@pytest.fixture(scope="module")
def exported_static_html(tmp_path_factory):
    return _export(tmp_path_factory, "--ExecutePreprocessor.store_widget_state=False")


def svg_blocks(html):
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


def _script_json(html, mime):
    return [json.loads(m) for m in re.findall(
        rf'<script type="{re.escape(mime)}">(.*?)</script>', html, flags=re.DOTALL)]


def widget_graphs(html):
    """The SVG graph of each widget view in the page, from the saved widget state."""
    states = _script_json(html, "application/vnd.jupyter.widget-state+json")
    assert states, "no saved widget state in the exported HTML"
    models = states[0]["state"]

    def strings_under(model_id, seen):
        if model_id in seen or model_id not in models:
            return
        seen.add(model_id)
        for value in models[model_id].get("state", {}).values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                    yield from strings_under(item[len("IPY_MODEL_"):], seen)
                elif isinstance(item, str):
                    yield item

    graphs = []
    for view in _script_json(html, "application/vnd.jupyter.widget-view+json"):
        svgs = [svg for text in strings_under(view["model_id"], set()) for svg in svg_blocks(text)
                if "data-node-id" in svg]
        graphs.append(svgs[0] if svgs else None)
    return graphs


def _labels_and_ops(graphs):
    texts = set(re.findall(r"<text\b[^>]*>([^<]*)</text>", "\n".join(graphs)))
    words = {w for t in texts for w in re.split(r"[\s=:()]+", t) if w}
    missing = [label for label in EXPECTED_LABELS if label not in words]
    assert not missing, f"labels {missing} not drawn; drawn texts: {sorted(texts)[:40]}"
    # The function boxes of the first cell are named after their classes.
    for op in ("Tanh", "Exp", "Mul", "Square"):
        assert any(op in t for t in texts), f"no {op} box in the exported graphs"


def _dezero_cells():
    count = len(re.findall(r'"%%?dezero\b', TOUR.read_text(encoding="utf-8")))
    assert count >= 5
    return count


@pytest.mark.slow
def test_export_has_a_graph_in_every_widget_view(exported_html):
    graphs = widget_graphs(exported_html)
    assert len(graphs) >= _dezero_cells(), f"{len(graphs)} widget views for {_dezero_cells()} %%dezero cells"
    assert all(graphs), f"{graphs.count(None)} widget views without a graph in their saved state"
    _labels_and_ops(graphs)


@pytest.mark.slow
def test_export_without_widget_state_shows_inline_svgs(exported_static_html):
    graphs = [s for s in svg_blocks(exported_static_html) if "data-node-id" in s]
    assert len(graphs) >= _dezero_cells(), f"{len(graphs)} graphs for {_dezero_cells()} %%dezero cells"
    assert "application/vnd.jupyter.widget-view+json" not in exported_static_html
    _labels_and_ops(graphs)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["exported_html", "exported_static_html"])
def test_export_has_no_error_output(which, request):
    exported_html = request.getfixturevalue(which)
    assert "ansi-red" not in exported_html or "Traceback" not in exported_html
    assert "UsageError" not in exported_html
    assert 'class="output_error"' not in exported_html
    assert "jp-RenderedText" in exported_html  # the prints came through


def _nbconvert(args, cwd):
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, f"nbconvert failed:\n{result.stdout}\n{result.stderr[-4000:]}"


@pytest.mark.slow
def test_a_notebook_saved_with_widget_state_exports_its_inline_svgs(tmp_path):
    # A notebook saved in scripts/start.sh's JupyterLab holds the widgets' state, and
    # store_widget_state=False acts only with --execute: USING.md's command for it.
    _nbconvert(["--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=180",
                "--ExecutePreprocessor.kernel_name=python3", str(TOUR), "--output-dir", str(tmp_path),
                "--output", "saved"], TOUR.parent)
    saved = tmp_path / "saved.ipynb"
    assert "widgets" in json.loads(saved.read_text(encoding="utf-8"))["metadata"]
    _nbconvert(["--to", "html", "--ClearMetadataPreprocessor.enabled=True",
                "--ClearMetadataPreprocessor.clear_notebook_metadata=True", str(saved)], tmp_path)
    html = (tmp_path / "saved.html").read_text(encoding="utf-8")
    graphs = [s for s in svg_blocks(html) if "data-node-id" in s]
    assert len(graphs) >= _dezero_cells() and "application/vnd.jupyter.widget-view+json" not in html
    _labels_and_ops(graphs)
