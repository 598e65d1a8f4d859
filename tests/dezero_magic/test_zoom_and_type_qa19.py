"""QA session 19 (accessibility, zoom): through the widgets' models.

- At 200 % zoom a wide table in the Gradients and Memory tabs widened the
  prose around it (one HTML widget): every table now sits alone in a box
  that scrolls sideways (overflow-x, contain:inline-size), no prose in it.
- The Memory tab's chart (and the Gradients tab's plot) was drawn 880 px
  wide and shown in a ~537-px box, its type at 10-12 px: now drawn at the
  box's width, every text 14 px or more as shown there, none cut off.
- The Backward stepper's window showed a sliver of the |grad| colour key
  (the rest outside its view): the key is now drawn whole in the window.
"""
import re
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from dezero_magic.layout import MARGIN
from dezero_magic.memory import MODE_LABELS
from dezero_magic.render.focus import focus, window
from dezero_magic.render.svg import LEGEND_PX, render_svg
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_tab import BackwardView
from dezero_magic.widgets.gradients_tab import gradients_view
from dezero_magic.widgets.memory_tab import memory_view
from dezero_magic.widgets.plots import (DPI, WIDTH_PX, bar_chart_figure, bar_chart_png, curves_figure,
                                        curves_png, wrapped)
from graphs import sin_chain
from test_numgrad import BUGGY_CUBE
from widget_html import run_traced, text_of

NS = {"s": "http://www.w3.org/2000/svg"}
# The box QA measured the chart in (1280-px screen, JupyterLab's file browser open), and the
# smallest type it must show there.
BOX_PX, MIN_TYPE_PX = 537, 14
SCROLLER = re.compile(r'<div class="dz-scroll-x" style="([^"]*)"[^>]*>(<table\b.*?</table>)</div>', re.S)


def _tables_scroll_alone(html):
    """The prose of `html` with each table (and its scroll box) taken out; every
    table must be the one thing in a box of its own that scrolls sideways."""
    boxes = SCROLLER.findall(html)
    assert boxes and len(boxes) == html.count("<table"), html
    for look, table in boxes:
        assert "overflow-x:auto" in look and "max-width:100%" in look and "contain:inline-size" in look
        assert table.count("<table") == 1
    return SCROLLER.sub("", html)


def test_the_gradients_tables_scroll_alone_and_the_prose_is_outside_them(shell):
    view = gradients_view(run_traced(shell, BUGGY_CUBE))
    prose = _tables_scroll_alone(view.table.value)          # the offer: the table so far, the button
    assert "<table" not in prose
    view.run.click()
    prose = text_of(_tables_scroll_alone(view.table.value))
    for said in ("FAILS the check", "Grads of y with respect to the leaf variables", "Which backward is wrong",
                 "Cube.backward", "Run when you asked"):
        assert said in prose, said
    assert "analytic grad" not in prose and "relative error" not in prose     # the table's, in its box
    assert "overflow-wrap:break-word" in view.table.value   # a long word in the prose breaks too


def test_the_memory_tables_scroll_alone_and_the_prose_is_outside_them(shell):
    view = memory_view(run_traced(shell, 'x = Variable(np.ones(1000), name="x")\ny = F.sum(F.exp(x))\n'
                                         "y.backward()", "--modes"))
    for label in MODE_LABELS.values():
        if label in [v for _, v in view.modes.options]:
            view.modes.value = label
            prose = text_of(_tables_scroll_alone(view.figures.value))
            assert "Each array is counted once" in prose and "Grads kept" in prose
            assert "kept for backward" not in prose.split("Each array")[0]     # the bars' rows: in the table
    prose = text_of(_tables_scroll_alone(view.measured.value))
    assert "Per mode" in prose and "retained after" not in prose       # the measured table's header: in its box


def test_a_table_is_wrapped_by_style_table_itself():
    html = style.table([("a", "1")], header=("name", "value"))
    assert SCROLLER.fullmatch(html)
    assert "dz-scroll-x:focus-visible" in style.CSS          # focusable (arrow keys scroll it), outlined


