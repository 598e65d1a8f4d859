"""The "grad freed" mark sits inside its oval; the NaN/Inf colour has a legend."""
import xml.etree.ElementTree as ET

import pytest

from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.layout import CHAR_PX, FONT_PX, layout
from dezero_magic.render import palette
from dezero_magic.render.svg import NONFINITE_TEXT, render_svg

from graphs import chain

NS = {"s": "http://www.w3.org/2000/svg"}
TEXT = f"{{{NS['s']}}}text"


def freed_chain(label="a", value="4"):
    """x -> Square -> a -> Exp -> y, after y.backward() with retain_grad=False (book step 18)."""
    g = Graph()
    g.variables["x"] = VarNode(id="x", label="x", value="2", grad="218.4", grad_absmax=218.4,
                               shape=(), dtype="float64")
    g.variables["a"] = VarNode(id="a", label=label, value=value, generation=1, leaf=False,
                               grad_freed=True, shape=(), dtype="float64")
    g.variables["y"] = VarNode(id="y", label="y", value="54.6", generation=2, leaf=False,
                               grad_freed=True, shape=(), dtype="float64")
    g.functions["f0"] = FuncNode(id="f0", op="Square", inputs=["x"], outputs=["a"], order=0)
    g.functions["f1"] = FuncNode(id="f1", op="Exp", generation=1, inputs=["a"], outputs=["y"], order=1)
    return g


def inside_oval(px, py, cx, cy, rx, ry):
    return ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 <= 1.0


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("label,value,shapes", [("a", "4", False), ("", "4", False), ("a", "4", True),
                                                ("a", "0.9093", False), ("a", "[1 2 3]", True)])
def test_grad_freed_lies_inside_its_oval(rankdir, label, value, shapes):
    # A short value ("4") once sized the oval for "grad 4": "grad freed" stuck out of it.
    g = freed_chain(label, value)
    root = ET.fromstring(render_svg(g, layout(g, rankdir, show_shapes=shapes), show_shapes=shapes))
    freed = 0
    for el in root.findall(".//s:g[@class='dz-node dz-var']", NS):
        oval = el.find("s:ellipse", NS)
        cx, cy, rx, ry = (float(oval.get(k)) for k in ("cx", "cy", "rx", "ry"))
        for t in el.iter(TEXT):
            if t.text != "grad freed":
                continue
            freed += 1
            assert int(root.get("font-size")) >= FONT_PX and t.get("font-size") is None  # not shrunk
            # The text's box, by the layout's own (generous) glyph width; glyphs ~ 0.7 em tall.
            x, y, half_w, half_h = float(t.get("x")), float(t.get("y")), len(t.text) * CHAR_PX / 2, 0.35 * FONT_PX
            for px, py in [(x - half_w, y - half_h), (x + half_w, y - half_h),
                           (x - half_w, y + half_h), (x + half_w, y + half_h)]:
                assert inside_oval(px, py, cx, cy, rx, ry), (el.get("data-node-id"), (px, py), (cx, cy, rx, ry))
    assert freed == 2  # a and y


def legend_rows(svg):
    root = ET.fromstring(svg)
    return (root, root.find(".//s:g[@class='dz-legend']", NS),
            root.find(".//s:g[@class='dz-legend-nonfinite']", NS))


def test_nonfinite_legend_appears_exactly_when_a_drawn_node_is_nonfinite():
    g = chain(2)
    root, grads, warn = legend_rows(render_svg(g, layout(g)))
    assert grads is not None and warn is None
    g.variables["v1"].nonfinite = True
    root, grads, warn = legend_rows(render_svg(g, layout(g)))
    assert warn is not None
    swatch = warn.find("s:ellipse", NS)
    assert swatch.get("fill") == palette.WARNING_FILL and swatch.get("stroke") == palette.WARNING_STROKE
    assert swatch.get("stroke-dasharray")  # dashed, as the nodes it explains
    assert warn.find("s:text", NS).text == NONFINITE_TEXT
    # A nonfinite variable that is not drawn (cut by --max-nodes) explains nothing.
    lay = layout(g)
    del lay.positions["v1"]
    assert legend_rows(render_svg(g, lay))[2] is None


