import xml.etree.ElementTree as ET

from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.layout import layout
from dezero_magic.render import palette
from dezero_magic.render.svg import render_svg

from graphs import chain, diamond

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg):
    return ET.fromstring(svg)


def node(root, nid):
    return root.find(f".//s:g[@data-node-id='{nid}']", NS)


def test_variables_are_ovals_functions_boxes_with_classes():
    g = diamond()
    root = parse(render_svg(g, layout(g)))
    for vid in g.variables:
        el = node(root, vid)
        assert "dz-var" in el.get("class") and el.find("s:ellipse", NS) is not None
    for fid in g.functions:
        el = node(root, fid)
        assert "dz-func" in el.get("class") and el.find("s:rect", NS) is not None
    assert len(root.findall(".//s:path[@class='dz-edge']", NS)) == len(g.edges())


def test_fonts_are_readable_on_a_projector():
    g = chain(2)
    root = parse(render_svg(g, layout(g)))
    assert int(root.get("font-size")) >= 14
    sizes = [int(t.get("font-size")) for t in root.iter(f"{{{NS['s']}}}text") if t.get("font-size")]
    assert all(s >= 14 for s in sizes)


def test_fill_follows_grad_magnitude_on_the_sequential_scale():
    g = chain(4)
    root = parse(render_svg(g, layout(g)))
    fills = {vid: node(root, vid).find("s:ellipse", NS).get("fill") for vid in g.variables}
    assert fills["v4"] == palette.scale(1.0) and fills["v0"] == palette.scale(0.0)
    assert fills["v2"] == palette.scale(0.5)


def test_nonfinite_values_get_the_warning_colour():
    g = chain(1)
    g.variables["v1"].nonfinite = True
    root = parse(render_svg(g, layout(g)))
    el = node(root, "v1")
    assert "dz-nonfinite" in el.get("class")
    assert el.find("s:ellipse", NS).get("fill") == palette.WARNING_FILL


def test_highlights_marks_and_grads_override():
    g = diamond()
    svg = render_svg(g, layout(g), highlight_functions=["B"], highlight_edges=[("a", "B")],
                     marked_variables=["a"], grads_override={"a": "7.5", "x": None})
    root = parse(svg)
    assert "dz-highlight" in node(root, "B").get("class")
    assert "dz-highlight" not in node(root, "C").get("class")
    edge = root.find(".//s:path[@data-src='a'][@data-dst='B']", NS)
    assert "dz-highlight" in edge.get("class")
    a = node(root, "a")
    assert "dz-marked" in a.get("class") and a.find("s:g[@class='dz-badge']", NS) is not None
    texts = [t.text for t in a.iter(f"{{{NS['s']}}}text")]
    assert "grad 7.5" in texts
    assert not any((t.text or "").startswith("grad") for t in node(root, "x").iter(f"{{{NS['s']}}}text"))


def test_toggles_hide_values_and_grads():
    g = chain(1)
    g.variables["v1"].value = "VALUE"
    svg = render_svg(g, layout(g), show_values=False, show_grads=False)
    assert "VALUE" not in svg.split("<title>")[0] + "".join(p.split("</title>", 1)[-1] for p in svg.split("<title>")[1:])
    assert ">grad " not in svg


def test_every_string_is_escaped():
    g = Graph()
    evil = '<script>alert("x")</script>&'
    g.variables["v0"] = VarNode(id="v0", label=evil, value=evil, grad=evil, grad_absmax=1.0)
    g.variables["v1"] = VarNode(id="v1", label="\x00\x07ok", generation=1)
    g.functions["f0"] = FuncNode(id="f0", op=evil, inputs=["v0"], outputs=["v1"])
    svg = render_svg(g, layout(g))
    assert "<script" not in svg
    root = parse(svg)  # still well-formed XML, control characters removed
    assert evil[:20] in "".join(t.text or "" for t in root.iter(f"{{{NS['s']}}}title"))
