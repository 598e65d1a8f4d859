"""The Backward stepper's layout on a lecture screen (QA at 1024x768 and
1280x800): the step's text under the buttons, a graph wider than the
narrowest box shown whole or as a window as the box allows, and a box that
keeps one height while playing."""
import re

import pytest

from dezero_magic.widgets.backward_tab import BackwardView

from test_widgets_backward import DIAMOND
from widget_html import run_traced, text_of


@pytest.fixture
def diamond(shell, displayed):
    return run_traced(shell, DIAMOND)


def test_the_step_text_comes_right_under_the_buttons_and_the_queue_after_the_graph(diamond):
    # QA at 1280x800: the step's text came after a graph box up to 560 px tall, below the fold
    view = BackwardView(diamond)
    order = list(view.children)
    assert order.index(view.info) < order.index(view.figure) < order.index(view.queue)
    assert "Step 1 of" in text_of(view.info.value) and "Queue" in text_of(view.queue.value)


def test_a_graph_the_narrowest_box_would_cut_is_stepped_whole_or_in_a_window(diamond):
    # QA: at 1024 px with the file browser open (a ~550-px box) the diamond's last book step
    # popped a function cut in half at the box's edge; shrunk to fit, it read at 7 px. The
    # browser picks (a container query): the whole graph where the box holds it, else a
    # window around the popped function, each with its own marker ids.
    import xml.etree.ElementTree as ET

    from dezero_magic.render.screen import MIN_SCALE, NARROW_BOX_PX

    width = diamond.layout.width
    assert width * MIN_SCALE > NARROW_BOX_PX
    html = BackwardView(diamond).figure.value
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) == 2
    whole, window = (ET.fromstring(s) for s in svgs)
    assert whole.get("class") == "dz-if-fits dz-graph" and window.get("class") == "dz-if-cut dz-graph"
    assert whole.get("viewBox").startswith("0 0 ") and float(window.get("viewBox").split()[2]) < width
    rule = re.search(r"@container \(min-width:(\d+)px\)", html)
    assert rule and int(rule.group(1)) == -(-(MIN_SCALE * width + 2) // 1)
    ids = [re.findall(r'\sid="([^"]+)"', s) for s in svgs]
    assert ids[0] and not set(ids[0]) & set(ids[1])
    assert 'class="dz-figure-note dz-if-cut"' in html      # "The part of the graph around ..." with the window only


def test_the_stepper_box_keeps_one_height_and_its_windows_one_size(shell, displayed):
    # QA at 1024 px with the file browser open: the box changed height from step to step (395,
    # 480, 399 px), moving the queue under it while playing: windows of different widths
    # (narrowed so that no node is cut at an edge) shrink differently into a narrow box.
    import xml.etree.ElementTree as ET

    from dezero_magic.render.screen import narrowest_height
    from test_lecture_step_window import MY_SIN

    shell.run_cell(MY_SIN)
    trace = run_traced(shell, 'x = Variable(np.array(np.pi / 4), name="x")\ny = my_sin(x)\ny.backward()')
    view = BackwardView(trace)
    kept, drawn, widths = set(), [], set()
    for k in range(1, len(trace.graph.steps) + 1):
        view.slider.value = k
        html = view.figure.value
        kept.add(re.search(r"min-height:min\((\d+)px, 70vh\)", html).group(1))
        root = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
        drawn.append(float(root.get("height")))
        widths.add(root.get("width"))
    # one box height; every window drawn at one size (QA 19: windows of several widths shrank
    # differently into a narrow box, the colour key under them jumped from step to step)
    assert len(kept) == 1 and len(widths) == 1 and len(set(drawn)) == 1
    assert abs(int(kept.pop()) - narrowest_height(float(widths.pop()), max(drawn))) <= 1



def test_a_function_near_the_graphs_bottom_is_not_at_the_windows_bottom_edge(shell, displayed):
    # QA at 1024x768: a window is clamped to the graph, so the function popped near its
    # bottom sat at the window's bottom edge, below the screen's fold. The stepper's window may
    # reach below the drawing (on the graph's white card) to keep it AT_Y down the window.
    import xml.etree.ElementTree as ET

    from dezero_magic.render.focus import AT_Y

    trace = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 2\ny.backward(create_graph=True)\n'
                              'gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()', "--rankdir TB")
    lay = trace.layout                      # (auto draws it LR since QA 23)
    view = BackwardView(trace)              # step 1 pops Add -> z, at the bottom of a tall graph
    fid = trace.graph.steps[0].func
    assert lay.rankdir == "TB" and lay.positions[fid][1] > lay.height - 200
    html = view.figure.value
    root = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
    x0, y0, w, h = map(float, root.get("viewBox").split())
    assert abs((lay.positions[fid][1] - y0) / h - AT_Y) < 0.05
    assert y0 + h > lay.height      # it reaches below the drawing
    card = root.find("{http://www.w3.org/2000/svg}rect")
    assert card is not None and card.get("fill") == "#ffffff" and float(card.get("y")) == round(y0)
