"""The row under a drawing that explains its colours: the |grad| scale, and
swatches for the warning colour (NaN/Inf) and for the dotted outline of a
variable that no longer exists (`render.svg` draws it; a window of the
drawing redraws it in its own bottom, `render.focus`)."""
from dezero_magic.layout import CHAR_PX, MARGIN
from dezero_magic.preview import format_number
from dezero_magic.render import palette
from dezero_magic.render.escape import esc

LEGEND_PX = 34


def legend_row(uid, y0, top, nonfinite="", gone="", top_note=""):
    """The row under the graph: the |grad| scale up to `top` (None: no grads drawn),
    `top_note` written after its top (what the scale spans, where not just what is drawn)
    and, when a drawn node is in the warning colour or has the dotted outline of
    a variable that no longer exists, a swatch with the text saying what it means
    (`nonfinite`, `gone`: "" where no node is drawn so).
    Returns (SVG text, right end in px), or None when there is nothing to explain."""
    if top is None and not nonfinite and not gone:
        return None
    y = y0 + 8
    parts, x = [], MARGIN
    if top is not None:
        stops = "".join(f'<stop offset="{i / 4:.2f}" stop-color="{palette.scale(i / 4)}"/>' for i in range(5))
        top_text = format_number(top)  # as the nodes write it: 2.00003 is "2.000" there too
        if top_note:
            top_text += f" ({top_note})"
        parts.append(f'<g class="dz-legend"><defs><linearGradient id="{uid}-g">{stops}</linearGradient></defs>'
                     f'<text x="{x}" y="{y + 9:.1f}" dominant-baseline="central">|grad| 0</text>'
                     f'<rect x="{x + 70}" y="{y:.1f}" width="140" height="18" fill="url(#{uid}-g)" stroke="#333"/>'
                     f'<text x="{x + 218}" y="{y + 9:.1f}" dominant-baseline="central">{esc(top_text)}</text></g>')
        x += 218 + len(top_text) * CHAR_PX + 28
    if nonfinite:
        # Drawn as the nodes are (fill, dashed outline), so the swatch is recognisably "that oval".
        parts.append(_swatch("dz-legend-nonfinite", x, y, f'fill="{palette.WARNING_FILL}" '
                             f'stroke="{palette.WARNING_STROKE}" stroke-width="3" stroke-dasharray="6 3"',
                             nonfinite))
        x += 44 + len(nonfinite) * CHAR_PX + 28
    if gone:
        parts.append(_swatch("dz-legend-gone", x, y, f'fill="{palette.NO_GRAD_FILL}" stroke="#333333" '
                             'stroke-width="1.5" stroke-dasharray="2 3"', gone))
        x += 44 + len(gone) * CHAR_PX + 28
    return "".join(parts), x - 28


def _swatch(klass, x, y, look, text):
    """A small oval drawn with `look` (SVG attributes) and the escaped `text` beside it."""
    return (f'<g class="{klass}"><ellipse cx="{x + 18:.1f}" cy="{y + 9:.1f}" rx="18" ry="10" {look}/>'
            f'<text x="{x + 44:.1f}" y="{y + 9:.1f}" dominant-baseline="central">{esc(text)}</text></g>')
