"""The box a drawing is shown in, and how the SVG sits in that box.

The kernel never learns how wide the box is: a notebook's figure box is
about 1,060 px on a 1280-px projector with JupyterLab's side bar closed,
about 800 px at 1024 px, or at 1280 px with the file browser open, and
about 550 px at 1024 px with the file browser open (NARROW_BOX_PX). The
drawings are sized for BOX_PX; CSS does the rest, and "fit" (the Graph
tab) shrinks a drawing to the box's real width whenever it may overflow
the narrowest of them.

A whole graph shrinks to its box, but never below MIN_SCALE (its text must
stay readable from the back of a hall). A graph still wider than its box
scrolls, and the box shows its output end first, where backward starts (the
figure box of `widgets.style` lays the SVG out in reverse: `end_first`).
"""
BOX_PX = 780          # the narrowest figure box sized for (1024-px screen, less JupyterLab's margins)
# A 1280-px projector's box, side bar closed: ~1,060 px, ~1,006 px in Presentation Mode (QA).
WIDE_BOX_PX = 1000
# The box's max-height: 70 % of the screen, and on a short screen what shows of it under
# JupyterLab's bars (91 px above, 24 px under) and the view's tab bar, toggles and note
# (~152 px; more where they wrap, at 150 % zoom). QA at 1280x720: the box ran 50 px under
# the status bar, its output end, colour key and scroll hint out of sight (156 px at 150 %).
CHROME_PX = 310
LAB_BARS_PX = 115     # of CHROME_PX, JupyterLab's own (not zoomed with a view: PRESENTATION_ZOOM)
BOX_FLOOR_PX = 160    # on a smaller screen still, the box is no shorter (none would fit)
# JupyterLab's View > Presentation Mode sets its content text from 14 to 17 px (its themes'
# --jp-content-presentation-font-size1): a view follows by CSS zoom, its figure box zoomed
# back to 1 (widgets.style), so a drawing is as large as without it. The view's controls
# above the box are then `zoom` times taller; the lab's bars are not zoomed.
PRESENTATION_ZOOM = 17 / 14


def _vh_less(screen_part, view_px, zoom, less=""):
    """CSS for `screen_part` of the screen less JupyterLab's bars and `view_px` px of the
    view's chrome, drawn `zoom` times larger, for a box drawn at zoom 1 (so vh and px are the screen's);
    `less`: a further term taken off (" - ...")."""
    return f"calc({screen_part}vh - {round(LAB_BARS_PX + view_px * zoom, 1):g}px{less})"


def box_max_h(zoom=1, less=""):
    """The figure box's max-height (drawn at zoom 1) in a view whose chrome is zoomed `zoom` times."""
    return f"min(70vh, max({BOX_FLOOR_PX}px, {_vh_less(100, CHROME_PX - LAB_BARS_PX, zoom, less)}))"


BOX_MAX_H = box_max_h()


def stepper_max_h(zoom):
    """`box_max_h(zoom)` less the stepper's chrome beyond the Graph tab's (its buttons, slider
    and step text: --dz-above, px, set on its box), drawn `zoom` times larger. QA 22 in
    Presentation Mode at 1024x768: the stepper's box ended 2-45 px under the status bar."""
    return box_max_h(zoom, f" - {zoom:.6f} * var(--dz-above, 0px)")


def box_height(screen_h, zoom=1):
    """The figure box's max-height (`box_max_h(zoom)`) in px on a screen `screen_h` CSS px tall."""
    return min(0.7 * screen_h, max(BOX_FLOOR_PX, screen_h - LAB_BARS_PX - zoom * (CHROME_PX - LAB_BARS_PX)))


BOX_H = round(box_height(720))   # a 720-px projector's: 410 px (tall screens: 70 %, as before)
MIN_SCALE = 0.64      # 14-px node text stays >= 9 px
# A whole drawing less than this much wider than its box at MIN_SCALE is shrunk a little
# further to show it whole (text ~8.3 px instead of 9): QA 22 found Matyas' 792-px drawing
# cut in half at the nodes by a 750-px box (widgets.style.figure).
NEAR_FIT = 1.08
# Larger than this, a graph can be wider than the smallest box even at MIN_SCALE:
# its views offer "fit", and the stepper and the picker show a window around a node.
WHOLE_W = BOX_PX / MIN_SCALE
WHOLE_H = BOX_H
# The narrowest box met on a lecture screen (1024x768, JupyterLab's file browser open:
# QA measured 552 px), less a little. A graph wider than this at MIN_SCALE may be cut
# off: the Graph tab offers "fit", and the grad scale is drawn under its output end.
NARROW_BOX_PX = 540


