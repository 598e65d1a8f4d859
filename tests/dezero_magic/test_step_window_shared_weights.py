"""The Backward stepper's window on a graph whose weights every time step
shares (QA, book steps 59-60 at 1024 and 1280 px: an RNN's `fc` and `h2h`
weight W is drawn once, next to the first time step, 40,000 px from the last;
every step popping a Linear grew its window to hold W, the whole graph
squeezed into an 804x30-px strip, node text 1-2 px; the LSTM's step 1 read at
4 px). The window stays at a readable scale around the popped function; a node
too far away for it is cut at the window's edge (the step's text names it)."""
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from dezero_magic.render.focus import AT_X, KEEP_MIN_SCALE, WINDOW_H, WINDOW_W, focus, window, window_scale
from dezero_magic.widgets.backward_tab import BackwardView

from test_step_window_floor_qa22 import check_left_out, fits_at_floor, graph_part
from widget_html import highlighted, run_traced

# Book step 59's SimpleRNN (step 60's BetterRNN with LSTM) over a sine series, unrolled over 24 time steps.
RNN = '''import dezero.layers as L
from dezero import Model

class SimpleRNN(Model):
    def __init__(self, hidden_size, out_size):
        super().__init__()
        self.rnn = L.{layer}(hidden_size)
        self.fc = L.Linear(out_size)
    def forward(self, x):
        return self.fc(self.rnn(x))

np.random.seed(0)
xs = np.sin(np.linspace(0, 6, 25)).reshape(-1, 1, 1)
model = SimpleRNN(10, 1)
loss = 0
for i in range(24):
    y = model(xs[i])
    loss += F.mean_squared_error(y, xs[i + 1])
model.cleargrads()
loss.backward()
'''


def _inside(lay, box, nid):
    x0, y0, w, h = box
    (x, y), (nw, nh) = lay.positions[nid], lay.sizes[nid]
    return x0 <= x - nw / 2 and x + nw / 2 <= x0 + w and y0 <= y - nh / 2 and y + nh / 2 <= y0 + h


def _steps(view):
    """(k, root of the step's window SVG, popped function, the SVG) for every step."""
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        html = view.figure.value
        svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
        (fid,) = highlighted(svg)
        yield k, ET.fromstring(svg), fid, svg


def _check_readable(trace):
    """Every step's window drawn no larger than a usual window (an ~800-px box does
    not shrink it) and at KEEP_MIN_SCALE or more, the popped function and its
    outputs in it; the steps whose function uses a weight the window leaves out."""
    lay, graph = trace.layout, trace.graph
    assert lay.width > 10 * WINDOW_W, "an unrolled RNN is far wider than the screen"
    cut = []
    for k, root, fid, svg in _steps(BackwardView(trace)):
        box = [float(n) for n in root.get("viewBox").split()]
        shown_w, shown_h = float(root.get("width")), float(root.get("height"))
        assert shown_w <= WINDOW_W + 1 and shown_h <= WINDOW_H + 1, (k, shown_w, shown_h)
        assert shown_w / box[2] >= KEEP_MIN_SCALE - 0.01, (k, shown_w, box)
        f = graph.functions[fid]
        assert _inside(lay, box, fid), (k, fid, box)
        # an end that cannot fit at the floor (the Graph tab's, MIN_SCALE) is left out, its edge running
        # past the window's edge under a label naming it; one that can is in the window
        ends = [n for n in dict.fromkeys([*f.inputs, *f.outputs]) if n in lay.positions]
        shown = [n for n in ends if _inside(lay, graph_part(svg, box), n)]
        for v in set(ends) - set(shown):
            check_left_out(svg, lay, box, fid, [fid, *shown], v, graph.variables[v].label or v)
        # its outputs, and the time step's own input (made by a function: h, not a weight), are next to it
        for nid in f.outputs:
            assert nid in shown or not fits_at_floor(lay, [fid, *shown, nid]), (k, nid, box)
        for v in f.inputs:
            if f.op == "Linear" and not graph.variables[v].leaf:
                assert v in shown or not fits_at_floor(lay, [fid, *shown, v]), (k, v, box)
        cut += [k for v in f.inputs if graph.variables[v].leaf and not _inside(lay, box, v)]
    return cut


@pytest.mark.parametrize("layer", ["RNN", "LSTM"])
def test_steps_popping_a_call_of_a_shared_weight_keep_a_readable_window(shell, layer):
    cut = _check_readable(run_traced(shell, RNN.format(layer=layer)))
    assert cut, "the shared weights lie far from most of their calls: their edges are cut at the window"


