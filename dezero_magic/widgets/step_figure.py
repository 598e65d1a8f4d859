"""The Backward stepper's figure for one step: the graph, or a window around
the function the step pops (render.focus), in the view's box.

The kernel never learns how wide the box is (render.screen), so where the
box's width matters the figure holds two drawings and the browser shows one
(a container query, widgets.style.figure): the whole graph where the box
holds it, else a window; and for a graph too large for that, a window drawn
for a 1280-px projector's box (WIDE_BOX_PX) where the box is that wide, else
one drawn for a 1024-px screen's. QA 22 at 1280x720: the 780-px window
cropped Matyas' x, y and both Pow beside 280 px of white. Where that window,
shrunk to a narrow box (NARROW_BOX_PX: 1024 px, the file browser open), draws
its text below MIN_SCALE, a third drawing shows there (`_narrow`): QA 24 read
Matyas' windows at 7.6 px in a 552-px box.
"""
from functools import partial

from dezero_magic.render.escape import esc
from dezero_magic.render.focus import focus, needs_window, window_size
from dezero_magic.render.legend import LEGEND_PX
from dezero_magic.render.screen import (CHROME_PX, LAB_BARS_PX, MIN_SCALE, NARROW_BOX_PX, WHOLE_H, WIDE_BOX_PX,
                                       fits_whole_from, may_overflow, narrowest_height, stretched_style)
from dezero_magic.render.svg import root_attrs, with_fresh_ids, with_root
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_queue import LINE_PX

# A window drawn for the wide box is sent beside the usual one (both hold the whole SVG,
# its viewBox narrowed): not for a drawing larger than this (~160 nodes at ~900 characters
# each), where every click would send twice as much (300 nodes are some 270 kB).
WIDE_MAX_CHARS = 150_000
# The stepper's tab bar, buttons and slider over its step text: 118 px measured in JupyterLab (QA 23).
CONTROLS_PX = 120
# Beside a usual window, a wide one only where it shows this much more across.
WIDE_GAIN_PX = 40
# A window for the narrow box is sent on a step only for a drawing up to this size: with the
# usual and the wide one, a step sends at most what two drawings of WIDE_MAX_CHARS did.
NARROW_MAX_CHARS = 100_000


def chrome_above(lines):
    """px of the stepper's chrome over its box beyond the Graph tab's (render.screen.CHROME_PX):
    its buttons and slider, and its step text of `lines` lines (backward_queue.reserve)."""
    return max(0.0, CONTROLS_PX + lines * LINE_PX + 4 - (CHROME_PX - LAB_BARS_PX))


def window_sizes(layout, targets, key):
    """(usual, wide): the sizes (focus.window_size) every window over `targets`
    ((popped function, its ends) per step) is drawn at, for the usual box and the wide one."""
    return (window_size(layout, targets, key=key, force=True),
            window_size(layout, targets, key=key, force=True, wide=True))


def step_figure(svg, layout, fid, ends, note, sizes, lines=0):
    """The figure's HTML for a step that pops `fid` (with `ends`, the nodes its
    edges join) in `svg`, drawn on `layout`; `sizes` from `window_sizes`;
    `note` said under a window (escaped here); `lines`: the step text's over the box."""
    size, wide_size = sizes
    figure = partial(style.figure, above=chrome_above(lines))
    window, focused = focus(svg, layout, fid, keep=ends, overhang=True, size=size)
    if not focused and not may_overflow(layout.width, layout.height):
        return figure(window)
    if focused:
        # the box keeps a height (a step whose function is not drawn shows the whole graph) that
        # no box leaves blank under the windows: the narrowest shrinks them to its width
        keep = narrowest_height(*size) if size and needs_window(layout) else None
        wide, fits_from, cut_only = _wide(svg, layout, fid, ends, size, wide_size)
        figure = partial(figure, **_narrow(svg, layout, fid, ends, window))
        if wide is None:
            return figure(window, min_height=keep) + note_below(note)
        html = figure(wide, cut_svg=window, fits_from=fits_from, min_height=keep, cut_first=True)
        return _with_note(html, note_below(note, "dz-if-cut" if cut_only else ""))
    # Whole where the box holds it; where it would cut it (~550 px: 1024 px, file browser
    # open) a window around the popped function instead (QA: the popped Square was cut in
    # half at the box's edge; shrunk to fit it read at 7 px).
    window, _ = focus(with_fresh_ids(svg), layout, fid, keep=ends, force=True, overhang=True, size=size)
    attrs = root_attrs(svg)
    fits_from = fits_whole_from(float(attrs["width"]), float(attrs["height"]))
    # (the narrow window only where the whole graph does not show either)
    narrow = _narrow(svg, layout, fid, ends, window, fits_from[0])
    html = figure(svg, cut_svg=window, fits_from=fits_from, **narrow)
    return _with_note(html, note_below(note, "dz-if-cut"))


