"""The views on a small screen (QA at 1024x768, and 1280x720 with JupyterLab's
file browser open: a figure box of ~805 px): "fit" is offered for every graph
that can overflow such a box, the stepper's first step shows the output end,
the toolbar leaves the toggles their words, the text follows a dark theme,
and the Memory tab shows the measured table once."""
import re
import xml.etree.ElementTree as ET

from dezero_magic.render.focus import needs_window
from dezero_magic.render.screen import BOX_PX
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_tab import BackwardView
from dezero_magic.widgets.graph_tab import CUT_NOTE, LARGE_NOTE, GraphView
from dezero_magic.widgets.memory_tab import MEMORY_CLASS, ONE_TABLE_CSS, memory_view

from widget_html import highlighted, run_traced, text_of

# The tour's last %%dezero cell: 1,431 px wide left to right, so --rankdir auto keeps LR.
TOUR_LOSS = ('w = Variable(np.array([[0.5, -1.0]]), name="w")\n'
             'loss = F.sum(F.tanh(w) ** 2)\nloss.name = "loss"\nloss.backward()')


def _svg(figure_html):
    # the first drawing (the stepper's may be followed by one for a wide box: QA 23)
    return figure_html[figure_html.index("<svg"):figure_html.index("</svg>") + len("</svg>")]


def test_fit_is_offered_for_a_graph_that_can_overflow_an_800_px_box(shell):
    t = run_traced(shell, TOUR_LOSS)
    assert t.layout.rankdir == "LR" and 1300 <= t.layout.width <= 1500
    view = GraphView(t)
    assert view.fit in view.bar.children                 # was offered only above 1,500 px
    assert CUT_NOTE in text_of(view.figure.value)        # says where the rest of it is
    view.fit.value = True
    assert "width:100%" in ET.fromstring(_svg(view.figure.value)).get("style")


def test_large_draws_the_graph_half_as_large_again_and_undoes_fit(shell):
    # QA at 1024x768: the whole graph shrunk to its box read at ~9 px from the back of the hall.
    t = run_traced(shell, TOUR_LOSS)
    view = GraphView(t)
    assert view.large in view.bar.children and not view.large.value
    view.large.value = True
    root = ET.fromstring(_svg(view.figure.value))
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("style").startswith(f"width:{1.5 * width:.0f}px;height:{1.5 * height:.0f}px")
    assert LARGE_NOTE in text_of(view.figure.value) and CUT_NOTE not in text_of(view.figure.value)
    assert view.large.icon == "check"
    view.fit.value = True                                # an overview: large goes off
    assert not view.large.value and "width:100%" in ET.fromstring(_svg(view.figure.value)).get("style")
    view.large.value = True
    assert not view.fit.value
    # a picked node's window is enlarged too, and still says it is a window
    loss = next(v.id for v in t.graph.variables.values() if v.label == "loss")
    view.picker.value = loss
    root = ET.fromstring(_svg(view.figure.value))
    w = float(root.get("viewBox").split()[2])
    assert root.get("style").startswith(f"width:{1.5 * w:.0f}px") and "around the node you picked" in \
        text_of(view.figure.value)


def test_a_small_graph_offers_no_fit_and_no_note(shell):
    view = GraphView(run_traced(shell, "x = Variable(np.array(2.0))\ny = F.exp(x)\ny.backward()"))
    assert view.fit not in view.bar.children
    assert "dz-figure-note" not in view.figure.value


def test_shapes_that_make_the_graph_large_bring_fit_in(shell):
    t = run_traced(shell, "x = Variable(np.ones((2, 3)), name='x')\ny = F.sum(F.exp(F.tanh(x)))\n"
                          "y.backward()")
    view = GraphView(t)
    view.shapes.value = True
    assert (view.fit in view.bar.children) == needs_window(view._layout(True))


def test_backward_step_1_shows_the_popped_function_and_the_output_in_the_smallest_box(shell):
    t = run_traced(shell, TOUR_LOSS)
    view = BackwardView(t)
    assert view.slider.value == 1
    svg = _svg(view.figure.value)
    (popped,) = highlighted(svg)
    root = ET.fromstring(svg)
    x0, _, w, _ = (float(n) for n in root.get("viewBox").split())
    assert w <= BOX_PX and root.get("style").startswith(f"width:{w:.0f}px")
    out = next(v for v in t.graph.variables.values() if v.label == "loss")
    for nid in (popped, out.id):
        (x, _), (nw, _) = t.layout.positions[nid], t.layout.sizes[nid]
        assert x0 <= x - nw / 2 and x + nw / 2 <= x0 + w, nid


