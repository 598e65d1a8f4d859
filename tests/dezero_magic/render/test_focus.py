"""A drawing narrowed to the window around one node (`render.focus`): on a
graph larger than the screen the stepper's popped function and the picked
node are in view without scrolling, in the smallest box sized for
(`render.screen.BOX_PX`: a 1024-px screen, or 1280 px with the file browser open)."""
import re
import xml.etree.ElementTree as ET

import pytest

from dezero_magic.render.focus import FIT_H, FIT_W, WINDOW_H, WINDOW_W, focus, needs_window, window
from dezero_magic.render.screen import BOX_PX, MIN_SCALE
from dezero_magic.render.svg import render_svg
from graphs import sin_chain


def view_box(svg):
    root = ET.fromstring(svg)
    return [float(n) for n in root.get("viewBox").split()], root


def test_a_graph_that_fits_is_left_whole():
    graph, lay = sin_chain(3)  # ~1,070 px wide: shrunk to MIN_SCALE it fits the smallest box
    assert lay.width * MIN_SCALE <= BOX_PX
    svg = render_svg(graph, lay)
    fid = next(iter(graph.functions))
    assert window(lay, fid) is None
    assert focus(svg, lay, fid) == (svg, False)


def test_every_node_of_a_wide_graph_is_inside_its_window_and_the_window_inside_the_graph():
    graph, lay = sin_chain(60)  # LR: about 60 x 2 nodes wide
    assert lay.width > FIT_W
    svg = render_svg(graph, lay)
    for nid in list(graph.functions) + list(graph.variables):
        (x, y), (w, h) = lay.positions[nid], lay.sizes[nid]
        focused, done = focus(svg, lay, nid)
        assert done
        (x0, y0, ww, wh), root = view_box(focused)  # still well-formed SVG
        assert ww <= WINDOW_W and wh <= WINDOW_H
        assert 0 <= x0 and x0 + ww <= lay.width + 0.5 and 0 <= y0 and y0 + wh <= lay.height + 0.5
        assert x0 <= x - w / 2 and x + w / 2 <= x0 + ww, (nid, x0, x, w)
        assert y0 <= y - h / 2 and y + h / 2 <= y0 + wh
        assert root.get("width") == f"{ww:.0f}" and f"width:{ww:.0f}px" in root.get("style")
        # the nodes themselves are untouched: one root tag changed, nothing else
        assert focused[focused.index(">") + 1:] == svg[svg.index(">") + 1:]


def test_the_node_sits_in_the_middle_where_a_narrow_box_still_shows_it():
    # A box narrower than the window shows the window's right end (render.screen.end_first):
    # a node in the middle is in view down to about half the window.
    graph, lay = sin_chain(60)
    middle = sorted(graph.functions, key=lambda f: lay.positions[f][0])[30]
    (x0, _, ww, _), _ = view_box(focus(render_svg(graph, lay), lay, middle)[0])
    assert 0.45 * ww <= lay.positions[middle][0] - x0 <= 0.55 * ww


def test_a_graph_of_1300_px_gets_windows_no_wider_than_the_smallest_box():
    # QA: a 1,431-px graph was drawn whole, at 75 %, in an ~805-px box (1024-px screen):
    # its output, which backward step 1 pops, was 124-269 px out of sight on the right;
    # the 1,100-px window of a larger graph was cut by the box as well.
    graph, lay = sin_chain(4)
    assert 1300 <= lay.width <= 1500
    assert needs_window(lay) and FIT_W * MIN_SCALE <= BOX_PX and WINDOW_W <= BOX_PX
    last = max(graph.functions, key=lambda f: lay.positions[f][0])
    x0, _, ww, _ = window(lay, last)
    assert ww <= BOX_PX
    (x, _), (w, _) = lay.positions[last], lay.sizes[last]
    assert x0 <= x - w / 2 and x + w / 2 <= x0 + ww
    out = max(graph.variables, key=lambda v: lay.positions[v][0])     # the output: the window ends with it
    assert lay.positions[out][0] + lay.sizes[out][0] / 2 <= x0 + ww


def test_a_window_is_drawn_at_full_size_and_kept_whole_in_its_box():
    graph, lay = sin_chain(60)
    focused, _ = focus(render_svg(graph, lay), lay, next(iter(graph.functions)))
    style = ET.fromstring(focused).get("style")
    assert "flex:none" in style and "margin-right:auto" in style   # never squeezed by the figure box