def test_the_lstm_first_step_is_drawn_readable(shell):
    # QA: step 1 (the loss-summing Add, its other input far left) read at 4 px, the first thing shown
    trace = run_traced(shell, RNN.format(layer="LSTM"))
    root = next(_steps(BackwardView(trace)))[1]
    box = [float(n) for n in root.get("viewBox").split()]
    assert float(root.get("width")) / box[2] >= KEEP_MIN_SCALE
    assert float(root.get("width")) <= WINDOW_W + 1


def _layout(nodes, width=12000.0, height=400.0):
    """A drawn graph of `nodes` {id: x}, all on one row 40 px tall, 60 px wide."""
    return SimpleNamespace(width=width, height=height, positions={n: (x, 200.0) for n, x in nodes.items()},
                           sizes={n: (60.0, 40.0) for n in nodes})


def _drawn_width(lay, box):
    return box[2] * window_scale(lay, box)


def test_a_far_shared_weight_is_cut_and_the_function_stays_centred_at_full_size():
    lay = _layout({"W": 100, "h": 9700, "f": 9900, "y": 10100})
    box = window(lay, "f", keep=["W", "h", "y"], overhang=True)
    assert window_scale(lay, box) == 1.0 and _drawn_width(lay, box) <= WINDOW_W + 1
    assert all(_inside(lay, box, n) for n in ("f", "h", "y")) and not _inside(lay, box, "W")
    assert abs((9900 - box[0]) / box[2] - AT_X) < 0.05


def _svg(lay, edges):
    """A drawing of `lay` as render.svg draws one (node groups named by their tooltips, edges as paths)."""
    nodes = "".join(f'<g class="dz-node dz-var" data-node-id="{n}"><title>{n}</title><ellipse cx="{x}" cy="{y}" '
                    f'rx="30" ry="20"/></g>' for n, (x, y) in lay.positions.items())
    paths = "".join(f'<path class="dz-edge dz-highlight" data-src="{a}" data-dst="{b}" d="M{lay.positions[a][0]:.1f},'
                    f'{lay.positions[a][1]:.1f} L{lay.positions[b][0]:.1f},{lay.positions[b][1]:.1f}"/>'
                    for a, b in edges)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" '
            f'viewBox="0 0 {lay.width:.0f} {lay.height:.0f}">{paths}{nodes}</svg>')


def _check_window(lay, keep, edges):
    """The window around f holding what of `keep` fits at the floor; each end left out labelled."""
    box = window(lay, "f", keep=keep, overhang=True)
    assert KEEP_MIN_SCALE <= window_scale(lay, box) <= 1.0 and _drawn_width(lay, box) <= WINDOW_W + 1
    svg, focused = focus(_svg(lay, edges), lay, "f", keep=keep, overhang=True)
    assert focused and [float(v) for v in ET.fromstring(svg).get("viewBox").split()] == [round(v) for v in box]
    shown = [n for n in ["f", *keep] if _inside(lay, box, n)]
    for n in set(keep) - set(shown):
        check_left_out(svg, lay, [round(v) for v in box], "f", shown, n, n)
    return box, shown


def test_inputs_far_apart_keep_the_function_and_what_fits_of_its_neighbourhood():
    # W at the far left, h 1,200 px right of the function: too far for the floor (MIN_SCALE) with f, left
    # out under a label; 1,050 px right it is held, drawn smaller but readable
    for at, held in ((7200, False), (7050, True)):
        lay = _layout({"W": 100, "f": 6000, "y": 6150, "h": at})
        box, shown = _check_window(lay, ["W", "h", "y"], [("W", "f"), ("h", "f"), ("f", "y")])
        assert all(_inside(lay, box, n) for n in ("f", "y")) and not _inside(lay, box, "W")
        assert ("h" in shown) == held and (window_scale(lay, box) < 1.0) == held
    # two inputs 1,000 px either side: not both fit at KEEP_MIN_SCALE; the nearer one is held
    lay = _layout({"a": 4990, "f": 6000, "b": 7000})
    box, _ = _check_window(lay, ["a", "b"], [("a", "f"), ("b", "f")])
    assert window_scale(lay, box) >= KEEP_MIN_SCALE and _drawn_width(lay, box) <= WINDOW_W + 1
    assert _inside(lay, box, "f") and _inside(lay, box, "b") and not _inside(lay, box, "a")
