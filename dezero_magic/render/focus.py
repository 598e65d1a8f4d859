"""A window of a drawn graph around one node, or all of it fitted to the box.

The views put their SVG in a scrolling box, and an ipywidgets HTML value
that changes is drawn anew, scrolled back to where it starts: on a graph
larger than the screen the node a step pops (or the one picked) was out of
sight after every click. A focused drawing is the same SVG with its viewBox
narrowed to a window that holds that node (and the nodes it must be seen
with), so it is in view without scrolling (no JavaScript needed). The
stepper's window and the Graph tab's picked node's draw the drawing's colour
key (the |grad| scale) whole in a band at their bottom (`key`): the key lies
under the whole graph, of which the window showed a sliver or nothing.
"""
from dezero_magic.layout import MARGIN
from dezero_magic.render.screen import BOX_PX, FITTED_STYLE, WHOLE_H, WHOLE_W, large_style, window_style
from dezero_magic.render.svg import LEGEND_PX, has_legend, root_attrs, split_legend, with_root

# Shown whole: a graph that fits the smallest box sized for, shrunk to at most
# render.screen.MIN_SCALE (wider, a node could be cut off: QA saw the output end
# of a 1,431-px graph, which step 1 pops, outside a 1024-px screen's box).
FIT_W, FIT_H = WHOLE_W, WHOLE_H
# Else the window, drawn at full size, as wide as that box: all of it is in view;
# a narrower box (the file browser open) shrinks it to its width (render.screen.window_style).
WINDOW_W, WINDOW_H = BOX_PX, 480
AT_X, AT_Y = 0.5, 0.4


# A window that must hold several nodes (a backward step's function and every
# variable it takes grads from or sends them to: QA saw x, which step 5 sends
# its grad to, off the box's edge) grows to hold them and is drawn smaller, to
# keep its size on the screen; never below this scale (text 14 px -> 7 px: the
# step's panel says its numbers). A node of `keep` farther away is left out,
# its edges cut at the window's edge (QA, book steps 59-60: an RNN's shared
# weight W, drawn once 40,000 px away, made every Linear's window the whole
# graph, its text 1-2 px).
KEEP_MIN_SCALE = 0.5
KEEP_PAD = 6


def window(layout, node_id, keep=(), zoom=1.0, force=False, overhang=False, key=False):
    """(x0, y0, width, height) of the window around `node_id` that also holds
    every node of `keep` (drawn ones), or None when the graph is shown whole
    (or the node is not drawn). `zoom` > 1: a window to be drawn that many
    times larger at the usual window size (the Graph tab's "large" with a
    node picked), so that the node is still in view without scrolling.
    `force`: a window even where the graph could be shown whole. `overhang`:
    the window may reach below the graph's bottom, so that a node near it is
    still AT_Y down the window, not at its bottom edge (the stepper: QA saw the
    popped function pushed below a 768-px screen's fold). `key`: the window
    leaves LEGEND_PX (drawn) under it for the drawing's colour key (`focus`),
    and is that much less tall, except where the nodes it holds already need
    it drawn at KEEP_MIN_SCALE (it holds the same nodes as without the key)."""
    if node_id not in layout.positions or not (force or needs_window(layout) or _zoom_overflows(layout, zoom)):
        return None
    x, y = layout.positions[node_id]
    base_w, base_h = _base(layout, zoom, key)
    # as far as without the key: where the nodes then need KEEP_MIN_SCALE, the key adds to the height
    reach_w, reach_h = _base(layout, zoom)
    held = _within_reach(layout, node_id, keep, reach_w / KEEP_MIN_SCALE, reach_h / KEEP_MIN_SCALE)
    lo, hi = _bounds(layout, held)
    need_w, need_h = hi[0] - lo[0], hi[1] - lo[1]
    scale = max(KEEP_MIN_SCALE, min(1.0, base_w / need_w, base_h / need_h))
    # grown in both directions alike, so that drawn at `scale` it is as large as any other window
    w = min(layout.width, max(base_w / scale, need_w))
    h = min(layout.height, max(base_h / scale, need_h))
    x0 = _place(x - AT_X * w, w, lo[0], hi[0], layout.width)
    y0 = _place(y - AT_Y * h, h, lo[1], hi[1], layout.height + (h if overhang else 0))
    x0, w = _whole_nodes(layout, held, 0, x0, w)
    y0, h = _whole_nodes(layout, held, 1, y0, h, overhang)
    return x0, y0, w, h


