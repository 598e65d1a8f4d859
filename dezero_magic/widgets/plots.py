"""matplotlib figures for the views, rendered to PNG with the Agg canvas
directly (a `Figure` of our own: pyplot's global state and the notebook's
backend are never touched). Projector type (14 px and up), colour-blind
safe colours from `render.palette`, and line styles / hatches so that
nothing is told by colour alone.
"""
import base64
import io
import math
import re

from dezero_magic.memory import human_bytes
from dezero_magic.render import palette
from dezero_magic.render.escape import esc
from dezero_magic.render.screen import NARROW_BOX_PX

DPI = 110
# Drawn as wide as the narrowest box a lecture screen gives it (render.screen.NARROW_BOX_PX: 1024 px,
# or 1280 px with the file browser open), so it is shown at its own size or close to it, not shrunk:
# QA measured the 880-px chart in a ~537-px box, its type at 10-12 px. Type sizes are in CSS px at
# that width; the smallest (ticks, the bars' numbers) is 16 px, 14 px or more down to a ~475-px box.
WIDTH_PX = NARROW_BOX_PX
SMALL_PX, FONT_PX, TITLE_PX = 16, 17, 18
PLOT_PX = 420         # about the plot's own width, less the y axis's labels: group labels share it
TITLE_W_PX = WIDTH_PX - 80   # a title is centred on the plot, which the y axis's labels push right
CHAR_EM = 0.6         # DejaVu Sans' widest common glyphs, as a share of the type size: for wrapping
LINE_STYLES = ("-", "--", "-.", ":")
HATCHES = ("", "//", "..", "xx")


def _colour(i):
    # The dark three-quarters of the viridis scale: all readable on white.
    r, g, b = palette.STOPS[min(i, 3)]
    return (r / 255, g / 255, b / 255)


def _pt(px):
    """A type size in points that is `px` CSS px in the PNG shown at its own size."""
    return px * 72 / DPI


def _figure(height_px):
    """A Figure WIDTH_PX wide and `height_px` high."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig):
    buf = io.BytesIO()
    fig.canvas.print_png(buf)
    return buf.getvalue()


def wrapped(text, width_px, font_px, at_equals=False):
    """`text` in lines no wider than `width_px` at `font_px`, broken at spaces
    (and, `at_equals`, after an '=' written without one: "retain_grad=" /
    "False (default)"); a longer word keeps its line."""
    most = max(1, int(width_px / (CHAR_EM * font_px)))
    lines, glue = [], " "
    for found in re.finditer(r"[^\s=]+=(?=\S)|\S+" if at_equals else r"\S+", text):
        word = found.group(0)
        if lines and len(lines[-1]) + len(glue) + len(word) <= most:
            lines[-1] += glue + word
        else:
            lines.append(word)
        glue = "" if word.endswith("=") and text[found.end():found.end() + 1].strip() else " "
    return "\n".join(lines)


def img_tag(png, alt):
    """An <img> with the PNG inline (alt text escaped)."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}" style="max-width:100%">'


def byte_step(top, ticks=5):
    """A tick step for a bytes axis up to `top`: 1, 2 or 5 x a power of ten of
    the unit human_bytes writes (KiB, MiB...), so ticks read 20 KiB, 40 KiB
    (decimal steps of 100,000 B read 97.7 KiB, 195.3 KiB)."""
    unit = 1
    while top / unit >= 1024 and unit < 1024 ** 4:
        unit *= 1024
    raw = max(top / unit / ticks, 1e-9)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(step, 1) * unit if unit > 1 else max(step, 1)


def bar_chart_png(groups, series, title):
    """Grouped bars: `groups` on the x axis, one bar per series (name -> values in bytes)."""
    return _png(bar_chart_figure(groups, series, title))


def bar_chart_figure(groups, series, title):
    """The Figure of `bar_chart_png` (the tests read its type sizes)."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    fig = _figure(400)
    ax = fig.add_subplot()
    n = max(len(series), 1)
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        bars = ax.bar(xs, values, width, label=name, color=_colour(i * 2 if n <= 2 else i),
                      hatch=HATCHES[i % len(HATCHES)], edgecolor="black")
        for bar, v in zip(bars, values):
            # number over unit: "39.1 KiB" on one line was wider than its bar and ran into its neighbour's
            ax.annotate(human_bytes(v).replace(" ", "\n"), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=_pt(SMALL_PX), linespacing=1.1)
    # each group's label wrapped to its share of the plot's width
    ax.set_xticks(range(len(groups)), [wrapped(g, PLOT_PX / max(len(groups), 1) - 8, SMALL_PX, at_equals=True) for g in groups])
    top = max([max(values, default=0) for values in series.values()], default=0) * 1.3
    ax.yaxis.set_major_locator(MultipleLocator(byte_step(top)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: human_bytes(max(v, 0))))
    ax.tick_params(labelsize=_pt(SMALL_PX))
    ax.margins(y=0.25)  # room for the bars' numbers
    _legend_above(ax, n)
    ax.set_title(wrapped(title, TITLE_W_PX, TITLE_PX), fontsize=_pt(TITLE_PX), pad=_pt(FONT_PX) * 2.4)
    fig.tight_layout()
    return fig


def _legend_above(ax, n):
    """The legend in a row over the plot, under its title (pad it): inside the
    plot, at projector size, it covered the bars' numbers or the curves at x0."""
    ax.legend(fontsize=_pt(FONT_PX), loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=n, frameon=False,
              handlelength=1.8, columnspacing=1.2)


