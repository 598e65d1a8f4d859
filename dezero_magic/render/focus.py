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
from dezero_magic.render.edge_labels import beyond_labels
from dezero_magic.render.screen import (BOX_H, BOX_PX, FITTED_STYLE, MIN_SCALE, WHOLE_H, WHOLE_W, WIDE_BOX_PX,
                                       large_style, window_style)
from dezero_magic.render.svg import LEGEND_PX, drawn_last, has_legend, root_attrs, split_legend, with_root

# Shown whole: a graph that fits the smallest box sized for, shrunk to at most
# render.screen.MIN_SCALE (wider, a node could be cut off: QA saw the output end
# of a 1,431-px graph, which step 1 pops, outside a 1024-px screen's box).
FIT_W, FIT_H = WHOLE_W, WHOLE_H
# Else the window, drawn at full size, as wide as that box: all of it is in view;
# a narrower box (the file browser open) shrinks it to its width (render.screen.window_style).
# No taller than a 720-px projector's box (render.screen.BOX_H): the stepper's box keeps its
# windows' height over its short-screen max-height, and at 480 px it ran under the status bar,
# the window's bottom and colour key out of sight (QA session 20, 1280x720).
WINDOW_W, WINDOW_H = BOX_PX, min(480, BOX_H)
# The stepper's window where its box is as wide as a 1280-px projector's (WIDE_BOX_PX; the
# browser picks, widgets.step_figure): QA 22 at 1280x720, a 780-px window cropped Matyas' x, y
# and both Pow beside 280 px of white.
WIDE_WINDOW_W = WIDE_BOX_PX
AT_X, AT_Y = 0.5, 0.4


# A window that must hold several nodes (a backward step's function and every
# variable it takes grads from or sends them to: QA saw x, which step 5 sends
# its grad to, off the box's edge) grows to hold them and is drawn smaller, to
# keep its size on the screen; never below the Graph tab's floor (MIN_SCALE: text
# 14 px -> 9 px, readable on a projector). A node of `keep` farther away is left
# out, its edge running on past the window's edge, where a label names it and
# the way it lies (render.edge_labels: "x ▲"); the step's panel says its numbers.
# QA: an RNN's shared weight W, drawn once 40,000 px away, made every Linear's window
# the whole graph, its text 1-2 px (book steps 59-60); notebook 05's step 36 squeezed a
# 410-px window to 0.41 to hold x, 960 px above step 6's Pow, its text 5-6 px (QA 22).
KEEP_MIN_SCALE = MIN_SCALE
KEEP_PAD = 6
# A node left out (`_left_out`) is covered this far around its box: a highlighted outline
# (4 px) and the "+=" badge (6 px over its top) reach out of it; the next node is >= 22 px away.
COVER_PAD = 7


