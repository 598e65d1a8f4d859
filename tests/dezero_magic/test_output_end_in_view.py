"""A graph larger than its box opens on its output end in both directions.

QA (book step 60): an LSTM drawn left to right, 19,859 x 1,738 px, opened on
an empty box: the box showed its right (output) end, as `render.screen.end_first`
asks, but its top, and `loss`, centred 869 px down, lay below the box. Across
the layers a box opens at the drawing's top (LR) or left (TB) edge, so the
layout puts the output end there when centring would put it out of that view.
"""
import re
import xml.etree.ElementTree as ET

import pytest

from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.layout import MARGIN, layout
from dezero_magic.render.screen import BOX_H, MIN_SCALE, NARROW_BOX_PX, end_first
from dezero_magic.render.svg import render_svg
from dezero_magic.widgets import style

SVG = "{http://www.w3.org/2000/svg}"

# Book step 60's model (BetterRNN: L.LSTM + L.Linear) over a short sine series.
LSTM_CELL = """\
%%dezero -o tr
import dezero.layers as L
from dezero import Model
class BetterRNN(Model):
    def __init__(self, hidden_size, out_size):
        super().__init__()
        self.rnn = L.LSTM(hidden_size)
        self.fc = L.Linear(out_size)
    def forward(self, x):
        return self.fc(self.rnn(x))
np.random.seed(0)
xs = np.sin(np.linspace(0, np.pi, 4)).reshape(-1, 1, 1)
model = BetterRNN(10, 1)
loss = 0
for x, t in zip(xs[:-1], xs[1:]):
    y = model(x)
    loss += F.mean_squared_error(y, t)
model.cleargrads()
loss.backward()
"""


def _far_edge(lay, nid):
    """How far from the edge a box opens at across the layers (top for LR, left for TB) the node ends."""
    across = 1 if lay.rankdir == "LR" else 0
    return lay.positions[nid][across] + lay.sizes[nid][across] / 2


def _first_view(rankdir):
    """Drawing px across the layers that every box shows when it opens (render.screen)."""
    return BOX_H if rankdir == "LR" else NARROW_BOX_PX / MIN_SCALE


def _fan_in(n, rankdir="LR", shared_chain=0):
    """n parameters p0..p{n-1} into one Sum -> s -> Square -> loss: one tall (LR) or wide
    (TB) layer, the output end thin. shared_chain > 0: before the Sum, x runs through that
    many Muls that all take the weight w, whose edges skip layers (lanes)."""
    g = Graph()
    for i in range(n):
        g.variables[f"p{i}"] = VarNode(id=f"p{i}", label=f"p{i}", generation=0, leaf=True, value="0.5")
    inputs = [f"p{i}" for i in range(n)]
    gen = 0
    if shared_chain:
        for name in ("x", "w"):
            g.variables[name] = VarNode(id=name, label=name, generation=0, leaf=True, value="1.0")
        prev = "x"
        for k in range(shared_chain):
            g.functions[f"m{k}"] = FuncNode(id=f"m{k}", op="Mul", generation=k, inputs=[prev, "w"],
                                            outputs=[f"h{k}"], order=len(g.functions))
            g.variables[f"h{k}"] = VarNode(id=f"h{k}", label=f"h{k}", generation=k + 1, value="1.0")
            prev = f"h{k}"
        inputs.append(prev)
        gen = shared_chain
    g.functions["sum"] = FuncNode(id="sum", op="Sum", generation=gen, inputs=inputs, outputs=["s"],
                                  order=len(g.functions))
    g.variables["s"] = VarNode(id="s", label="s", generation=gen + 1, value="12.5")
    g.functions["sq"] = FuncNode(id="sq", op="Square", generation=gen + 1, inputs=["s"], outputs=["loss"],
                                 order=len(g.functions))
    g.variables["loss"] = VarNode(id="loss", label="loss", generation=gen + 2, value="156.3")
    return g


@pytest.mark.parametrize("rankdir, n", [("LR", 20), ("TB", 30)])
def test_the_output_of_a_graph_taller_or_wider_than_its_box_is_in_its_first_view(rankdir, n):
    lay = layout(_fan_in(n), rankdir)
    extent = lay.height if rankdir == "LR" else lay.width
    assert extent > 2 * _first_view(rankdir)    # centred, the output lay beyond the first view
    for nid in ("loss", "sq", "s"):
        assert _far_edge(lay, nid) <= _first_view(rankdir), (nid, lay.positions[nid])


