"""The Graph tab's hint that its box scrolls, drawn in a band of the SVG at
the corner the box opens on, where the box cuts the drawing (QA at 1024x768:
nothing in the box said it scrolls, and a projector may hide scroll bars)."""
from dezero_magic.layout import MARGIN
from dezero_magic.render.escape import esc
from dezero_magic.render.svg import drawn_last, root_attrs, with_root

SCROLL_HINT_PX = 32
SCROLL_HINT_FONT_PX = 20   # drawn at MIN_SCALE where it shows: ~13 px, bold


def with_scroll_hint(svg, text, klass):
    """`svg` (from render_svg) with `text` in a band of its own at the corner
    its box opens on, where the box cuts the drawing (QA at 1024x768: Matyas'
    x and y were cut in half at the box's left edge, nothing in the box said
    that it scrolls, and a projector's scroll bar may be hidden): over the
    right end of a left-to-right drawing (the box opens at its top right),
    under the left end of a top-to-bottom one (its bottom left). `klass`: the
    band's class (the figure's container query hides it where the box holds
    the drawing whole: widgets.style.figure)."""
    attrs = root_attrs(svg)
    width, height = float(attrs["width"]), float(attrs["height"])
    lr = attrs.get("data-rankdir", "LR") == "LR"
    top = -SCROLL_HINT_PX if lr else height
    x, anchor = (width - MARGIN, "end") if lr else (MARGIN, "start")
    band = (f'<g class="dz-scroll-hint {esc(klass)}"><rect x="0" y="{top:.0f}" width="{width:.0f}" '
            f'height="{SCROLL_HINT_PX}" fill="#ffffff"/><text class="dz-scroll-hint-text" x="{x:.0f}" '
            f'y="{top + SCROLL_HINT_PX / 2:.1f}" fill="#333333" font-size="{SCROLL_HINT_FONT_PX}" '
            f'font-weight="bold" text-anchor="{anchor}" dominant-baseline="central">{esc(text)}</text></g>')
    svg = drawn_last(svg, band)
    # Where the hint is hidden, its band is pulled out of view (style.figure; review: a blank band stayed):
    # a margin of its drawn height, 32 px times the scale, box width / drawing width where shrunk (% of width)
    pull = f"--dz-hint-pull:max(-{SCROLL_HINT_PX}px, -{100 * SCROLL_HINT_PX / width:.4f}%)"
    # above the drawing: the viewBox starts above 0, the nodes keep their coordinates
    return with_root(svg, width=f"{width:.0f}", height=f"{height + SCROLL_HINT_PX:.0f}",
                     view_box=f"0 {min(top, 0):.0f} {width:.0f} {height + SCROLL_HINT_PX:.0f}",
                     style=f"{attrs.get('style', '')};{pull}",
                     **{"class": f"{attrs.get('class', '')} dz-hinted-{'lr' if lr else 'tb'}".strip()})
