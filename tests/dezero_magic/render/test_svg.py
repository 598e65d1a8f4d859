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


def x_plus_x():
    """y = x + x (book steps 13-14): two edges x -> Add, and x gets two grads."""
    g = Graph()
    g.variables["x"] = VarNode(id="x", label="x", generation=0, leaf=True)
    g.variables["y"] = VarNode(id="y", label="y", generation=1)
    g.functions["f"] = FuncNode(id="f", op="Add", generation=0, inputs=["x", "x"], outputs=["y"])
    return g


def test_a_repeated_input_draws_two_distinct_arrows_both_highlighted():
    g = x_plus_x()
    for rankdir in ("LR", "TB"):
        root = parse(render_svg(g, layout(g, rankdir), highlight_edges=[("x", "f")]))
        edges = root.findall(".//s:path[@data-src='x'][@data-dst='f']", NS)
        assert len(edges) == 2
        assert edges[0].get("d") != edges[1].get("d")
        assert [e.get("data-copy") for e in edges] == ["0", "1"]
        ends = {e.get("d").split()[-1] for e in edges}
        assert len(ends) == 2  # the arrowheads land apart, not on top of each other
        assert all("dz-highlight" in e.get("class") and e.get("marker-end") for e in edges)
    single = parse(render_svg(diamond(), layout(diamond())))
    assert single.find(".//s:path[@data-copy]", NS) is None  # lone edges keep the plain markup


def step18():
    """Book step 18: t = x0 + x1; y = x0 + t (x0 -> the second Add skips two layers)."""
    g = Graph()
    for vid, gen in [("x0", 0), ("x1", 0), ("t", 1), ("y", 2)]:
        g.variables[vid] = VarNode(id=vid, label=vid, value="1.0", generation=gen, leaf=vid[0] == "x")
    g.functions["f0"] = FuncNode(id="f0", op="Add", generation=0, inputs=["x0", "x1"], outputs=["t"], order=0)
    g.functions["f1"] = FuncNode(id="f1", op="Add", generation=1, inputs=["x0", "t"], outputs=["y"], order=1)
    return g


def path_points(d, per_segment=40):
    """Points along an SVG path made of M, L and C commands (absolute)."""
    tokens = d.replace(",", " ").split()
    points, i, here = [], 0, None
    while i < len(tokens):
        cmd = tokens[i][0]
        nums = [float(tokens[i][1:])] if len(tokens[i]) > 1 else []
        i += 1
        need = {"M": 2, "L": 2, "C": 6}[cmd]
        while len(nums) < need:
            nums.append(float(tokens[i]))
            i += 1
        ends = [(nums[j], nums[j + 1]) for j in range(0, need, 2)]
        if cmd == "M":
            here = ends[0]
            points.append(here)
            continue
        ctrl = [here] + ends if cmd == "C" else [here, here, ends[0], ends[0]]
        for k in range(1, per_segment + 1):
            t = k / per_segment
            w = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3]
            points.append((sum(wi * p[0] for wi, p in zip(w, ctrl)), sum(wi * p[1] for wi, p in zip(w, ctrl))))
        here = ends[-1]
    return points


def test_an_edge_that_skips_layers_goes_around_the_nodes_there():
    g = step18()
    for rankdir in ("LR", "TB"):
        lay = layout(g, rankdir)
        assert ("x0", "f1", 0) in lay.waypoints  # the skipping edge is routed
        root = parse(render_svg(g, lay))
        edges = root.findall(".//s:path[@class='dz-edge']", NS)
        assert len(edges) == len(g.edges())
        for e in edges:
            ends = {e.get("data-src"), e.get("data-dst")}
            points = path_points(e.get("d"))
            for nid, (cx, cy) in lay.positions.items():
                if nid in ends:
                    continue
                w, h = lay.sizes[nid]
                inside = [p for p in points if abs(p[0] - cx) < w / 2 and abs(p[1] - cy) < h / 2]
                assert not inside, (rankdir, ends, nid, inside[:3])


def test_an_unnamed_variables_tooltip_names_it_by_its_id():
    # QA: the step text and the Memory tab say "unnamed (v1)"; the tooltip said "(unnamed variable)"
    g = chain(1)
    g.variables["v1"].label = ""
    title = node(parse(render_svg(g, layout(g))), "v1").find("s:title", NS).text
    assert title.startswith("unnamed (v1)\n") or title.startswith("unnamed (v1) "), title


def test_the_drawing_has_a_name_for_a_screen_reader():
    g = chain(2)
    root = parse(render_svg(g, layout(g)))
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith(f"dezero computation graph: {len(g.functions)} functions, "
                                             f"{len(g.variables)} variables")


def test_node_text_stands_out_on_every_fill_of_the_grad_scale():
    # WCAG AA: 4.5:1 (a fixed switch at t = 0.55 left white text at 3.4:1 on the teal middle)
    worst = min(palette.contrast(palette.scale(i / 200), palette.text_colour(i / 200)) for i in range(201))
    assert worst >= 4.5