def test_a_tall_graph_is_narrowed_vertically():
    graph, lay = sin_chain(60, "TB")
    assert lay.height > FIT_H
    last = max(graph.functions, key=lambda f: lay.positions[f][1])
    (_, y0, _, wh), _ = view_box(focus(render_svg(graph, lay), lay, last)[0])
    assert y0 > 0 and y0 <= lay.positions[last][1] <= y0 + wh
    assert re.search(r'class="dz-graph"', focus(render_svg(graph, lay), lay, last)[0])


def test_a_windows_edges_cut_no_node():
    # QA: the stepper's window cut ovals in half at its edges ("grad 1.662e-").
    graph, lay = sin_chain(60)
    spans = [(lay.positions[n][0] - lay.sizes[n][0] / 2, lay.positions[n][0] + lay.sizes[n][0] / 2)
             for n in lay.positions]
    for nid in list(graph.functions)[::7] + list(graph.variables)[::7]:
        x0, _, ww, _ = window(lay, nid)
        assert ww >= WINDOW_W / 2
        for a, b in spans:
            assert not a < x0 < b and not a < x0 + ww < b, (nid, x0, ww, a, b)


def test_a_windows_height_is_the_same_for_every_node():
    # A height that changed from step to step moved everything below the stepper's figure.
    for rankdir in ("LR", "TB"):
        graph, lay = sin_chain(60, rankdir)
        heights = {window(lay, nid)[3] for nid in list(graph.functions) + list(graph.variables)}
        assert len(heights) == 1, (rankdir, heights)


def test_a_window_with_its_key_keeps_the_graph_part_inside_the_graph_and_changes_only_the_key():
    # key=True (the stepper's and the Graph tab's picked node's windows): the colour key is
    # redrawn whole in a band under the window's part of the graph; the rest is as drawn.
    from dezero_magic.render.focus import window_scale
    from dezero_magic.render.svg import LEGEND_PX, split_legend

    graph, lay = sin_chain(60)
    svg = render_svg(graph, lay)
    rest, items, _ = split_legend(svg)
    for nid in list(graph.functions)[::6] + list(graph.variables)[::6]:
        (x, y), (w, h) = lay.positions[nid], lay.sizes[nid]
        box = window(lay, nid, key=True)
        focused, done = focus(svg, lay, nid, key=True)
        assert done
        (x0, y0, ww, wh), root = view_box(focused)
        band = LEGEND_PX / window_scale(lay, box, key=True)
        assert (x0, y0, ww) == tuple(round(v) for v in box[:3]) and wh == pytest.approx(box[3] + band, abs=1)
        # the graph part: inside the graph, holding the node; drawn no taller than a window without the key
        assert 0 <= x0 and x0 + ww <= lay.width + 0.5 and 0 <= y0 and y0 + box[3] <= lay.height + 0.5
        assert x0 <= x - w / 2 and x + w / 2 <= x0 + ww and y0 <= y - h / 2 and y + h / 2 <= y0 + box[3]
        assert float(root.get("height")) <= WINDOW_H + 1
        # nothing else changed: the root tag, the legend row moved into the band at the end
        body = focused[focused.index(">") + 1:]
        key_at = body.index('<rect class="dz-window-key-band"')
        assert body[:key_at] == rest[rest.index(">") + 1:rest.rindex("</svg>")]
        assert items in body[key_at:] and body.endswith("</svg>")


def test_a_drawing_without_a_key_gets_no_room_for_one():
    # QA 19: a graph drawn without a colour key (no |grad| to scale) got a window LEGEND_PX shorter
    # and a stepper box LEGEND_PX taller: a blank band, a dark strip in the dark theme.
    from dezero_magic.render.focus import window_size
    from dezero_magic.render.svg import has_legend

    graph, lay = sin_chain(60, "TB")   # taller than a window: the key's room is taken from its height
    keyless = render_svg(graph, lay, show_grads=False)
    assert not has_legend(keyless) and has_legend(render_svg(graph, lay))
    nid = list(graph.functions)[30]
    shown, focused = focus(keyless, lay, nid, overhang=True)
    plain, keyed = window(lay, nid, overhang=True), window(lay, nid, overhang=True, key=True)
    assert keyed[3] < plain[3]   # (what a window with a key would have been)
    assert focused and "dz-window-key" not in shown
    assert view_box(shown)[0] == pytest.approx(plain, abs=0.5)   # the whole window, no band kept
    targets = [(fid, ()) for fid in graph.functions]
    with_key, without = window_size(lay, targets, key=True), window_size(lay, targets, key=False)
    assert with_key[0] == without[0] and with_key[1] >= without[1]   # never shorter: the key is added
    assert window(lay, nid, overhang=True, key=True, size=without) != window(lay, nid, overhang=True, size=without)
