"""The Backward stepper's window is drawn no smaller than the Graph tab's
floor (render.screen.MIN_SCALE: 14-px node text >= 9 px). QA 22 (L22-E,
notebook 05's step 36 at 1280x720, step 6 of 6): the window was squeezed to
0.41 to hold x, 960 px above the popped Pow, its text 5-6 px, unreadable on a
projector. An input or output of the step that cannot fit at the floor is left
out of the window; its edge runs past the window's edge, where a label names
it and points the way it lies ("x ▲"). `check_left_out` is the rule the other
stepper-window tests hold such an end to."""
import html
import re
import xml.etree.ElementTree as ET

from dezero_magic.render.edge_labels import ARROWS
from dezero_magic.render.focus import KEEP_MIN_SCALE, KEEP_PAD, WINDOW_H, WINDOW_W
from dezero_magic.render.screen import MIN_SCALE
from dezero_magic.render.svg import LEGEND_PX
from dezero_magic.widgets.backward_tab import BackwardView

from widget_html import highlighted, run_traced, text_of, var_id

# Notebook 05's step 36 was drawn top to bottom (auto) when QA 22 saw it; auto draws it LR since QA 23.
TB = "--rankdir TB"
STEP_36 = ('x = Variable(np.array(2.0), name="x")\ny = x ** 2\ny.backward(create_graph=True)\n'
           "gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()")
UP, DOWN, LEFT, RIGHT = (ARROWS[s] for s in ("top", "bottom", "left", "right"))


def fits_at_floor(lay, nodes, key=True):
    """Whether `nodes` fit together in a window drawn at the floor (with the colour key under it: `key`)."""
    boxes = [(lay.positions[n], lay.sizes[n]) for n in nodes]
    span = [max(p[i] + s[i] / 2 for p, s in boxes) - min(p[i] - s[i] / 2 for p, s in boxes) + 2 * KEEP_PAD
            for i in (0, 1)]
    room = (min(lay.width, WINDOW_W), min(lay.height, WINDOW_H - (LEGEND_PX if key else 0)))
    return span[0] <= room[0] / KEEP_MIN_SCALE and span[1] <= room[1] / KEEP_MIN_SCALE


def graph_part(svg, box):
    """The window's viewBox `box` without the colour key's band under it."""
    band = re.search(r'<rect class="dz-window-key-band" x="[^"]*" y="([^"]*)"', svg)
    return box[:3] + [float(band.group(1)) - box[1]] if band else box


def _inside_pt(p, box, slack=0.5):
    return box[0] - slack <= p[0] <= box[0] + box[2] + slack and box[1] - slack <= p[1] <= box[1] + box[3] + slack


def _ends(d):
    """The first and last points of an edge's SVG path."""
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return (nums[0], nums[1]), (nums[-2], nums[-1])