def _within_reach(layout, node_id, keep, most_w, most_h):
    """`node_id` and the drawn nodes of `keep`, nearest first, as long as they
    all fit in most_w x most_h (the largest window still drawn at
    KEEP_MIN_SCALE): the popped function and as much around it as is readable."""
    x, y = layout.positions[node_id]
    drawn = [n for n in dict.fromkeys(keep) if n != node_id and n in layout.positions and n in layout.sizes]
    held = [node_id]
    for n in sorted(drawn, key=lambda n: abs(layout.positions[n][0] - x) + abs(layout.positions[n][1] - y)):
        lo, hi = _bounds(layout, held + [n])
        if hi[0] - lo[0] <= most_w and hi[1] - lo[1] <= most_h:
            held.append(n)
    return held


def window_scale(layout, box, zoom=1.0, key=False):
    """The scale a window `box` (from `window`, with the same `key`) is drawn
    at: 1, or less for one grown to hold more than the usual size would (never
    below KEEP_MIN_SCALE); times `zoom`."""
    base_w, base_h = _base(layout, zoom, key)
    return zoom * max(KEEP_MIN_SCALE, min(1.0, base_w / box[2], base_h / box[3]))


def _base(layout, zoom, key=False):
    """The usual window's size in graph units: it is drawn `zoom` times larger
    (with the colour key under it, `key`, no taller than without)."""
    return min(layout.width, WINDOW_W / zoom), min(layout.height, WINDOW_H / zoom - (LEGEND_PX if key else 0))


def _zoom_overflows(layout, zoom):
    """Whether the whole graph drawn `zoom` times larger is larger than a window."""
    return zoom > 1 and (zoom * layout.width > WINDOW_W or zoom * layout.height > WINDOW_H)


def _bounds(layout, nodes):
    """((left, top), (right, bottom)) around the boxes of `nodes`, KEEP_PAD px apart from them."""
    boxes = [(layout.positions[n], layout.sizes[n]) for n in nodes]
    lo = tuple(min(p[i] - s[i] / 2 for p, s in boxes) - KEEP_PAD for i in (0, 1))
    hi = tuple(max(p[i] + s[i] / 2 for p, s in boxes) + KEEP_PAD for i in (0, 1))
    return lo, hi


def _place(start, size, lo, hi, total):
    """`start`, moved as little as it takes for [start, start + size] to hold
    [lo, hi] (when it can), and kept inside [0, total]."""
    start = max(min(start, lo), hi - size)
    return min(max(0.0, start), total - size)


def _whole_nodes(layout, held, axis, start, size, overhang=False):
    """(start, size) along `axis` so that the window's edges cut no node (QA:
    ovals cut in half, "grad 1.662e-"). Across (axis 0) a node on an edge is
    left out: the window narrows, without moving (the stepper's output end
    stays in it). Down (axis 1) the size stays (a window whose height changed
    from step to step moved everything below the figure): it moves, by at
    most a quarter, where neither edge cuts a node. Unchanged when that would
    lose a node of `held` (or half the window)."""
    spans = [(p[axis] - layout.sizes[n][axis] / 2, p[axis] + layout.sizes[n][axis] / 2)
             for n, p in layout.positions.items() if n in layout.sizes]
    total = layout.width if axis == 0 else layout.height
    ends = [(layout.positions[n][axis] - layout.sizes[n][axis] / 2,
             layout.positions[n][axis] + layout.sizes[n][axis] / 2) for n in held]

    def whole(lo, hi):
        return (0 <= lo and (overhang or hi <= total + 0.5) and all(lo <= a and b <= hi for a, b in ends)
                and hi - lo >= size / 2 and not any(a < lo < b or a < hi < b for a, b in spans))

    if axis == 0:
        lo = max([b + 2 for a, b in spans if a < start < b], default=start)
        hi = min([a - 2 for a, b in spans if a < start + size < b], default=start + size)
        return (lo, hi - lo) if whole(lo, hi) else (start, size)
    places = [start] + [b + 2 for _, b in spans] + [a - 2 - size for a, _ in spans]
    near = [lo for lo in places if abs(lo - start) <= size / 4 and whole(lo, lo + size)]
    return (min(near, key=lambda lo: abs(lo - start)) if near else start), size


