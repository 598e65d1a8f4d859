"""The Graph tab's hint that its box scrolls, drawn in a band of the SVG at
the corner the box opens on, where the box cuts the drawing (QA at 1024x768:
nothing in the box said it scrolls, and a projector may hide scroll bars)."""
from dezero_magic.layout import MARGIN
from dezero_magic.render.escape import esc
from dezero_magic.render.screen import BOX_H, MIN_SCALE, NARROW_BOX_PX, whole_style
from dezero_magic.render.svg import drawn_last, root_attrs, with_root

SCROLL_HINT_PX = 32        # the band of one line at SCROLL_HINT_FONT_PX
SCROLL_HINT_FONT_PX = 20   # drawn at MIN_SCALE where it shows: ~13 px, bold
SMALLEST_FONT_PX = 14      # on a drawing too narrow for its longest word at 20 px
# Bold sans-serif glyphs average ~0.54 em (QA: the 57-character hint spanned 617 px at 20 px,
# DejaVu Sans Bold): a little more, so a wrapped line is never cut at the drawing's edge.
GLYPH_EM = 0.6
LINE_EM = 1.25
# Where the rest of a cut drawing lies from the corner its box opens on (render.screen.end_first):
# along the layers, and across them (an LR drawing's box opens at its top right, a TB one's at its
# bottom left). QA: "◀" over an LR graph that fitted the box's width but was cut at its bottom.
ALONG = {"LR": "\u25c0", "TB": "\u25b2"}
ACROSS = {"LR": "\u25bc", "TB": "\u25b6"}


def pointed(text, rankdir, width, height):
    """`text` (a hint that starts with the arrow along the layers, ALONG) with
    its arrow pointing where a drawing `width` x `height` px can be cut: the
    kernel never learns the box's size, only the range of boxes sized for
    (render.screen): across the layers where no box is too narrow for it,
    along them where none is too short, and both arrows where either may be."""
    along, across = ALONG.get(rankdir, ALONG["LR"]), ACROSS.get(rankdir, ACROSS["LR"])
    if not text.startswith(along):
        return text
    wide, tall = MIN_SCALE * width > NARROW_BOX_PX, height > BOX_H
    cut_along, cut_across = (wide, tall) if rankdir != "TB" else (tall, wide)
    arrows = (along if cut_along and not cut_across else across if cut_across and not cut_along
              else f"{along} {across}")
    return arrows + text[len(along):]


def hint_lines(text, width):
    """(font px, lines) of `text` wrapped at spaces to fit a drawing `width`
    px wide, inside its margins (QA: "▲ scroll the box for the res" stopped
    mid-word at the edge of a 461-px top-to-bottom drawing). The font is 20
    px, smaller (14 px at least) only where the longest word is wider than
    the drawing; a word wider still stands on a line of its own."""
    room = max(width - 2 * MARGIN, 1.0)
    words = text.split()
    longest = max((len(w) for w in words), default=0)
    font = SCROLL_HINT_FONT_PX
    while font > SMALLEST_FONT_PX and longest * GLYPH_EM * font > room:
        font -= 2
    per_line = max(int(room // (GLYPH_EM * font)), 1)   # characters
    lines = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return font, lines or [""]


def band_width(text, width):
    """The width of the band for `text` under or over a drawing `width` px wide: as
    wide as one line at 20 px needs, up to NARROW_BOX_PX (so no box shrinks the
    drawing for it), never narrower than the drawing. QA 23: the hint under a
    331-px top-to-bottom graph stood on three bold lines, the box beside it white."""
    one_line = len(text) * GLYPH_EM * SCROLL_HINT_FONT_PX + 2 * MARGIN
    return max(width, min(one_line, float(NARROW_BOX_PX)))


def band_px(font, lines):
    """The height of a band holding `lines` at `font` px: 32 px for one line at 20 px."""
    return round(len(lines) * LINE_EM * font + 7)


def with_scroll_hint(svg, text, klass):
    """`svg` (from render_svg) with `text` in a band of its own at the corner
    its box opens on, where the box cuts the drawing (QA at 1024x768:
    Matyas' x and y were cut in half at the box's left edge, nothing in the
    box said that it scrolls, and a projector's scroll bar may be hidden):
    over the right end of a left-to-right drawing (the box opens at its top
    right), under the left end of a top-to-bottom one (its bottom left). On
    as many lines as the drawing's width needs (`hint_lines`). `klass`: the
    band's class (the figure's container query hides it where the box holds
    the drawing whole: widgets.style.figure)."""
    attrs = root_attrs(svg)
    width, height = float(attrs["width"]), float(attrs["height"])
    lr = attrs.get("data-rankdir", "LR") == "LR"
    text = pointed(text, "LR" if lr else "TB", width, height + SCROLL_HINT_PX)
    drawn, wide = width, band_width(text, width)
    width = wide
    font, lines = hint_lines(text, width)
    band = band_px(font, lines)
    top = -band if lr else height
    x, anchor = (width - MARGIN, "end") if lr else (MARGIN, "start")
    step = LINE_EM * font
    first = top + band / 2 - step * (len(lines) - 1) / 2     # the lines centred in the band
    spans = "".join(f'<tspan x="{x:.0f}" y="{first + i * step:.1f}">{esc(line)}</tspan>'
                    for i, line in enumerate(lines))
    # one line stays the text's own (no tspan): what a reader of the SVG finds first
    content = esc(lines[0]) if len(lines) == 1 else spans
    group = (f'<g class="dz-scroll-hint {esc(klass)}"><rect x="0" y="{top:.0f}" width="{width:.0f}" '
             f'height="{band}" fill="#ffffff"/><text class="dz-scroll-hint-text" x="{x:.0f}" '
             f'y="{first:.1f}" fill="#333333" font-size="{font}" font-weight="bold" '
             f'text-anchor="{anchor}" dominant-baseline="central">{content}</text></g>')
    # the drawing's own white card ends at its width: the band's wider part on white too
    card = (f'<rect class="dz-scroll-hint-card" x="{drawn:.0f}" y="{min(top, 0):.0f}" width="{wide - drawn:.0f}" '
            f'height="{height + band:.0f}" fill="#ffffff"/>' if wide > drawn else "")
    svg = drawn_last(svg, card + group)
    style = attrs.get("style", "")
    if wide > drawn:   # as wide as the band, shrunk as a drawing that wide is (render.screen.whole_style)
        style = style.replace(whole_style(drawn), whole_style(wide))
    # Where the hint is hidden, its band is pulled out of view (style.figure; review: a blank band stayed):
    # a margin of its drawn height, `band` px times the scale, box width / drawing width where shrunk (% of width)
    pull = f"--dz-hint-pull:max(-{band}px, -{100 * band / width:.4f}%)"
    # above the drawing: the viewBox starts above 0, the nodes keep their coordinates
    return with_root(svg, width=f"{width:.0f}", height=f"{height + band:.0f}",
                     view_box=f"0 {min(top, 0):.0f} {width:.0f} {height + band:.0f}",
                     style=f"{style};{pull}",
                     **{"class": f"{attrs.get('class', '')} dz-hinted-{'lr' if lr else 'tb'}".strip()})