def check_left_out(svg, lay, box, fid, shown, nid, name):
    """`nid`, an end of the step popping `fid` outside the window `box` (its
    viewBox), is left out only where it cannot fit in the window at the floor
    together with the step's ends it shows (`shown`); its edge to `fid` runs
    from inside to past the window's edge (or under the cover of `nid`, cut
    by that edge); a label inside the window names it (`name`), its arrow
    pointing the way it truly lies."""
    key, box = 'class="dz-window-key-band"' in svg, graph_part(svg, box)
    assert not fits_at_floor(lay, [fid, *shown, nid], key), (nid, "fits at the floor: it must be in the window")
    (x, y), (w, h) = lay.positions[nid], lay.sizes[nid]
    left, top, right, bottom = x - w / 2, y - h / 2, x + w / 2, y + h / 2
    # its edge: drawn, the end at fid inside the window, the other past its edge or where nid is covered
    paths = re.findall(r'<path class="dz-edge[^"]*" data-src="([^"]*)" data-dst="([^"]*)" d="([^"]*)"', svg)
    d = next(d for s, t, d in paths if {html.unescape(s), html.unescape(t)} == {fid, nid})
    near, far = _ends(d)
    if html.unescape(next(s for s, t, e in paths if e == d)) == nid:
        near, far = far, near
    assert _inside_pt(near, box), (nid, near, box)
    covered = 'class="dz-left-out"' in svg and not (box[0] <= left and right <= box[0] + box[2]
                                                   and box[1] <= top and bottom <= box[1] + box[3])
    assert not _inside_pt(far, box, slack=-0.5) or covered, (nid, far, box)
    # the label: one, inside the window, naming nid, its arrow true
    labels = re.findall(r'<g class="dz-beyond" data-beyond="([^"]*)">.*?<rect x="([^"]*)" y="([^"]*)" '
                        r'width="([^"]*)" height="([^"]*)".*?<text[^>]*>([^<]*)</text></g>', svg, re.S)
    mine = [lab for lab in labels if html.unescape(lab[0]) == nid]
    assert len(mine) == 1, (nid, labels)
    lx, ly, lw, lh = (float(v) for v in mine[0][1:5])
    assert _inside_pt((lx, ly), box) and _inside_pt((lx + lw, ly + lh), box), (nid, mine, box)
    text = html.unescape(mine[0][5])
    assert text in (f"{name} {UP}", f"{name} {DOWN}", f"{LEFT} {name}", f"{name} {RIGHT}"), text
    way = {UP: top < box[1], DOWN: bottom > box[1] + box[3], LEFT: left < box[0], RIGHT: right > box[0] + box[2]}
    assert way[text.split()[-1] if text[0] != LEFT else LEFT], (text, (left, top, right, bottom), box)
    return text


def _window(view, k):
    view.slider.value = k
    page = view.figure.value
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    return svg, root, [float(v) for v in root.get("viewBox").split()]


def test_step_36_last_step_is_drawn_at_the_graph_tabs_floor_and_names_x_above(shell):
    t = run_traced(shell, STEP_36, TB)
    view = BackwardView(t)
    k = view.slider.max
    svg, root, box = _window(view, k)
    (fid,) = highlighted(svg)
    x = var_id(t, "x")
    assert x in t.graph.functions[fid].inputs
    assert float(root.get("width")) / box[2] >= MIN_SCALE, (root.get("width"), box)   # was 0.41
    assert float(root.get("height")) / box[3] >= MIN_SCALE
    # x, 960 px above the Pow, is left out; its edge leaves the window's top, under "x ▲"
    assert t.layout.positions[x][1] < box[1]
    assert check_left_out(svg, t.layout, box, fid, [fid], x, "x") == f"x {UP}"
    assert "grad out to x: 4" in text_of(view.info.value)    # the step's text names it, as before


def test_every_step_36_window_is_at_the_floor_or_larger_and_labels_only_what_it_leaves_out(shell):
    t = run_traced(shell, STEP_36, TB)
    view = BackwardView(t)
    for k in range(1, view.slider.max + 1):
        svg, root, box = _window(view, k)
        assert float(root.get("width")) / box[2] >= MIN_SCALE - 0.005, k
        beyond = re.findall(r'data-beyond="([^"]*)"', svg)
        (fid,) = highlighted(svg)
        f = t.graph.functions[fid]
        gone = [n for n in (*f.inputs, *f.outputs) if not _fully_in(t.layout, graph_part(svg, box), n)]
        assert sorted(beyond) == sorted(gone), (k, beyond, gone)


def _fully_in(lay, box, n):
    (x, y), (w, h) = lay.positions[n], lay.sizes[n]
    return box[0] <= x - w / 2 and x + w / 2 <= box[0] + box[2] and box[1] <= y - h / 2 and y + h / 2 <= box[1] + box[3]


def test_a_left_out_nodes_name_is_escaped_in_its_label(shell):
    code = STEP_36.replace('name="x"', 'name="<b>&x"')
    t = run_traced(shell, code, TB)
    view = BackwardView(t)
    svg, _, box = _window(view, view.slider.max)
    assert "<b>&x" not in svg and "&lt;b&gt;&amp;x ▲" in svg
    ET.fromstring(svg)   # still well-formed
