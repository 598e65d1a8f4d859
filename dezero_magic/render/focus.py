"""A window of a drawn graph around one node, or all of it fitted to the box.

The views put their SVG in a scrolling box, and an ipywidgets HTML value
that changes is drawn anew, scrolled back to its top-left corner: on a
graph larger than the screen the node a step pops (or the one picked) was
out of sight after every click. A focused drawing is the same SVG with its
viewBox narrowed to a window that holds that node, at full size, so it is
in view without scrolling (no JavaScript needed).
"""
from dezero_magic.layout import FIT_PX
from dezero_magic.render.svg import with_root

# Shown whole: a graph that fits a projected screen once the SVG shrinks it
# to 75 % (render.svg), as --rankdir auto reckons (layout.FIT_PX), and not
# taller than the scrolling box (70 % of a 720-px screen) at that size.
FIT_W, FIT_H = FIT_PX, 640
# Else the window, drawn at full size: the node sits at 40 % of it, so it
# is in view in a box of ~500 px or more (JupyterLab's side bar open).
WINDOW_W, WINDOW_H = 1100, 480
AT_X, AT_Y = 0.4, 0.4


def window(layout, node_id):
    """(x0, y0, width, height) of the window around `node_id`, or None when
    the graph is shown whole (or the node is not drawn)."""
    if node_id not in layout.positions or (layout.width <= FIT_W and layout.height <= FIT_H):
        return None
    x, y = layout.positions[node_id]
    w, h = min(layout.width, WINDOW_W), min(layout.height, WINDOW_H)
    x0 = min(max(0.0, x - AT_X * w), layout.width - w)
    y0 = min(max(0.0, y - AT_Y * h), layout.height - h)
    return x0, y0, w, h


def focus(svg, layout, node_id):
    """(svg, focused): `svg` narrowed to the window around `node_id`, or
    unchanged (focused False) when the whole graph fits."""
    box = window(layout, node_id)
    if box is None:
        return svg, False
    x0, y0, w, h = box
    return with_root(svg, width=f"{w:.0f}", height=f"{h:.0f}", view_box=f"{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}",
                     style=f"width:{w:.0f}px;height:{h:.0f}px"), True


def fitted(svg):
    """`svg` scaled down to fit its box whole, width and height (the Graph
    tab's "fit" toggle: an overview of a graph larger than the screen, its
    text too small to read from afar but its shape all there)."""
    return with_root(svg, style="width:100%;height:auto;max-height:68vh")