def window(layout, node_id, keep=(), zoom=1.0, force=False, overhang=False, key=False, size=None,
           wide=False, base=None):
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
    and is that much less tall; it holds the nodes of `keep` that fit in it
    drawn at KEEP_MIN_SCALE over the key.
    `size`: (width, height) px, key included, that the window is drawn at
    (`window_size`, asked with the same arguments): it holds more of the graph
    around its nodes (or white beyond the graph's ends) at its own scale.
    `wide`: a window as wide as a wide box (WIDE_WINDOW_W) instead of WINDOW_W. `base`: (width,
    height, key px) of the box it is drawn for instead, its key that tall (drawn) instead of
    LEGEND_PX (the stepper's narrow window, widgets.step_figure)."""
    placed = _placed(layout, node_id, keep, zoom, force, overhang, key, size, wide, base)
    return placed and placed[0]


def _placed(layout, node_id, keep, zoom, force, overhang, key, size, wide=False, base=None):
    """((x0, y0, width, height), the scale it is drawn at) of `window`, or None."""
    extent = _extent(layout, node_id, keep, zoom, force, key, wide, base)
    if extent is None:
        return None
    w, h, scale, held, lo, hi = extent
    if size is not None:
        room = size[1] - _key_px(key, base) * zoom
        # a window taller than `size`'s room (a `size` asked without the key) drawn a little
        # smaller, to `size` whole; squeezed into it in its own shape, the window was narrower
        # than the other steps' (670 -> 667 px, notebook 05's Taylor sin, step 9)
        scale = min(scale, room / (zoom * h))
        # (never less than its own size: `size` is the largest of them)
        w = max(w, size[0] / (zoom * scale))
        h = max(h, room / (zoom * scale))
    x, y = layout.positions[node_id]
    total = (layout.width, layout.height + (h if overhang else 0))
    start = (_place(x - AT_X * w, w, lo[0], hi[0], total[0]), _place(y - AT_Y * h, h, lo[1], hi[1], total[1]))
    x0, y0 = _whole_nodes(layout, held, start, (w, h), total)
    if size is None:
        x0, w = _narrowed(layout, held, x0, w)
    return (x0, y0, w, h), zoom * scale


def _extent(layout, node_id, keep, zoom, force, key, wide=False, base=None):
    """(width, height, scale but for zoom, the nodes held, their bounds) of
    `window` before it is placed, or None when there is none."""
    if node_id not in layout.positions or not (force or needs_window(layout) or _zoom_overflows(layout, zoom)):
        return None
    base_w, base_h = _base(layout, zoom, key, wide, base)
    # as far as drawn at KEEP_MIN_SCALE with the key under it: reaching as far as without the key, a
    # window then squeezed into the key's room was drawn below the floor (QA 22: 0.63, an LSTM's step)
    held = _within_reach(layout, node_id, keep, base_w / KEEP_MIN_SCALE, base_h / KEEP_MIN_SCALE)
    lo, hi = _bounds(layout, held)
    need_w, need_h = hi[0] - lo[0], hi[1] - lo[1]
    scale = max(KEEP_MIN_SCALE, min(1.0, base_w / need_w, base_h / need_h))
    # grown in both directions alike, so that drawn at `scale` it is as large as any other window
    w = min(layout.width, max(base_w / scale, need_w))
    h = min(layout.height, max(base_h / scale, need_h))
    return w, h, scale, held, lo, hi


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


def _base(layout, zoom, key=False, wide=False, base=None):
    """The usual window's size in graph units: it is drawn `zoom` times larger
    (with the colour key under it, `key`, no taller than without); `wide`: as wide as WIDE_WINDOW_W;
    `base`: (width, height, key) px instead."""
    width, height = base[:2] if base else (WIDE_WINDOW_W if wide else WINDOW_W, WINDOW_H)
    return (min(layout.width, width / zoom), min(layout.height, height / zoom - _key_px(key, base)))


def _key_px(key, base=None):
    """The drawn height of the colour key's band under a window (`window`'s `key` and `base`)."""
    return (base[2] if base else LEGEND_PX) if key else 0


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
    [lo, hi] (when it can), and kept inside [0, total] (from 0 when larger)."""
    start = max(min(start, lo), hi - size)
    return max(0.0, min(start, total - size))


def _whole_nodes(layout, held, start, size, total):
    """(x0, y0): the window `size` at `start` moved, by at most a quarter of
    its size each way and inside [0, total], to where its edges cut fewer nodes
    (QA: ovals cut in half at its edges, "grad 1.662e-"; a sliver of the next
    oval on the colour key), never losing a node of `held` and, where it can,
    none it showed whole. Its size stays: a window whose size changed from step to step moved
    the stepper's colour key and all below it. A node still cut, `focus`
    leaves out."""
    (w, h), reach = size, (size[0] * 1.25, size[1] * 1.25)
    near = [b for b in (_box(layout, n) for n in _drawn(layout))
            if b[2] > start[0] - w / 4 and b[0] < start[0] + reach[0]
            and b[3] > start[1] - h / 4 and b[1] < start[1] + reach[1]]
    must = [_box(layout, n) for n in held]
    shown = [b for b in near if _inside(b, start, size)]
    best = list(start)
    for axis in (0, 1, 0):
        here = list(best)
        tries = {here[axis], 0.0, total[axis] - size[axis]}
        for b in near:
            a, z = b[axis], b[axis + 2]
            tries.update((z + 2, a - 2, a - 2 - size[axis], z + 2 - size[axis]))

        def cost(c):
            at = here[:axis] + [c] + here[axis + 1:]
            if not all(_inside(b, at, size) for b in must):
                return None
            cut = sum(1 for b in near if _touches(b, at, size) and not _inside(b, at, size))
            lost = sum(1 for b in shown if not _inside(b, at, size))
            return cut + lost, abs(c - start[axis])

        ok = [(cost(c), c) for c in tries
              if abs(c - start[axis]) <= size[axis] / 4 and 0 <= c <= max(0.0, total[axis] - size[axis])]
        ok = [(k, c) for k, c in ok if k is not None]
        if ok:
            best[axis] = min(ok)[1]
    return tuple(best)


def _narrowed(layout, held, start, size):
    """(start, size) across, the window narrowed to leave out a node its side
    edge still cuts (a window of no set size: as wide as what it shows whole),
    unless that loses a node of `held` or half the window."""
    spans = [_box(layout, n)[::2] for n in _drawn(layout)]
    lo = max([b + 2 for a, b in spans if a < start < b], default=start)
    hi = min([a - 2 for a, b in spans if a < start + size < b], default=start + size)
    keep = all(lo <= a and b <= hi for a, b in (_box(layout, n)[::2] for n in held))
    return (lo, hi - lo) if keep and hi - lo >= size / 2 else (start, size)


def _drawn(layout):
    return [n for n in layout.positions if n in layout.sizes]


def _box(layout, n):
    """(left, top, right, bottom) of node `n`."""
    (x, y), (w, h) = layout.positions[n], layout.sizes[n]
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def _inside(b, at, size):
    return (at[0] - 0.5 <= b[0] and b[2] <= at[0] + size[0] + 0.5
            and at[1] - 0.5 <= b[1] and b[3] <= at[1] + size[1] + 0.5)


def _touches(b, at, size):
    return b[2] > at[0] and b[0] < at[0] + size[0] and b[3] > at[1] and b[1] < at[1] + size[1]


def cut_nodes(layout, box):
    """The drawn nodes the window `box` (its graph part) would show only partly."""
    at, size = box[:2], box[2:]
    return [n for n in _drawn(layout)
            if _touches(_box(layout, n), at, size) and not _inside(_box(layout, n), at, size)]


def window_size(layout, targets, key=True, force=False, wide=False):
    """(width, height) px, the colour key under it included (`key`), that
    every window over `targets` ((node, keep) pairs: the stepper's steps) is
    drawn at (`window`'s `size`): the widest's width and the tallest's height,
    no taller than a usual window; None when the graph is shown whole (unless
    `force`). Windows grown to hold a step's nodes are drawn smaller: the box
    had changed height from step to step (QA: 395, 480, 399 px), moving the
    queue under it while playing; windows of one height but several widths,
    shrunk to a narrow box, moved its colour key up and down by up to 65 px
    (QA, 1024x768 with the file browser open). `wide`: of windows as wide as WIDE_WINDOW_W."""
    sizes = _drawn_sizes(layout, targets, key, force, wide)
    return (max(w for w, _ in sizes), min(WINDOW_H, max(h for _, h in sizes))) if sizes else None


def _drawn_sizes(layout, targets, key, force=False, wide=False):
    """[(width, height) px] of the windows over `targets`, each at its own size."""
    if not (force or needs_window(layout)):
        return []
    sizes = []
    for node, keep in targets:
        extent = _extent(layout, node, keep, 1.0, force, key, wide)
        if extent is not None:
            w, h, scale = extent[:3]
            sizes.append((w * scale, h * scale + (LEGEND_PX if key else 0)))
    return sizes


def needs_window(layout):
    """Whether the graph can be larger than its box even at its smallest
    scale: then views offer "fit", and show windows around nodes."""
    return layout.width > FIT_W or layout.height > FIT_H


def focus(svg, layout, node_id, keep=(), zoom=1.0, force=False, overhang=False, key=None, size=None,
          wide=False, base=None):
    """(svg, focused): `svg` narrowed to the window around `node_id` that
    holds `keep` too (drawn `zoom` times larger, at `size` if given), or
    unchanged (focused False) when the whole graph fits (unless `force`).
    `key` (by default: with `overhang`, the stepper): the drawing's colour key
    (|grad| scale, what a dashed outline means) is drawn whole at the window's
    bottom; the window showed a sliver of it, or none, the rest outside its
    view. A node the window's edges would cut is left out (`_left_out`); one
    of `keep` left out is named by a label where its edge leaves the window."""
    # (no room is kept for a key the drawing does not have: QA, a blank band over a graph without one)
    key = (overhang if key is None else key) and has_legend(svg)
    placed = _placed(layout, node_id, keep, zoom, force, overhang, key, size, wide, base)
    if placed is None:
        return svg, False
    # in whole px, as the viewBox is written: the drawn size is the viewBox's times the scale
    box, scale = tuple(float(round(v)) for v in placed[0]), placed[1]
    x0, y0, w, h = box
    attrs = root_attrs(svg)
    # beyond the drawing (overhang, or a window wider than the graph): the graph's white card goes
    # on (a dark theme showed through)
    card = f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#ffffff"/>' \
        if min(x0, y0) < -0.5 or x0 + w > float(attrs["width"]) + 0.5 or y0 + h > float(attrs["height"]) + 0.5 \
        else ""
    svg = _left_out(svg, layout, box)
    far = [n for n in keep if n != node_id and n in layout.sizes and not _inside(_box(layout, n), box[:2], box[2:])]
    if far:
        svg = drawn_last(svg, beyond_labels(svg, layout, node_id, far, box, scale))
    if key:
        svg, h = _key_under(svg, layout, box, scale / zoom, _key_px(True, base))
    # width/height are the drawn size ("large" enlarges them; `size`, the same at every step, to the
    # px); the viewBox the part of the graph. A window of another shape (a step whose nodes need the
    # smallest scale) is drawn inside `size`, in its own shape: squeezed to it, the browser had left
    # blanks at its sides; larger, the stepper's box changed height on that step (480 -> 494 px).
    drawn_w, drawn_h = w * scale, h * scale
    if size and abs(drawn_w - size[0]) <= 1 and abs(drawn_h - size[1]) <= 1:
        drawn_w, drawn_h = size
    elif size:
        inside = min(1.0, size[0] / drawn_w, size[1] / drawn_h)
        drawn_w, drawn_h = drawn_w * inside, drawn_h * inside
    return with_root(svg, card, width=f"{drawn_w:.0f}", height=f"{drawn_h:.0f}",
                     view_box=f"{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}", style=window_style(drawn_w, drawn_h)), True


def _left_out(svg, layout, box):
    """`svg` with the nodes that the window `box` would show only partly (its
    size kept, no place cut none) covered on white, their outlines' and
    badges' width too: none is drawn in part (QA: half a value, a thin arc of
    an oval on the colour key); their edges end at the window's edge as
    others do."""
    covers = []
    for n in cut_nodes(layout, box):
        left, top, right, bottom = _box(layout, n)
        covers.append(f'<rect class="dz-left-out" x="{left - COVER_PAD:.1f}" y="{top - COVER_PAD:.1f}" '
                      f'width="{right - left + 2 * COVER_PAD:.1f}" height="{bottom - top + 2 * COVER_PAD:.1f}" '
                      f'fill="#ffffff"/>')
    if not covers:
        return svg
    return drawn_last(svg, "".join(covers))


def _key_under(svg, layout, box, unit, band_px=LEGEND_PX):
    """(svg, height): the drawing's legend row moved into a band at the bottom
    of the window `box` drawn at `unit` (its scale but for zoom), at the row's
    own size (smaller only where the window is narrower than the row), on
    white over whatever of the graph lies there; the window's height with the
    band. Unchanged without a legend row."""
    rest, items, right = split_legend(svg)
    if not items:
        return svg, box[3]
    x0, y0, w, h = box
    band = band_px / unit
    size = min(band_px / LEGEND_PX / unit, w / (right + MARGIN))
    # the row was drawn under the graph: from y = layout.height, x = 0 (its items from MARGIN)
    row = (f'<rect class="dz-window-key-band" x="{x0:.1f}" y="{y0 + h:.1f}" width="{w:.1f}" '
           f'height="{band:.1f}" fill="#ffffff"/><g class="dz-window-key" transform="translate({x0:.1f},'
           f'{y0 + h:.1f}) scale({size:.4f}) translate(0,{-layout.height:.1f})">{items}</g>')
    return drawn_last(rest, row), h + band


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
