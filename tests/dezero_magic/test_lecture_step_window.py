"""The Backward stepper's window holds the whole step: the popped function
and every variable it takes grads from or sends them to (QA at 1024x768:
tour §3 step 5 said "grad out to x (v0): -0.48" with x off the box's left
edge; notebook 05's step-36 cell at step 6 had x 500 px above the box),
all of it that fits drawn at the Graph tab's floor (test_step_window_floor_qa22).
The cells are the notebooks' own (notebooks/src)."""
import xml.etree.ElementTree as ET

import pytest

from dezero_magic.render.focus import KEEP_MIN_SCALE, WINDOW_H, WINDOW_W
from dezero_magic.render.svg import LEGEND_PX
from dezero_magic.widgets.backward_tab import BackwardView

from test_step_window_floor_qa22 import check_left_out, graph_part
from widget_html import edge_highlights, highlighted, run_traced

MY_SIN = '''
import math

def my_sin(x, threshold=1e-4):
    y = 0
    for i in range(100000):
        c = (-1) ** i / math.factorial(2 * i + 1)
        t = c * x ** (2 * i + 1)
        y = y + t
        if abs(t.data) < threshold:
            break
    return y
'''
# (flags, code): 00_tour §3 (Matyas); 05: step 26's -v cell, step 27's Taylor my_sin, step 36.
CELLS = {
    "matyas": ("--retain-grad", 'x = Variable(np.array(1.0), name="x")\ny = Variable(np.array(1.0), name="y")\n'
                                "z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y\nz.backward()"),
    "shapes": ("-v -b z", 'x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")\n'
                          'y = Variable(np.random.default_rng(1).standard_normal((2, 3)), name="y")\n'
                          'z = F.sum((x + y) * x - y ** 2)\nz.name = "z"'),
    "taylor": ("", 'x = Variable(np.array(np.pi / 4), name="x")\ny = my_sin(x)\ny.backward()'),
    "step36": ("", 'x = Variable(np.array(2.0), name="x")\ny = x ** 2\ny.backward(create_graph=True)\n'
                   "gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()"),
}


def _inside(lay, box, nid):
    x0, y0, w, h = box
    (x, y), (nw, nh) = lay.positions[nid], lay.sizes[nid]
    return x0 <= x - nw / 2 and x + nw / 2 <= x0 + w and y0 <= y - nh / 2 and y + nh / 2 <= y0 + h


@pytest.mark.parametrize("cell", list(CELLS))
def test_every_step_shows_its_function_and_both_ends_of_every_highlighted_edge(shell, cell):
    shell.run_cell(MY_SIN)
    flags, code = CELLS[cell]
    t = run_traced(shell, code, flags)
    view = BackwardView(t)
    windows = 0
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        html = view.figure.value
        # the first drawing: the whole graph or the usual window (a window for a wide box may follow)
        svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
        root = ET.fromstring(svg)
        (fid,) = highlighted(svg)
        f = t.graph.functions[fid]
        want = {fid, *f.inputs, *f.outputs} | {n for e in edge_highlights(svg) for n in e}
        assert edge_highlights(svg), (cell, k)
        box = [float(n) for n in root.get("viewBox").split()]
        if box[:2] != [0, 0] or box[2:] != [round(t.layout.width), round(t.layout.height)]:
            windows += 1
            assert "inputs and outputs" in html
        # an end that cannot fit at the floor (the Graph tab's: QA 22, x 960 px above step 36's last Pow
        # squeezed the window to 0.41) is left out, its edge running past the window's edge under a label
        ends = want & set(t.layout.positions)
        shown = [nid for nid in ends if _inside(t.layout, graph_part(svg, box), nid)]
        assert fid in shown, (cell, k, box)
        for nid in ends - set(shown):
            check_left_out(svg, t.layout, box, fid, shown, nid, t.graph.variables[nid].label or nid)
        # drawn no larger than a usual window, and no smaller than the floor, unless it cannot be
        shown_w, shown_h = float(root.get("width")), float(root.get("height"))
        assert shown_w <= max(WINDOW_W, box[2] * KEEP_MIN_SCALE) + 1
        assert shown_h <= max(WINDOW_H, box[3] * KEEP_MIN_SCALE) + 1
        # (a window whose nodes need the floor and that also draws the key is drawn inside the stepper's one
        # size, at most the key band's share smaller: the box keeps one height, test_lecture_screen)
        assert shown_w >= box[2] * KEEP_MIN_SCALE * WINDOW_H / (WINDOW_H + LEGEND_PX) - 1
        assert "max-width:100%" in root.get("style")     # a narrower box shrinks it, cutting nothing
    assert windows, "these graphs are larger than the screen: the stepper shows windows"
