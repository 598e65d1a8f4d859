"""The box a drawing is shown in, and how the SVG sits in that box.

The kernel never learns how wide the box is: a notebook's output column is
about 1,060 px on a 1280-px projector with JupyterLab's side bar closed, and
about 800 px at 1024 px, or at 1280 px with the file browser open. The
drawings are sized for the smallest of those, BOX_PX; CSS does the rest.

A whole graph shrinks to its box, but never below MIN_SCALE (its text must
stay readable from the back of a hall). A graph still wider than its box
scrolls, and the box shows its output end first, where backward starts (the
figure box of `widgets.style` lays the SVG out in reverse: `end_first`).
"""
BOX_PX = 780          # the narrowest figure box sized for (1024-px screen, less JupyterLab's margins)
BOX_H = 500           # 70 % of a 720-px screen (the box's max-height), less a little
MIN_SCALE = 0.64      # 14-px node text stays >= 9 px
# Larger than this, a graph can be wider than the smallest box even at MIN_SCALE:
# its views offer "fit", and the stepper and the picker show a window around a node.
WHOLE_W = BOX_PX / MIN_SCALE
WHOLE_H = BOX_H

# In the figure's reversed flex box: never squeezed (flex:none), and to the left
# when narrower than the box (margin-right:auto), as a graph was before.
_ITEM = "flex:none;margin-right:auto"


def whole_style(width):
    """The root style of a graph drawn whole, `width` px wide: as wide as its
    box, down to MIN_SCALE of its size, and never wider than its size."""
    return f"width:max(100%, {MIN_SCALE * width:.0f}px);max-width:{width:.0f}px;height:auto;{_ITEM}"


def window_style(width, height):
    """The root style of a window (render.focus), drawn at full size."""
    return f"width:{width:.0f}px;height:{height:.0f}px;{_ITEM}"


FITTED_STYLE = f"width:100%;height:auto;max-height:68vh;{_ITEM}"

# The Graph tab's "large": node text 14 px -> 21 px, for the back of a hall; the box scrolls.
LARGE = 1.5


def large_style(width, height):
    """The root style of a drawing (or window) `width` x `height` drawn LARGE."""
    return f"width:{LARGE * width:.0f}px;height:{LARGE * height:.0f}px;max-width:none;{_ITEM}"


def end_first(rankdir):
    """The CSS flex-direction that shows a drawing's output end first when it
    overflows its box: the right end of a left-to-right graph, the bottom of a
    top-to-bottom one (a reversed flex box starts scrolled to its far end)."""
    return "column-reverse" if rankdir == "TB" else "row-reverse"