def test_nonfinite_legend_without_grads_and_beside_the_grad_scale():
    g = chain(2, grads=False)
    g.variables["v2"].nonfinite = True
    lay = layout(g)
    root, grads, warn = legend_rows(render_svg(g, lay))
    assert grads is None and warn is not None  # no grads drawn: the warning legend alone
    assert float(root.get("height")) > lay.height  # its own row under the graph
    g = chain(2)
    g.variables["v2"].nonfinite = True
    root, grads, warn = legend_rows(render_svg(g, lay))
    scale_texts, warn_text = grads.findall("s:text", NS), warn.find("s:text", NS)
    assert {t.get("y") for t in scale_texts} == {warn_text.get("y")}  # one row
    assert float(warn.find("s:ellipse", NS).get("cx")) - 18 > float(scale_texts[-1].get("x")) + 4 * CHAR_PX


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_legends_fit_the_canvas_and_overlap_no_node(rankdir):
    # A TB chain is ~170 px wide; the legends need ~560: the canvas widens instead of cutting them.
    g = chain(2)
    g.variables["v2"].nonfinite = True
    lay = layout(g, rankdir)
    root, grads, warn = legend_rows(render_svg(g, lay))
    width = float(root.get("width"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    text = warn.find("s:text", NS)
    assert float(text.get("x")) + len(text.text) * CHAR_PX <= width
    bottom = max(y + lay.sizes[n][1] / 2 for n, (x, y) in lay.positions.items())
    assert all(float(r.get("y")) > bottom for r in grads.findall("s:rect", NS))
    assert float(warn.find("s:ellipse", NS).get("cy")) - 10 > bottom


def test_legend_text_is_escaped(monkeypatch):
    from dezero_magic.render import svg

    monkeypatch.setattr(svg, "NONFINITE_TEXT", "<b>NaN & Inf</b>")
    g = chain(1)
    g.variables["v1"].nonfinite = True
    out = render_svg(g, layout(g))
    assert "<b>" not in out and "&lt;b&gt;NaN &amp; Inf&lt;/b&gt;" in out
    assert legend_rows(out)[2].find("s:text", NS).text == "<b>NaN & Inf</b>"


def test_the_dotted_outline_of_a_variable_that_is_gone_is_explained_only_when_drawn():
    from dezero_magic.render.svg import GONE_TEXT

    g = chain(2)
    assert ET.fromstring(render_svg(g, layout(g))).find(".//s:g[@class='dz-legend-gone']", NS) is None
    g.variables["v1"].alive = False
    g.variables["v2"].nonfinite = True
    lay = layout(g, "TB")
    root = ET.fromstring(render_svg(g, lay))
    gone = root.find(".//s:g[@class='dz-legend-gone']", NS)
    assert gone.find("s:text", NS).text == GONE_TEXT
    assert gone.find("s:ellipse", NS).get("stroke-dasharray") == "2 3"  # as the node it explains
    node = root.find(".//s:g[@data-node-id='v1']/s:ellipse", NS)
    assert node.get("stroke-dasharray") == "2 3"
    # beside the other legends, inside the canvas
    warn = root.find(".//s:g[@class='dz-legend-nonfinite']", NS)
    assert float(gone.find("s:ellipse", NS).get("cx")) > float(warn.find("s:text", NS).get("x"))
    text = gone.find("s:text", NS)
    assert float(text.get("x")) + len(text.text) * CHAR_PX <= float(root.get("width"))
    del lay.positions["v1"]
    assert ET.fromstring(render_svg(g, lay)).find(".//s:g[@class='dz-legend-gone']", NS) is None


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_every_line_of_a_verbose_oval_lies_inside_it_and_the_grad_does_not_repeat_the_shape(rankdir):
    g = freed_chain()
    g.variables["x"] = VarNode(id="x", label="x", value="(2, 2) [1 2 3 4]", grad="(2, 2) [3 5 7 9]",
                               grad_absmax=9.0, shape=(2, 2), dtype="float64")
    root = ET.fromstring(render_svg(g, layout(g, rankdir, show_shapes=True), show_shapes=True))
    for el in root.findall(".//s:g[@class='dz-node dz-var']", NS):
        oval = el.find("s:ellipse", NS)
        cx, cy, rx, ry = (float(oval.get(k)) for k in ("cx", "cy", "rx", "ry"))
        texts = [t for t in el.iter(TEXT)]
        if el.get("data-node-id") == "x":
            assert [t.text for t in texts] == ["x", "(2, 2) float64", "[1 2 3 4]", "grad [3 5 7 9]"]
        for t in texts:
            x, y = float(t.get("x")), float(t.get("y"))
            half_w, half_h = len(t.text) * CHAR_PX / 2, 0.35 * FONT_PX
            for px, py in [(x - half_w, y - half_h), (x + half_w, y - half_h),
                           (x - half_w, y + half_h), (x + half_w, y + half_h)]:
                assert inside_oval(px, py, cx, cy, rx, ry), (el.get("data-node-id"), t.text)


def test_a_grad_written_as_a_sum_is_coloured_by_its_value():
    from dezero_magic.render.svg import _override_absmax

    assert _override_absmax("32 + 64") == 96.0 and _override_absmax("-0.5") == 0.5
    assert _override_absmax("[1 2] + [3 4]") is None and _override_absmax(None) is None
    g = chain(2)
    svg = render_svg(g, layout(g), grads_override={"v0": "32 + 64", "v2": "96"})
    root = ET.fromstring(svg)
    fills = {el.get("data-node-id"): el.find("s:ellipse", NS).get("fill")
             for el in root.findall(".//s:g[@data-node-id]", NS) if el.find("s:ellipse", NS) is not None}
    assert fills["v0"] == fills["v2"] != palette.NO_GRAD_FILL