def curves_layout(xs, series, x0):
    """(panels, framed): whether the curves get one panel each (their ranges
    near x0 differ too much to share an axis) and whether any axis is framed
    near x0 (`framed`); the plot and its caption both read this one decision."""
    panels = ranges_differ(xs, series, x0)
    groups = [[v] for v in series] if panels else [series]
    return panels, any(framed(xs, group, x0) is not None for group in groups)


def curves_png(xs, curves, x0, names, title):
    """Lines of `curves` (order -> values) over xs, the point x0 marked: on
    one plot when their ranges near x0 are alike, else one panel each; the
    y range is the one near x0 (exp(x^2)^2's third derivative reaches 3e8
    at the window's edge and drew every curve as a flat line at x0)."""
    return _png(curves_figure(xs, curves, x0, names, title))


def curves_figure(xs, curves, x0, names, title):
    """The Figure of `curves_png` (the tests read its type sizes)."""
    ordered = sorted(curves.items())
    panels, _ = curves_layout(xs, [values for _, values in ordered], x0)
    title = wrapped(title, TITLE_W_PX, TITLE_PX)
    if not panels:
        fig = _figure(400)
        ax = fig.add_subplot()
        for i, (order, values) in enumerate(ordered):
            ax.plot(xs, values, LINE_STYLES[i % len(LINE_STYLES)], color=_colour(i), linewidth=2.5,
                    label=names[order])
        _frame(ax, x0, xs, [v for _, v in ordered])
        ax.set_xlabel("x", fontsize=_pt(FONT_PX))
        _legend_above(ax, len(ordered))
        ax.set_title(title, fontsize=_pt(TITLE_PX), pad=_pt(FONT_PX) * 2.4)
        fig.tight_layout()
        return fig
    fig = _figure(110 + 150 * len(ordered))
    axes = fig.subplots(len(ordered), 1, sharex=True, squeeze=False)[:, 0]
    for i, ((order, values), ax) in enumerate(zip(ordered, axes)):
        ax.plot(xs, values, LINE_STYLES[i % len(LINE_STYLES)], color=_colour(i), linewidth=2.5)
        ax.set_ylabel(names[order], fontsize=_pt(FONT_PX), rotation=0, ha="right", va="center")
        _frame(ax, x0, xs, [values])
    axes[0].set_title(title, fontsize=_pt(TITLE_PX))
    axes[-1].set_xlabel("x", fontsize=_pt(FONT_PX))
    fig.tight_layout()
    return fig


def _frame(ax, x0, xs, series):
    ax.axvline(x0, color=palette.HIGHLIGHT_STROKE, linewidth=1.5)
    ax.axhline(0, color="#777777", linewidth=0.8)
    ax.tick_params(labelsize=_pt(SMALL_PX))
    ax.grid(alpha=0.3)
    limits = framed(xs, series, x0)
    if limits is not None:
        ax.set_ylim(*limits)


def framed(xs, series, x0, factor=5.0):
    """The y limits that frame x0's neighbourhood when far away the curves
    grow so much (`factor` times its range) that near x0 they would read as
    flat; None when the whole range reads well."""
    near, whole = _near(xs, series, x0), _near(xs, series, x0, everywhere=True)
    if near is None or whole is None:
        return None
    lo, hi = near
    if whole[1] - whole[0] <= factor * max(hi - lo, 1e-12):
        return None
    pad = 0.15 * (hi - lo) if hi > lo else max(1.0, abs(hi))
    return lo - pad, hi + pad


def _near(xs, series, x0, everywhere=False):
    """(low, high) of the values within an eighth of the window from x0 (or
    everywhere): a curve that grows far away is cut at the frame rather
    than flattening what happens at the point. None when none is finite."""
    import numpy as np

    xs = np.asarray(xs, dtype=float)
    inside = np.abs(xs - x0) <= (np.inf if everywhere else (xs[-1] - xs[0]) / 8)
    parts = [np.asarray(v, dtype=float)[inside] for v in series]
    values = np.concatenate(parts) if parts else np.array([])
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if values.size else None


def ranges_differ(xs, series, x0, factor=20.0):
    """Whether, near x0, one curve's largest |value| is `factor` times
    another's: on a shared axis the smaller one would read as a flat line."""
    spans = []
    for values in series:
        near = _near(xs, [values], x0)
        if near is not None and max(abs(near[0]), abs(near[1])) > 0:
            spans.append(max(abs(near[0]), abs(near[1])))
    return len(spans) > 1 and max(spans) > factor * min(spans)
