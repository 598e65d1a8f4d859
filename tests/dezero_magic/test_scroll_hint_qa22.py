"""QA session 22 (L22-C): notebook 05's step-33 `%dezero gx` graph, left to
right, fitted a 1280x720 box's width but was cut at its bottom, and the hint
in its box said "◀ scroll the box for the rest of the graph": nothing lay to
the left. The kernel never learns the box's size: the hint's arrows now
point where a box sized for can cut the drawing (render.screen's range),
both ways where either may be."""
import xml.etree.ElementTree as ET

import pytest

from dezero_magic.render.scroll_hint import with_scroll_hint
from dezero_magic.widgets.graph_tab import SCROLL_HINTS, GraphView


NS = {"s": "http://www.w3.org/2000/svg"}
STEP_33 = ('def f(x):\n    return x ** 4 - 2 * x ** 2\n\n'
           'x = Variable(np.array(2.0), name="x")\ny = f(x)\ny.backward(create_graph=True)\n'
           'gx = x.grad\ngx.name = "gx"\n')
REST = SCROLL_HINTS["LR"][1:]     # " scroll the box for the rest of the graph, or turn fit on"


def _hint(svg_text):
    root = ET.fromstring(svg_text)
    text = root.find(".//s:g[@class='dz-scroll-hint dz-if-cut']/s:text", NS)
    spans = text.findall("s:tspan", NS)
    return " ".join(s.text for s in spans) if spans else text.text


def _drawing(width, height, rankdir):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" class="dz-graph" data-rankdir="{rankdir}"></svg>')


def test_notebook_05_gx_graph_names_the_way_down_too(shell):
    shell.run_cell(STEP_33)
    shell.run_cell("%dezero -o _t gx")
    view = GraphView(shell.user_ns["_t"])
    html = view.figure.value
    hint = _hint(html[html.index("<svg"):html.index("</svg>") + 6])
    lay = view.trace.layout
    assert lay.rankdir == "LR" and lay.height > 410, (lay.width, lay.height)
    # cut at the bottom of a 720-px projector's box: "▼" is said; "◀" too where a narrow box cuts its width
    assert hint.startswith(("▼ scroll", "◀ ▼ scroll")), hint


@pytest.mark.parametrize("size, rankdir, arrows", [
    ((1400, 300), "LR", "◀"),          # too wide for a narrow box, never too tall: along the layers
    ((700, 494), "LR", "▼"),           # fits every box's width (at the smallest scale), too tall for a short one
    ((1400, 494), "LR", "◀ ▼"),        # either may be cut: both
    ((300, 900), "TB", "▲"),
    ((1000, 300), "TB", "▶"),
    ((1000, 900), "TB", "▲ ▶")])
def test_the_arrows_point_where_the_drawing_can_be_cut(size, rankdir, arrows):
    hint = _hint(with_scroll_hint(_drawing(*size, rankdir), SCROLL_HINTS[rankdir], "dz-if-cut"))
    assert hint == arrows + REST, hint