def _narrow(svg, layout, fid, ends, window, most=None):
    """{narrow_svg, narrow_below} for style.figure: a window around `fid` drawn for a box
    NARROW_BOX_PX wide, shown where the box is narrower than where `window` (the usual one, at
    the step's scale) draws its text at MIN_SCALE (no wider than `most` px); as tall as `window`
    is in that box, its colour key too, and as wide as the box it is in (from step to step the box
    keeps its height and the key its place: QA 19, a key that moved by up to 65 px).
    {} where `window` reads at MIN_SCALE or more in the narrow box, or the drawing is large."""
    attrs = root_attrs(window)
    width, height = float(attrs["width"]), float(attrs["height"])
    scale = width / float(attrs["viewBox"].split()[2])
    below = min(width, width * MIN_SCALE / scale, most or width)
    size = (NARROW_BOX_PX, narrowest_height(width, height))
    if len(svg) > NARROW_MAX_CHARS or below <= NARROW_BOX_PX or size[1] < 2 * LEGEND_PX:
        return {}
    base = (*size, LEGEND_PX * NARROW_BOX_PX / width)
    narrow, _ = focus(with_fresh_ids(svg), layout, fid, keep=ends, force=True, overhang=True, size=size, base=base)
    attrs = root_attrs(narrow)
    drawn = float(attrs["width"])
    if drawn / float(attrs["viewBox"].split()[2]) <= scale * min(1.0, NARROW_BOX_PX / width):
        return {}   # (no larger than the usual window there)
    return {"narrow_svg": with_root(narrow, style=stretched_style(drawn, float(attrs["height"]))),
            "narrow_below": below}


def _wide(svg, layout, fid, ends, size, wide_size):
    """(drawing, fits_from, whether the note goes with the usual window only) shown where
    the box is wide: the whole graph where it fits a wide box at MIN_SCALE or more, else a
    window drawn for that box; (None, None, False) where that shows nothing more."""
    if len(svg) > WIDE_MAX_CHARS:
        return None, None, False
    attrs = root_attrs(svg)
    width, height = float(attrs["width"]), float(attrs["height"])
    if MIN_SCALE * width <= WIDE_BOX_PX and height <= WHOLE_H:   # (not a tall one: on no projector)
        return with_fresh_ids(svg), fits_whole_from(width, height), True
    if not size or not wide_size or wide_size[0] < size[0] + WIDE_GAIN_PX:
        return None, None, False
    wide, _ = focus(with_fresh_ids(svg), layout, fid, keep=ends, force=True, overhang=True, size=wide_size,
                    wide=True)
    return wide, (WIDE_BOX_PX, 0), False


def note_below(note, klass=""):
    """The note on a window, under the box (escaped here). It wraps (QA 22: on one line, cut
    with an ellipsis, it was never read whole); under the window, it moves no node."""
    return (f'<div class="dz-figure-note{" " + klass if klass else ""}" '
            f'style="font-size:{style.FONT_PX}px;color:{style.MUTED};margin:4px 0 2px">{esc(note)}</div>')


def _with_note(html, note_html):
    """`html` (style.figure's) with `note_html` inside its box's container (its last tag)
    where it has one, whose query hides a note of class dz-if-cut with the window."""
    if html.startswith('<div class="dz-fits-') and html.endswith("</div>"):
        return html[:-len("</div>")] + note_html + "</div>"
    return html + note_html