def test_the_toolbar_wraps_instead_of_squeezing_the_toggles(shell):
    view = GraphView(run_traced(shell, TOUR_LOSS))
    assert view.bar.layout.flex_flow == "row wrap"
    assert view.picker.layout.width != "440px" and view.picker.layout.max_width == "440px"


def test_text_takes_the_themes_colours_with_fallbacks():
    # JupyterLab Dark: #111 ink on #212121 was unreadable (1.2:1)
    assert style.INK.startswith("var(--jp-content-font-color0") and "#111111" in style.INK
    assert style.MUTED.startswith("var(--jp-") and "#333333" in style.MUTED
    block = style.block("x")
    assert f"color:{style.INK}" in block
    assert "var(--dz-warning-ink" in style.warning("careful")
    assert re.search(r'body\[data-jp-theme-light="false"\] \.dz-view[^{]*\{--dz-warning-ink:#', style.CSS)
    assert f"color:{style.INK}" in style.CSS                 # the controls' labels and readouts too


def test_the_memory_tab_hides_the_captions_copy_of_the_measured_table(shell):
    shell.run_cell("%%dezero --modes -o _t\nx = Variable(np.ones(100), name='x')\ny = F.sum(F.exp(x))\n"
                   "y.backward()")
    view = memory_view(shell.user_ns["_t"])
    assert MEMORY_CLASS in view._dom_classes
    assert view.measured.value.startswith(ONE_TABLE_CSS)
    assert "<table" in view.measured.value                   # the view keeps its own table
    # only the caption's table (class dz-modes), only next to this view
    assert f":has(> .{MEMORY_CLASS}" in ONE_TABLE_CSS and ".dz-modes{display:none}" in ONE_TABLE_CSS
    assert "dz-modes" not in view.measured.value.replace(ONE_TABLE_CSS, "")


def test_the_cut_off_note_is_left_to_the_browser_where_a_wide_box_holds_the_graph(shell):
    # QA: "If this graph is cut off" stood over graphs a 1280-px screen showed whole. The
    # kernel never learns the box's width: a container query hides the note from the width
    # at which the graph, shrunk to MIN_SCALE at most, fits (and the screen is tall enough).
    from dezero_magic.render.screen import MIN_SCALE
    from dezero_magic.render.scroll_hint import SCROLL_HINT_PX

    t = run_traced(shell, TOUR_LOSS)
    view = GraphView(t)
    html = view.figure.value
    width = float(ET.fromstring(_svg(html)).get("width"))
    root = ET.fromstring(_svg(html))
    # (the scroll hint's band, out of view where the graph fits, is not counted)
    height = float(root.get("height")) - (SCROLL_HINT_PX if "dz-hinted-lr" in root.get("class") else 0)
    rule = re.search(r"@container \(min-width:(\d+)px\)\{@media \(min-height:(\d+)px\)", html)
    assert rule, html[:400]
    assert int(rule.group(1)) == -(-(MIN_SCALE * width + 2) // 1)
    assert int(rule.group(2)) == -(-(height / 0.7 + 2) // 1)
    assert 'class="dz-figure-note dz-if-cut"' in html and "container-type:inline-size" in html
    view.large.value = True                  # 1.5 x: the wide box may hold it, then says so
    html = view.figure.value
    assert LARGE_NOTE in text_of(html) and "dz-if-fits" in html
    assert re.search(r"@container \(min-width:(\d+)px\)", html).group(1) == str(int(-(-(1.5 * width + 2) // 1)))


def test_a_node_picked_with_large_on_gets_a_window_drawn_larger_not_a_larger_window(shell):
    # QA: large + a picked node enlarged the window to 1.5 x 480 px, taller than the box,
    # which showed the far end first: the picked x (top of a top-to-bottom graph) out of sight
    from dezero_magic.render.focus import WINDOW_H, WINDOW_W

    t = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 2\ny.backward(create_graph=True)\n'
                          'gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()', "--rankdir TB")
    assert t.layout.rankdir == "TB" and t.layout.height > WINDOW_H   # (auto draws it LR since QA 23)
    view = GraphView(t)
    view.large.value = True
    x = next(v for v, node in t.graph.variables.items() if node.label == "x")
    view.picker.value = x
    root = ET.fromstring(_svg(view.figure.value))
    x0, y0, w, h = map(float, root.get("viewBox").split())
    assert float(root.get("width")) <= WINDOW_W + 1 and float(root.get("height")) <= WINDOW_H + 1
    assert abs(float(root.get("height")) / h - 1.5) < 0.01          # drawn 1.5 times larger
    (px, py), (sw, sh) = t.layout.positions[x], t.layout.sizes[x]
    assert x0 <= px - sw / 2 and px + sw / 2 <= x0 + w and y0 <= py - sh / 2 and py + sh / 2 <= y0 + h
    assert "drawn 1.5 times larger" in text_of(view.figure.value)