def _texts(fig):
    """Every text `fig` draws, with its extent in PNG px (a draw first lays them out);
    tick labels only of ticks within their axis' range (the others are not drawn)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-6
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - span <= tick.get_loc() <= hi + span:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return [(t, t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _check_type(fig, what):
    shown = min(1.0, BOX_PX / WIDTH_PX)
    width, height = fig.canvas.get_width_height()
    assert width == WIDTH_PX
    texts = _texts(fig)
    assert len(texts) > 6, what
    for text, box in texts:
        px = text.get_fontsize() * DPI / 72 * shown
        assert px >= MIN_TYPE_PX, (what, text.get_text(), px)
        # not cut off at the PNG's edges
        assert box.x0 >= -0.5 and box.y0 >= -0.5 and box.x1 <= width + 0.5 and box.y1 <= height + 0.5, \
            (what, text.get_text(), box)
    return texts


def _apart(boxes, what):
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (what, a, b)


def test_the_memory_chart_is_drawn_at_its_box_width_in_type_of_14_px_or_more():
    groups = [MODE_LABELS[k] for k in ("default", "retain_grad", "no_grad")]
    # peak and retained alike: their numbers stand side by side over bars of one height
    series = {"peak": [40_100, 48_000, 24_100], "retained": [40_000, 47_900, 24_000]}
    png = bar_chart_png(groups, series, title="Memory per mode, measured (tracemalloc)")
    assert struct.unpack(">II", png[16:24])[0] == WIDTH_PX        # the PNG's own width
    fig = bar_chart_figure(groups, series, title="Memory per mode, measured (tracemalloc)")
    texts = _check_type(fig, "bars")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    _apart([t.get_window_extent(renderer) for t in ax.texts], "the bars' numbers")
    _apart([t.get_window_extent(renderer) for t in ax.get_xticklabels()], "the groups' labels")
    legend = ax.get_legend().get_window_extent(renderer)
    _apart([legend] + [t.get_window_extent(renderer) for t in ax.texts], "the legend and the numbers")
    assert any(t.get_text() == "Memory per mode, measured (tracemalloc)" for t, _ in texts)


@pytest.mark.parametrize("panels", [False, True])
def test_the_gradients_plot_is_drawn_at_its_box_width_in_type_of_14_px_or_more(panels):
    xs = np.linspace(-1.2, 2.8, 101)
    curves = ({0: np.exp(xs ** 2), 1: 200 * xs * np.exp(xs ** 2)} if panels
              else {0: np.sin(xs), 1: np.cos(xs), 2: -np.sin(xs), 3: -np.cos(xs)})
    names = {0: "f(x)", 1: "f'(x)", 2: "f''(x)", 3: "f'''(x)"}
    title = "f and its derivatives around x = 0.7854 (dezero.grad(create_graph=True))"
    assert struct.unpack(">II", curves_png(xs, curves, 0.7854, names, title)[16:24])[0] == WIDTH_PX
    _check_type(curves_figure(xs, curves, 0.7854, names, title), "curves")


def test_labels_wrap_at_spaces_and_after_an_equals_sign_written_without_one():
    assert wrapped("retain_grad=False (default)", 130, 16, at_equals=True) == "retain_grad=\nFalse\n(default)"
    assert wrapped("around x = 0.7854 (central differences)", 250, 18) == "around x = 0.7854\n(central differences)"
    assert wrapped("dezero.grad(create_graph=True)", 100, 18) == "dezero.grad(create_graph=True)"   # too long: kept


def chain_svg(n=60):
    """A chain of `n` sin, left to right, backward run: far wider than a window."""
    graph, lay = sin_chain(n)
    return graph, lay, render_svg(graph, lay)


def _key_in_view(svg, lay):
    """The window's key: whole inside its viewBox, and the size its text is drawn at (1: 14 px)."""
    root = ET.fromstring(svg)
    x0, y0, w, h = map(float, root.get("viewBox").split())
    keys = root.findall(".//s:g[@class='dz-window-key']", NS)
    assert len(keys) == 1 and len(root.findall(".//s:g[@class='dz-legend']", NS)) == 1
    assert keys[0].find("s:g[@class='dz-legend']", NS) is not None        # the one scale is in the key
    tx, ty, size, shift = map(float, re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.]+)\) "
                                                  r"translate\(0,([-\d.]+)\)", keys[0].get("transform")).groups())
    left, top = tx + size * MARGIN, ty
    assert abs(shift + lay.height) < 0.1
    return root, (x0, y0, w, h), (left, top, size)


def test_a_window_of_the_stepper_draws_the_whole_key_at_its_size():
    graph, lay, svg = chain_svg()
    root = ET.fromstring(svg)
    right = float(root.get("data-legend-right"))
    for nid in list(graph.functions)[::9]:
        # the key's 18-px row lies 8 px under the graph: the window used to show a sliver of it, or none
        old = window(lay, nid, overhang=True)
        seen = min(old[1] + old[3], lay.height + 26) - (lay.height + 8)
        assert seen < 9 or old[0] > right, (nid, old)
        shown, focused = focus(svg, lay, nid, overhang=True)
        assert focused
        win, (x0, y0, w, h), (left, top, size) = _key_in_view(shown, lay)
        scale = float(win.get("width")) / w
        assert x0 <= left and left + size * (right - MARGIN) <= x0 + w + 0.5      # whole, across
        assert y0 <= top and top + size * LEGEND_PX <= y0 + h + 0.5              # and down
        assert size * scale == pytest.approx(1.0, abs=0.01)                       # its text: 14 px
        # drawn no taller than a window without the key
        assert float(win.get("height")) <= 480 + 1
    # without overhang, by default (the Graph tab asks for key=True), the drawing is left as it was drawn
    assert "dz-window-key" not in focus(svg, lay, next(iter(graph.functions)))[0]


def test_every_stepper_window_of_an_lstm_shows_the_whole_key(shell):
    from test_step_window_shared_weights import RNN

    trace = run_traced(shell, RNN.format(layer="LSTM"))
    view = BackwardView(trace)
    steps = list(range(1, view.slider.max + 1))
    for k in steps[:3] + steps[len(steps) // 2::max(1, len(steps) // 6)]:
        view.slider.value = k
        html = view.figure.value
        svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
        root = ET.fromstring(svg)
        x0, y0, w, h = map(float, root.get("viewBox").split())
        assert (x0, y0) != (0, 0) or w < trace.layout.width                      # a window
        win, (x0, y0, w, h), (left, top, size) = _key_in_view(svg, trace.layout)
        assert x0 <= left and y0 <= top and top + size * LEGEND_PX <= y0 + h + 0.5, k
        assert size * float(win.get("width")) / w >= 0.99, k                     # 14-px text, as the nodes' at 1
        texts = [t.text for t in win.findall(".//s:g[@class='dz-window-key']//s:text", NS)]
        assert texts[0] == "|grad| 0" and len(texts) >= 2, k