def tallest_window(layout, targets, key=True):
    """The drawn height of the tallest window over `targets` ((node, keep)
    pairs: the stepper's steps), with the colour key under it (`key`), or
    None when the graph is shown whole. The
    stepper's box keeps that height: windows grown to hold a step's nodes are
    drawn smaller, and the box had changed height from step to step (QA: 395,
    480, 399 px), moving the queue under it while playing."""
    if not needs_window(layout):
        return None
    most = 0.0
    for node, keep in targets:
        box = window(layout, node, keep, overhang=True, key=key)
        if box is not None:
            most = max(most, box[3] * window_scale(layout, box, key=key) + (LEGEND_PX if key else 0))
    return most or None


def needs_window(layout):
    """Whether the graph can be larger than its box even at its smallest
    scale: then views offer "fit", and show windows around nodes."""
    return layout.width > FIT_W or layout.height > FIT_H


def focus(svg, layout, node_id, keep=(), zoom=1.0, force=False, overhang=False, key=None):
    """(svg, focused): `svg` narrowed to the window around `node_id` that
    holds `keep` too (drawn `zoom` times larger), or unchanged (focused
    False) when the whole graph fits (unless `force`). `key` (by default:
    with `overhang`, the stepper): the drawing's colour key (|grad| scale,
    what a dashed outline means) is drawn whole at the window's bottom; the
    window showed a sliver of it, or none, the rest outside its view."""
    # (no room is kept for a key the drawing does not have: QA, a blank band over a graph without one)
    key = (overhang if key is None else key) and has_legend(svg)
    box = window(layout, node_id, keep, zoom, force, overhang, key)
    if box is None:
        return svg, False
    x0, y0, w, h = box
    scale = window_scale(layout, box, zoom, key)
    # below the drawing (overhang): the graph's white card goes on (a dark theme showed through)
    card = f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#ffffff"/>' \
        if y0 + h > float(root_attrs(svg)["height"]) else ""
    if key:
        svg, h = _key_under(svg, layout, box, scale / zoom)
    # width/height are the drawn size ("large" enlarges them); the viewBox the part of the graph
    return with_root(svg, card, width=f"{w * scale:.0f}", height=f"{h * scale:.0f}",
                     view_box=f"{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}", style=window_style(w * scale, h * scale)), True


def _key_under(svg, layout, box, unit):
    """(svg, height): the drawing's legend row moved into a band at the bottom
    of the window `box` drawn at `unit` (its scale but for zoom), at the row's
    own size (smaller only where the window is narrower than the row), on
    white over whatever of the graph lies there; the window's height with the
    band. Unchanged without a legend row."""
    rest, items, right = split_legend(svg)
    if not items:
        return svg, box[3]
    x0, y0, w, h = box
    band = LEGEND_PX / unit
    size = min(1 / unit, w / (right + MARGIN))
    # the row was drawn under the graph: from y = layout.height, x = 0 (its items from MARGIN)
    row = (f'<rect class="dz-window-key-band" x="{x0:.1f}" y="{y0 + h:.1f}" width="{w:.1f}" '
           f'height="{band:.1f}" fill="#ffffff"/><g class="dz-window-key" transform="translate({x0:.1f},'
           f'{y0 + h:.1f}) scale({size:.4f}) translate(0,{-layout.height:.1f})">{items}</g>')
    end = rest.rfind("</svg>")
    return rest[:end] + row + rest[end:], h + band


def enlarged(svg):
    """`svg` (whole, or a window from `focus`) drawn render.screen.LARGE
    times its size: the Graph tab's "large", text to read from the back of a
    hall; the box scrolls, from the output end (or the window) first."""
    attrs = root_attrs(svg)
    return with_root(svg, style=large_style(float(attrs["width"]), float(attrs["height"])))


def fitted(svg):
    """`svg` scaled down to fit its box whole, width and height (the Graph
    tab's "fit" toggle: an overview of a graph larger than the screen, its
    text too small to read from afar but its shape all there)."""
    # never larger than drawn: a graph that fits a wide box is not blown up to its width
    return with_root(svg, style=f"max-width:{float(root_attrs(svg)['width']):.0f}px;{FITTED_STYLE}")
