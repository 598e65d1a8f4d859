"""The text written under a drawing when the SVG travels alone (image/svg+xml:
nbconvert's LaTeX/PDF, ExtractOutputPreprocessor's files, viewers that take
no HTML): the caption line, the notes and the --modes table, as the HTML
shows them. Without the notes such a viewer showed a grad that looks wrong
("x.grad is 1, not their sum 2") or stale values with nothing saying why
(QA X23-2).

Plain SVG text with presentation attributes only (no <style>, no
foreignObject: a PDF converter or a sanitizer keeps it); every string escaped.
"""
import textwrap

from dezero_magic.layout import CHAR_PX, LINE_PX, MARGIN
from dezero_magic.render import palette
from dezero_magic.render.escape import esc
from dezero_magic.render.screen import whole_style
from dezero_magic.render.svg import drawn_last, root_attrs, with_root

CAPTION_PX = 26
TEXT_COLOUR = "#333333"   # on the SVG's own white ground, whatever the page's theme
# Notes wrap to the drawing's width, but a one-node drawing would leave ~15 characters a
# line: the canvas is this wide at least when there is more than the caption to write.
MIN_TEXT_PX = 480
GAP_PX = 8                # between paragraphs (a note, the table's title, its rows)
COLUMN_GAP_PX = 16
BULLET_PX = 14
MIN_LAST_COLUMN_PX = 240  # the table's last column ("0.003 s; note") wraps in what is left


def wrapped(text, width_px):
    """`text` as lines at most `width_px` wide (CHAR_PX a character), broken at
    spaces; a word longer than a line is broken too (a long name must not run
    off the canvas). Its own line breaks are kept."""
    per_line = max(int(width_px / CHAR_PX + 1e-9), 1)  # (42 px // 8.4 px was 4 characters)
    lines = []
    for part in str(text).split("\n"):
        lines += textwrap.wrap(part, per_line, break_on_hyphens=False) or [""]
    return lines


def _line(x, y, text, klass, colour=TEXT_COLOUR, bold=False):
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text class="{klass}" x="{x:.1f}" y="{y:.1f}" fill="{colour}"{weight} '
            f'dominant-baseline="central">{esc(text)}</text>')


def _table_widths(rows):
    """Each column's width in px but the last's (which wraps)."""
    columns = len(rows[0]) if rows else 0
    return [max(len(str(row[i])) for row in rows) * CHAR_PX + COLUMN_GAP_PX for i in range(columns - 1)]


def _paragraphs(lines_of, y, klass, width, bullet=False):
    """SVG text of paragraphs (each wrapped to `width`, after a bullet as the HTML's
    list items where `bullet`) from `y`; returns (text, new y)."""
    out, indent = [], BULLET_PX if bullet else 0
    for text in lines_of:
        if bullet:
            out.append(_line(MARGIN, y + LINE_PX / 2, "\u2022", klass))
        for line in wrapped(text, width - 2 * MARGIN - indent):
            out.append(_line(MARGIN + indent, y + LINE_PX / 2, line, klass))
            y += LINE_PX
        y += GAP_PX
    return "".join(out), y


def _table(table, y, width):
    """The --modes table: (title, [header, *rows], footnote or None) drawn from `y`."""
    title, rows, footnote = table
    drawn, y = _paragraphs([title], y, "dz-svg-modes", width)
    out = [drawn]
    widths = _table_widths(rows)
    last_x = MARGIN + sum(widths)
    for i, row in enumerate(rows):
        last = wrapped(row[-1], width - MARGIN - last_x) if row else [""]
        x = MARGIN
        for cell, w in zip(row[:-1], widths):
            out.append(_line(x, y + LINE_PX / 2, cell, "dz-svg-modes", bold=i == 0))
            x += w
        for k, line in enumerate(last):
            out.append(_line(last_x, y + (k + 0.5) * LINE_PX, line, "dz-svg-modes", bold=i == 0))
        y += len(last) * LINE_PX
    y += GAP_PX
    if footnote:
        drawn, y = _paragraphs([footnote], y, "dz-svg-modes", width)
        out.append(drawn)
    return "".join(out), y


def with_caption(svg, text, warning=False, notes=(), table=None):
    """`svg` (from render_svg) with `text` written under the drawing, then each
    of `notes` wrapped to the drawing's width, then `table` (the --modes
    table: title, [header, *rows], footnote or None) when given: the SVG alone
    then says what the HTML says (an incomplete or cut graph, why a grad
    looks wrong). The canvas grows to hold it all."""
    attrs = root_attrs(svg)
    width, height = float(attrs["width"]), float(attrs["height"])
    new_w = max(width, len(text) * CHAR_PX + 2 * MARGIN)
    notes = [n for n in notes if str(n).strip()]
    if notes or table:
        new_w = max(new_w, MIN_TEXT_PX)
    if table:
        new_w = max(new_w, 2 * MARGIN + sum(_table_widths(table[1])) + MIN_LAST_COLUMN_PX)
    colour = palette.WARNING_STROKE if warning else TEXT_COLOUR
    parts = [_line(MARGIN, height + CAPTION_PX / 2, text, "dz-svg-caption", colour, bold=warning)]
    y = height + CAPTION_PX
    if notes:
        drawn, y = _paragraphs(notes, y, "dz-svg-note", new_w, bullet=True)
        parts.append(drawn)
    if table:
        drawn, y = _table(table, y, new_w)
        parts.append(drawn)
    new_h = y  # (each paragraph ends in its gap: the last one is the bottom margin)
    svg = drawn_last(svg, "".join(parts))
    # a white ground under all of it: the drawing's own covers the drawing only
    return with_root(svg, f'<rect width="{new_w:.0f}" height="{new_h:.0f}" fill="#ffffff"/>',
                     width=f"{new_w:.0f}", height=f"{new_h:.0f}", view_box=f"0 0 {new_w:.0f} {new_h:.0f}",
                     style=whole_style(new_w))
