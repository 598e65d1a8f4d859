"""A window of a drawn graph around one node, or all of it fitted to the box.

The views put their SVG in a scrolling box, and an ipywidgets HTML value
that changes is drawn anew, scrolled back to where it starts: on a graph
larger than the screen the node a step pops (or the one picked) was out of
sight after every click. A focused drawing is the same SVG with its viewBox
narrowed to a window that holds that node, at full size, so it is in view
without scrolling (no JavaScript needed).
"""
from dezero_magic.render.screen import BOX_PX, FITTED_STYLE, WHOLE_H, WHOLE_W, large_style, window_style
from dezero_magic.render.svg import root_attrs, with_root

# Shown whole: a graph that fits the smallest box sized for, shrunk to at most
# render.screen.MIN_SCALE (wider, a node could be cut off: QA saw the output end
# of a 1,431-px graph, which step 1 pops, outside a 1024-px screen's box).
FIT_W, FIT_H = WHOLE_W, WHOLE_H
# Else the window, drawn at full size, as wide as that box: all of it is in view.
# The node sits in the middle, so a narrower box still shows it: one that
# overflows shows the window's right end (render.screen.end_first).
WINDOW_W, WINDOW_H = BOX_PX, 480
AT_X, AT_Y = 0.5, 0.4


def window(layout, node_id):
    """(x0, y0, width, height) of the window around `node_id`, or None when
    the graph is shown whole (or the node is not drawn)."""
    if node_id not in layout.positions or not needs_window(layout):
        return None
    x, y = layout.positions[node_id]
    w, h = min(layout.width, WINDOW_W), min(layout.height, WINDOW_H)
    x0 = min(max(0.0, x - AT_X * w), layout.width - w)
    y0 = min(max(0.0, y - AT_Y * h), layout.height - h)
    x0, w = _whole_nodes(layout, node_id, 0, x0, w)
    y0, h = _whole_nodes(layout, node_id, 1, y0, h)
    return x0, y0, w, h


def _whole_nodes(layout, node_id, axis, start, size):
    """(start, size) along `axis` so that the window's edges cut no node (QA:
    ovals cut in half, "grad 1.662e-"). Across (axis 0) a node on an edge is
    left out: the window narrows, without moving (the stepper's output end
    stays in it). Down (axis 1) the size stays (a window whose height changed
    from step to step moved everything below the figure): it moves, by at
    most a quarter, where neither edge cuts a node. Unchanged when that would
    lose `node_id` (or half the window)."""
    spans = [(p[axis] - layout.sizes[n][axis] / 2, p[axis] + layout.sizes[n][axis] / 2)
             for n, p in layout.positions.items() if n in layout.sizes]
    total = layout.width if axis == 0 else layout.height
    centre, half = layout.positions[node_id][axis], layout.sizes[node_id][axis] / 2

    def whole(lo, hi):
        return (0 <= lo and hi <= total + 0.5 and lo <= centre - half and centre + half <= hi
                and hi - lo >= size / 2 and not any(a < lo < b or a < hi < b for a, b in spans))

    if axis == 0:
        lo = max([b + 2 for a, b in spans if a < start < b], default=start)
        hi = min([a - 2 for a, b in spans if a < start + size < b], default=start + size)
        return (lo, hi - lo) if whole(lo, hi) else (start, size)
    places = [start] + [b + 2 for _, b in spans] + [a - 2 - size for a, _ in spans]
    near = [lo for lo in places if abs(lo - start) <= size / 4 and whole(lo, lo + size)]
    return (min(near, key=lambda lo: abs(lo - start)) if near else start), size


def needs_window(layout):
    """Whether the graph can be larger than its box even at its smallest
    scale: then views offer "fit", and show windows around nodes."""
    return layout.width > FIT_W or layout.height > FIT_H


def focus(svg, layout, node_id):
    """(svg, focused): `svg` narrowed to the window around `node_id`, or
    unchanged (focused False) when the whole graph fits."""
    box = window(layout, node_id)
    if box is None:
        return svg, False
    x0, y0, w, h = box
    return with_root(svg, width=f"{w:.0f}", height=f"{h:.0f}", view_box=f"{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}",
                     style=window_style(w, h)), True


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
    return with_root(svg, style=FITTED_STYLE)
