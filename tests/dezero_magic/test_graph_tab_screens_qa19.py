"""The Graph tab on a lecturer's screen (QA session 19), through its model.

- A picked node's window (a graph larger than the screen) showed none of the
  |grad| colour key: it lies under the whole graph. The window now draws it
  whole in its bottom, as the stepper's windows do.
- Matyas' function at 1024x768: drawn at the 64 % floor, 850 px in an
  ~804-px box, x and y cut in half at the box's edge, and nothing in the box
  said that it scrolls. Where the box cuts it (the browser decides: the
  figure's container query) a hint is drawn in the box's first view.
- A graph 620-960 px tall (LR; as wide, TB) had its output centred, out of
  the first view with "large" on: its output end is put at the edge the box
  opens at.
"""
import re
import xml.etree.ElementTree as ET

import pytest

from dezero_magic.layout import MARGIN, layout
from dezero_magic.render.screen import BOX_H, LARGE, NARROW_BOX_PX
from dezero_magic.render.scroll_hint import SCROLL_HINT_PX
from dezero_magic.render.svg import LEGEND_PX
from dezero_magic.widgets.graph_tab import SCROLL_HINTS, GraphView
from test_output_end_in_view import _far_edge, _fan_in
from widget_html import run_traced, text_of, var_id

NS = {"s": "http://www.w3.org/2000/svg"}
CHAIN = "x = Variable(np.array(0.5), name='x')\ny = x\nfor _ in range(40):\n    y = F.sin(y)\ny.backward()"
MATYAS = ('x = Variable(np.array(1.0), name="x")\ny = Variable(np.array(1.0), name="y")\n'
          "z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y\nz.backward()")


def _svg(view):
    html = view.figure.value
    return ET.fromstring(html[html.index("<svg"):html.index("</svg>") + len("</svg>")])


@pytest.mark.parametrize("large", [False, True])
def test_a_picked_nodes_window_draws_the_whole_colour_key(shell, large):
    trace = run_traced(shell, CHAIN)
    view = GraphView(trace)
    view.large.value = large
    right = float(ET.fromstring(trace.svg()).get("data-legend-right"))
    for nid in list(trace.graph.functions)[::8] + [var_id(trace, "x")]:
        view.picker.value = nid
        root = _svg(view)
        x0, y0, w, h = map(float, root.get("viewBox").split())
        assert w < trace.layout.width, "not a window"
        keys = root.findall(".//s:g[@class='dz-window-key']", NS)
        assert len(keys) == 1 and keys[0].find("s:g[@class='dz-legend']", NS) is not None
        assert len(root.findall(".//s:g[@class='dz-legend']", NS)) == 1       # moved, not copied
        tx, ty, size = map(float, re.match(r"translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.]+)\)",
                                           keys[0].get("transform")).groups())
        scale = float(root.get("width")) / w
        assert x0 <= tx + size * MARGIN and tx + size * right <= x0 + w + 0.5, nid      # whole, across
        assert y0 <= ty and ty + size * LEGEND_PX <= y0 + h + 0.5, nid                   # and down
        assert size * scale == pytest.approx(LARGE if large else 1.0, abs=0.01)          # as the nodes
        assert root.findall(".//s:*[@class='dz-picked']", NS), nid
        texts = [t.text for t in keys[0].findall(".//s:text", NS)]
        assert texts[0] == "|grad| 0", texts


def _hint(root):
    return root.findall(".//s:g[@class='dz-scroll-hint dz-if-cut']", NS)


def test_a_graph_cut_at_the_floor_says_in_the_box_that_it_scrolls(shell):
    trace = run_traced(shell, MATYAS)
    view = GraphView(trace)
    root = _svg(view)
    hint = _hint(root)
    assert len(hint) == 1
    text = hint[0].find("s:text", NS)
    assert text.text == SCROLL_HINTS["LR"] and "scroll" in text.text
    # in the corner an LR box opens on: its top right, above the drawing, which keeps its coordinates
    x0, y0, w, h = map(float, root.get("viewBox").split())
    assert (x0, y0) == (0, -SCROLL_HINT_PX) and float(root.get("height")) == h
    assert text.get("text-anchor") == "end" and float(text.get("x")) == pytest.approx(w - MARGIN, abs=1)
    assert -SCROLL_HINT_PX < float(text.get("y")) < 0
    # the browser hides it where the box holds the graph whole (the same rule as the note's)
    html = view.figure.value
    assert "@container" in html and re.search(r"\.dz-fits-\d+-\d+ \.dz-if-cut\{display:none\}", html)
    assert "scroll the box" in text_of(html)
    # none with fit or large on (large says it in its note), none with a node picked
    for toggle in (view.fit, view.large):
        toggle.value = True
        assert not _hint(_svg(view))
        toggle.value = False
    view.picker.value = var_id(trace, "x")
    assert not _hint(_svg(view))


def test_a_small_graph_gets_no_hint_and_a_tb_graph_gets_it_at_its_bottom_left(shell):
    small = GraphView(run_traced(shell, "x = Variable(np.array(2.0), name='x')\ny = F.sin(x)\ny.backward()"))
    assert not _hint(_svg(small)) and "dz-scroll-hint" not in small.figure.value
    tb = GraphView(run_traced(shell, CHAIN, "--rankdir TB"))
    root = _svg(tb)
    hint = _hint(root)[0]
    text, band = hint.find("s:text", NS), float(hint.find("s:rect", NS).get("height"))
    x0, y0, w, h = map(float, root.get("viewBox").split())
    # (on lines that fit the drawing's width: test_short_screens_qa20)
    lines = [s.text for s in text.findall("s:tspan", NS)] or [text.text]
    assert (x0, y0) == (0, 0) and " ".join(lines) == SCROLL_HINTS["TB"]
    assert text.get("text-anchor") == "start" and float(text.get("x")) == MARGIN
    assert band >= SCROLL_HINT_PX
    ys = [float(s.get("y")) for s in text.findall("s:tspan", NS)] or [float(text.get("y"))]
    assert all(h - band < y < h for y in ys)


@pytest.mark.parametrize("rankdir, sizes", [("LR", range(8, 13)), ("TB", range(8, 16))])
def test_the_output_of_a_medium_graph_is_in_the_first_view_with_large_on(rankdir, sizes):
    # LR 618-922 px tall: centred, the output ended 336-488 px down, 504-732 px drawn large,
    # below a 768-px screen's 537-px box; TB alike across (the narrowest box, ~550 px)
    first_view = BOX_H if rankdir == "LR" else NARROW_BOX_PX
    for n in sizes:
        lay = layout(_fan_in(n, rankdir), rankdir)
        for nid in ("loss", "sq", "s"):
            assert _far_edge(lay, nid) * LARGE <= first_view, (rankdir, n, nid, lay.positions[nid])
