"""Labels at a window's edge naming the nodes it leaves out (the Backward stepper).

A stepper's window is drawn no smaller than render.screen.MIN_SCALE (its text
must stay readable on a projector): an input or output of the popped function
too far away for that is left out, and its edge runs on past the window's
edge. QA (notebook 05, step 36, step 6) saw a window squeezed to 0.41 to
hold x, 960 px above the popped Pow, its text 5-6 px; now a small label
where the edge leaves ("x ▲") says what lies that way and which way it is.
"""
import html
import re

from dezero_magic.layout import CHAR_PX, FONT_PX
from dezero_magic.node_text import cut
from dezero_magic.render import palette
from dezero_magic.render.escape import esc

LABEL_PX = 12        # drawn text size, px on the screen (node text is 14 px drawn at >= 0.64: >= 9 px)
PAD_PX = 3           # around the text, and between the label and the window's edge
ARROWS = {"top": "▲", "bottom": "▼", "left": "◀", "right": "▶"}
NAME_CHARS = 16      # a long name is cut (its tooltip holds it whole)
_STEPS = 24          # points sampled along each curve of an edge's path
_COMMAND = re.compile(r"([MLC])([^MLC]*)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def beyond_labels(svg, layout, node_id, far, box, scale):
    """SVG text: for each node of `far` (left out of the window `box`, graph
    units, drawn at `scale`), a label where its edge to `node_id` leaves the
    window, with its name and an arrow pointing the way it lies ("x ▲")."""
    unit = 1 / scale                      # graph units per drawn px
    placed, out = [], []
    for n in dict.fromkeys(far):
        side, at = _exit(svg, layout, node_id, n, box)
        # the arrow the way `n` lies, which its edge may not leave by (an RNN's bias, far left on
        # its row, reached through a lane under the window)
        way = _way(layout, n, box)
        text = f"{ARROWS[way]} {_name(svg, n)}" if way == "left" else f"{_name(svg, n)} {ARROWS[way]}"
        rect = _spot(side, at, box, _text_w(text) * unit, LABEL_PX * unit, PAD_PX * unit, placed)
        placed.append(rect)
        x, y, w, h = rect
        tip = f"{_name(svg, n, whole=True)} lies beyond this edge of the window (the Graph tab shows all of the graph)"
        out.append(f'<g class="dz-beyond" data-beyond="{esc(n)}"><title>{esc(tip)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{3 * unit:.1f}" '
                   f'fill="#ffffff" stroke="{palette.HIGHLIGHT_STROKE}" stroke-width="{1.5 * unit:.2f}"/>'
                   f'<text x="{x + w / 2:.1f}" y="{y + h / 2:.1f}" font-size="{LABEL_PX * unit:.1f}" '
                   f'fill="#000000" font-weight="bold" text-anchor="middle" dominant-baseline="central">'
                   f"{esc(text)}</text></g>")
    return "".join(out)


def _name(svg, n, whole=False):
    """What the drawing calls node `n`: its tooltip's first line (an unnamed
    variable: its id, as the step text and its id tag call it)."""
    found = re.search(r'data-node-id="' + re.escape(esc(n)) + r'"><title>([^<]*)', svg)
    name = html.unescape(found.group(1)).split("\n")[0] if found else n
    if name == f"unnamed ({n})":
        name = n
    return name if whole else cut(name, NAME_CHARS)


def _text_w(text):
    return len(text) * CHAR_PX * LABEL_PX / FONT_PX


def _exit(svg, layout, node_id, n, box):
    """(side, (x, y)): where the edge between `node_id` and `n` leaves `box`,
    walked from `node_id` (inside it); where it does not (`n` cut by the
    window's edge, its edge ending under the cover), the side `n` sticks out of."""
    x0, y0, w, h = box
    points = _edge_points(svg, node_id, n)
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if not _within((bx, by), box):
            side, t = _crossing((ax, ay), (bx, by), box)
            return side, (ax + t * (bx - ax), ay + t * (by - ay))
    side = _way(layout, n, box)
    end = points[-1] if points else layout.positions[n]
    return side, (min(max(end[0], x0), x0 + w), min(max(end[1], y0), y0 + h))


def _way(layout, n, box):
    """The side of `box` that node `n` lies farthest beyond."""
    x0, y0, w, h = box
    (cx, cy), (nw, nh) = layout.positions[n], layout.sizes[n]
    past = {"left": x0 - (cx - nw / 2), "right": cx + nw / 2 - (x0 + w),
            "top": y0 - (cy - nh / 2), "bottom": cy + nh / 2 - (y0 + h)}
    return max(past, key=past.get)


def _within(p, box):
    return box[0] <= p[0] <= box[0] + box[2] and box[1] <= p[1] <= box[1] + box[3]


def _crossing(a, b, box):
    """(side, t): the side of `box` the segment a -> b (a inside) leaves by, at a + t (b - a)."""
    x0, y0, w, h = box
    hits = []
    for side, i, edge in (("left", 0, x0), ("right", 0, x0 + w), ("top", 1, y0), ("bottom", 1, y0 + h)):
        d = b[i] - a[i]
        if d and (edge - a[i]) / d >= 0 and ((side in ("left", "top")) == (d < 0)):
            hits.append(((edge - a[i]) / d, side))
    t, side = min(hits) if hits else (1.0, "top")
    return side, min(1.0, max(0.0, t))


def _edge_points(svg, node_id, n):
    """Points along the drawn edge between `node_id` and `n` (a highlighted one
    first), from `node_id`'s end; [] where none is drawn."""
    found = None
    for src, dst in ((n, node_id), (node_id, n)):
        pattern = (r'<path class="dz-edge( dz-highlight)?" data-src="' + re.escape(esc(src))
                   + r'" data-dst="' + re.escape(esc(dst)) + r'" d="([^"]*)"')
        for m in re.finditer(pattern, svg):
            if found is None or (m.group(1) and not found[0]):
                found = (bool(m.group(1)), m.group(2), src == n)
    if found is None:
        return []
    points = _sampled(found[1])
    return points[::-1] if found[2] else points


def _sampled(d):
    """Points along an SVG path of M, L and C (cubic) commands, as render.svg draws edges."""
    points = []
    for command, args in _COMMAND.findall(d):
        nums = [float(v) for v in _NUMBER.findall(args)]
        if command in "ML":
            points.append((nums[0], nums[1]))
        elif points:
            (px, py), (ax, ay), (bx, by), (qx, qy) = points[-1], nums[0:2], nums[2:4], nums[4:6]
            for i in range(1, _STEPS + 1):
                t = i / _STEPS
                s = 1 - t
                points.append((s ** 3 * px + 3 * s * s * t * ax + 3 * s * t * t * bx + t ** 3 * qx,
                               s ** 3 * py + 3 * s * s * t * ay + 3 * s * t * t * by + t ** 3 * qy))
    return points


def _spot(side, at, box, text_w, text_h, pad, placed):
    """(x, y, w, h) of a label at `at` on `side` of `box`, just inside it, kept
    inside it and slid along that side off the labels `placed` already."""
    x0, y0, w, h = box
    lw, lh = text_w + 2 * pad, text_h + 2 * pad
    along = 0 if side in ("top", "bottom") else 1
    if along == 0:
        x, y = at[0] - lw / 2, (y0 + pad if side == "top" else y0 + h - pad - lh)
    else:
        x, y = (x0 + pad if side == "left" else x0 + w - pad - lw), at[1] - lh / 2
    rect = [x, y, lw, lh]
    for _ in range(len(placed) + 1):
        rect[along] = min(max(rect[along], box[along] + pad), box[along] + box[along + 2] - pad - rect[along + 2])
        hit = next((p for p in placed if _overlap(rect, p)), None)
        if hit is None:
            break
        rect[along] = hit[along] + hit[along + 2] + pad
    return tuple(rect)


def _overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