def test_a_small_graph_stays_centred():
    # x0 + x1 -> y: the Add between its inputs, y beside it, as before
    g = Graph()
    for name in ("x0", "x1"):
        g.variables[name] = VarNode(id=name, label=name, generation=0, leaf=True, value="1.0")
    g.functions["f"] = FuncNode(id="f", op="Add", generation=0, inputs=["x0", "x1"], outputs=["y"], order=0)
    g.variables["y"] = VarNode(id="y", label="y", generation=1, value="2.0")
    for rankdir in ("LR", "TB"):
        lay = layout(g, rankdir)
        across = 1 if rankdir == "LR" else 0
        middle = (lay.positions["x0"][across] + lay.positions["x1"][across]) / 2
        assert lay.positions["f"][across] == pytest.approx(middle)
        assert lay.positions["y"][across] == pytest.approx(middle)


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_aligned_drawing_stays_whole_and_its_lanes_clear_of_nodes(rankdir):
    n = 20 if rankdir == "LR" else 30
    lay = layout(_fan_in(n, rankdir, shared_chain=5), rankdir)
    across = 1 if rankdir == "LR" else 0
    assert _far_edge(lay, "loss") <= _first_view(rankdir)
    assert lay.waypoints, "the shared weight's edges should skip layers"
    # every layer starts at the edge the box opens at, none beyond the drawing
    starts = {}
    for nid, (x, y) in lay.positions.items():
        low = (x, y)[across] - lay.sizes[nid][across] / 2
        starts[lay.layers[nid]] = min(starts.get(lay.layers[nid], low), low)
        assert low >= MARGIN - 1e-6 and (x, y)[across] + lay.sizes[nid][across] / 2 <= \
            (lay.height if rankdir == "LR" else lay.width) - MARGIN + 1e-6
    assert set(round(s, 6) for s in starts.values()) == {MARGIN}
    # lanes (pairs of points straight across a layer) pass beside every node, never under one
    along = 1 - across
    for points in lay.waypoints.values():
        for p, q in zip(points[::2], points[1::2]):
            assert p[across] == q[across]
            for nid, centre in lay.positions.items():
                half_along, half_across = lay.sizes[nid][along] / 2, lay.sizes[nid][across] / 2
                overlaps = p[along] < centre[along] + half_along and q[along] > centre[along] - half_along
                assert not (overlaps and abs(p[across] - centre[across]) <= half_across), (nid, p, q)
    for a, b in _fan_in(n, rankdir, shared_chain=5).edges():
        assert lay.positions[a][1 - across] < lay.positions[b][1 - across]   # every edge points forward


def test_the_figure_boxes_open_at_the_edge_the_output_is_put_on():
    # The layout's half of the contract: the box opens at the output end along the layers,
    # at the top (LR) / left (TB) across them (not a reversed cross axis)
    for rankdir in ("LR", "TB"):
        svg = render_svg(_fan_in(3), layout(_fan_in(3), rankdir))
        box = re.search(r'<div class="dz-figure" style="([^"]*)"', style.figure(svg)).group(1)
        assert f"flex-direction:{end_first(rankdir)}" in box and "align-items:flex-start" in box
        assert "wrap-reverse" not in box


def _node_box(root, label):
    """(top, bottom) of the variable labelled `label` in a rendered SVG."""
    for g in root.iter(f"{SVG}g"):
        if "dz-var" in (g.get("class") or "") and g.find(f"{SVG}text") is not None \
                and g.find(f"{SVG}text").text == label:
            e = g.find(f"{SVG}ellipse")
            return float(e.get("cy")) - float(e.get("ry")), float(e.get("cy")) + float(e.get("ry"))
    raise AssertionError(f"no variable {label!r} drawn")


def test_book_step_60s_lstm_opens_on_its_loss(shell):
    result = shell.run_cell(LSTM_CELL)
    assert result.error_in_exec is None
    tr = shell.user_ns["tr"]
    lay = tr.layout
    assert lay.rankdir == "LR"
    assert lay.height * MIN_SCALE > BOX_H     # taller than its box, even shrunk: the box scrolls
    assert lay.width * MIN_SCALE > 1100       # and wider than any lecture screen's box
    outputs = {v.label: v.id for v in tr.graph.variables.values() if v.label in ("y", "loss")}
    assert set(outputs) == {"y", "loss"}
    for label, vid in outputs.items():
        assert _far_edge(lay, vid) <= BOX_H, (label, lay.positions[vid], lay.height)
    # the static HTML (VS Code, exported notebooks) draws the same: loss and y at the top,
    # in a box that opens at its right end and its top
    html = tr.html()
    assert "flex-direction:row-reverse" in html and "align-items:flex-start" in html
    root = ET.fromstring(tr.svg())
    for label in ("loss", "y"):
        top, bottom = _node_box(root, label)
        assert 0 <= top and bottom <= BOX_H, (label, top, bottom)
    # the grad scale stays in the drawing (under its output end: scroll down to it)
    legend = root.find(f".//{SVG}g[@class='dz-legend']")
    assert legend is not None
    rect = legend.find(f"{SVG}rect")
    assert float(rect.get("y")) + float(rect.get("height")) <= float(root.get("height"))