def surely_fits(width, height):
    """Whether a drawing shown `width` x `height` px fits even the narrowest box."""
    return width <= NARROW_BOX_PX and height <= BOX_H


def fits_whole_from(width, height, scale=MIN_SCALE):
    """(box width, screen height) in px from which a drawing `width` x
    `height` px, shrunk to no less than `scale` of its size, fits its box
    whole: the box is as wide as that, and its max-height (BOX_MAX_H) as
    tall as the drawing. For the browser to decide (CSS)."""
    short = height + CHROME_PX if height > BOX_FLOOR_PX else 0.0
    return scale * width + 2, max(height / 0.7, short) + 2


def first_view(width, height):
    """(share, scale): how much of a drawing `width` x `height` px (its area) the
    box sized for (BOX_PX x BOX_H) shows when it opens, and the scale it shows it at:
    as `whole_style` draws it, shrunk to the box's width down to MIN_SCALE, never
    enlarged, and never shrunk to the box's height (a tall drawing scrolls)."""
    scale = max(MIN_SCALE, min(1.0, BOX_PX / max(width, 1.0)))
    return (min(1.0, BOX_PX / max(scale * width, 1.0)) * min(1.0, BOX_H / max(scale * height, 1.0)), scale)


def may_overflow(width, height):
    """Whether a drawing `width` x `height` px, shrunk to MIN_SCALE, can be larger
    than the narrowest box (or taller than the box's height)."""
    return width * MIN_SCALE > NARROW_BOX_PX or height > WHOLE_H

# In the figure's reversed flex box: never squeezed (flex:none), and to the left
# when narrower than the box (margin-right:auto), as a graph was before.
_ITEM = "flex:none;margin-right:auto"


def whole_style(width):
    """The root style of a graph drawn whole, `width` px wide: as wide as its
    box, down to MIN_SCALE of its size, and never wider than its size. (Rounded
    first, as the SVG's width attribute is: scroll_hint finds this style by its
    text, and 214.64 gave "max-width:215px" beside a min of 0.64 * 214.64.)"""
    width = round(width)
    return f"width:max(100%, {MIN_SCALE * width:.0f}px);max-width:{width}px;height:auto;{_ITEM}"



def window_style(width, height):
    """The root style of a window (render.focus) drawn `width` x `height`, or
    narrower as the box it is in: its ends must stay in view (QA: the file
    browser open left a 780-px window 552 px of box, x and its edge cut)."""
    return f"width:{width:.0f}px;max-width:100%;height:auto;aspect-ratio:{width:.0f}/{height:.0f};{_ITEM}"


def stretched_style(width, height):
    """The root style of a window drawn `width` x `height` for a narrow box (widgets.step_figure):
    as wide as the box it is shown in, so that it is as tall there as the usual window it stands for."""
    return f"width:100%;height:auto;aspect-ratio:{width:.0f}/{height:.0f};{_ITEM}"


def narrowest_height(width, height):
    """The height a window drawn `width` x `height` px (`window_style`) takes
    in the narrowest box, which shrinks it to its width: as a box's kept
    height, it leaves no blank under the window in any box (QA: 74-139 px at
    1024x768 with the file browser open, under a box kept at its full height)."""
    return height * min(1.0, NARROW_BOX_PX / width)


# "fit" shows the whole graph on one screen: under the Graph tab's ~340 px of menus, buttons, picker
# and note too (QA: at 68vh alone, a tall graph's output end was below a 768-px screen's fold).
FIT_CHROME_PX = 340


def fitted_max_h(zoom=1):
    """A fitted drawing's max-height (drawn at zoom 1) under the Graph tab's chrome zoomed `zoom` times."""
    return f"min(68vh, {_vh_less(100, FIT_CHROME_PX - LAB_BARS_PX, zoom)})"


# (in Presentation Mode the figure box sets --dz-fit-max-h: widgets.style)
FITTED_STYLE = f"width:100%;height:auto;max-height:var(--dz-fit-max-h, {fitted_max_h()});{_ITEM}"

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


def in_first_view(far_px, rankdir):
    """Whether a node whose far side lies `far_px` from a drawing's top (LR)
    or left (TB) edge is in view when its box opens. Across the layers a box
    opens at that edge (`end_first` reverses only the axis the layers run
    along). With the Graph tab's "large" on, the drawing is LARGE times its
    size, never shrunk (QA: a 900-px-tall drawing, its output centred, had it
    below a 768-px screen's box with large on): an LR drawing in a box BOX_H
    tall, a TB drawing in the narrowest box. Without large it is no larger."""
    return far_px * LARGE <= (BOX_H if rankdir == "LR" else NARROW_BOX_PX)
