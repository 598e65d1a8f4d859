"""After class: the tour exported to static HTML still shows the graphs.

`jupyter nbconvert --to html --execute` runs the notebook in a fresh kernel
and writes HTML with no JavaScript widget state needed: every %%dezero cell
must leave an inline SVG of its graph (nodes carry data-node-id) with the
names of the variables it drew.
"""
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


@pytest.fixture(scope="module")
def exported_html(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("export")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
         "--ExecutePreprocessor.timeout=180", "--ExecutePreprocessor.kernel_name=python3",
         str(TOUR), "--output-dir", str(out_dir)],
        cwd=TOUR.parent, env=env, capture_output=True, text=True, timeout=400,
    )
    assert result.returncode == 0, f"nbconvert failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    return (out_dir / "00_tour.html").read_text(encoding="utf-8")


def svg_blocks(html):
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


@pytest.mark.slow
def test_export_has_a_graph_per_dezero_cell(exported_html):
    graphs = [s for s in svg_blocks(exported_html) if "data-node-id" in s]
    source = TOUR.read_text(encoding="utf-8")
    dezero_cells = len(re.findall(r'"%%?dezero\b', source))
    assert dezero_cells >= 5
    assert len(graphs) >= dezero_cells, f"{len(graphs)} graphs for {dezero_cells} %%dezero cells"


@pytest.mark.slow
def test_export_shows_the_variable_names(exported_html):
    graphs = "\n".join(s for s in svg_blocks(exported_html) if "data-node-id" in s)
    texts = set(re.findall(r"<text\b[^>]*>([^<]*)</text>", graphs))
    words = {w for t in texts for w in re.split(r"[\s=:()]+", t) if w}
    missing = [label for label in EXPECTED_LABELS if label not in words]
    assert not missing, f"labels {missing} not drawn; drawn texts: {sorted(texts)[:40]}"
    # The function boxes of the first cell are named after their classes.
    for op in ("Tanh", "Exp", "Mul", "Square"):
        assert any(op in t for t in texts), f"no {op} box in the exported graphs"


@pytest.mark.slow
def test_export_has_no_error_output(exported_html):
    assert "ansi-red" not in exported_html or "Traceback" not in exported_html
    assert "UsageError" not in exported_html
    assert 'class="output_error"' not in exported_html
    assert "jp-RenderedText" in exported_html  # the prints came through
