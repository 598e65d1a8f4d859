"""Projector styling shared by the views: large type, dark ink on white,
colours from `render.palette` (colour-blind safe). CSS only — the views are
standard ipywidgets controls, no custom JavaScript.

Text takes JupyterLab's theme colours where there are any (the fallbacks
are for front ends without them): in JupyterLab Dark, #111 ink sat on
#212121 (1.2:1). The graph itself keeps its own white card.
"""
import re

from dezero_magic.render import palette
from dezero_magic.render.escape import esc
from dezero_magic.render.screen import (BOX_MAX_H, NEAR_FIT, PRESENTATION_ZOOM, box_max_h, end_first,
                                       fitted_max_h, stepper_max_h)

FONT_PX = 16
INK = "var(--jp-content-font-color0, #111111)"
MUTED = "var(--jp-content-font-color1, #333333)"
# The palette's warning brown reads on white (5:1) but not on a dark theme (3.9:1 on #111):
# CSS below swaps in its light orange there.
WARNING_INK = f"var(--dz-warning-ink, {palette.WARNING_STROKE})"
VIEW_CLASS = "dz-view"
# The Memory tab's bars (memory_tab.CATEGORY_COLOURS) on a dark theme: the scale's dark purple
# and blue were 1.2:1 and 2.5:1 on its #111 (WCAG asks 3:1 of a graphic). Lighter tints of the
# same hues, 10.6:1 and 7.5:1 there; the teal between them (4.9:1) stays.
DARK_BAR_COLOURS = {"kept": "#d4b5f5", "data": "#7fa3e6"}
# The dark themes: JupyterLab's (it marks the body) and VS Code's.
_DARK_BODIES = ('body[data-jp-theme-light="false"]', "body.vscode-dark")
_DARK = ", ".join(f"{body} .{VIEW_CLASS}" for body in _DARK_BODIES)
# (!important: a bar's light colour is inline)
DARK_BARS = "".join(", ".join(f"{body} .{VIEW_CLASS} .dz-bar-{key}" for body in _DARK_BODIES)
                    + f" {{background:{colour} !important;}}" for key, colour in DARK_BAR_COLOURS.items())

AT_END = "dz-at-end"
# Text kept to one line, cut with an ellipsis (widgets.backward_queue: the stepper's step lines
# and its window's note). contain:inline-size: a line's whole length is not its widget's least
# width (a flex item): the Matyas window's 1,157-px note widened the box above it past the
# screen's edge, and was cut mid-word with no ellipsis (QA session 21).
ONE_LINE_CLASSES = ("dz-step-line", "dz-figure-note")
# An inactive control's ink: JupyterLab's (light: 4.6:1 on white; dark: 5.7:1 on #111), else 4.5:1 on white.
AT_END_INK = "var(--jp-ui-font-color2, #767676)"
SCROLL_X = "dz-scroll-x"   # a table's sideways-scrolling box (`scroll_x`)
# Every control in a view that takes keyboard focus: ipywidgets' buttons and toggles (the Play's
# too), the picker's select, the slider's handle, the tabs, and the figure's and tables' scroll boxes.
_FOCUSABLE = ", ".join(f".{VIEW_CLASS} {c}:focus-visible" for c in (
    ".jupyter-button", ".widget-dropdown select", ".noUi-handle", ".lm-TabBar-tab", ".dz-figure", f".{SCROLL_X}"))
# JupyterLab 4 runs none of its key bindings (command mode: arrows move to other cells, `a`
# adds one, `d d` deletes one) for a key pressed inside an element with this attribute; so the
# arrow keys scroll a focused figure box instead. Only on our own HTML: ipywidgets' controls
# render their DOM themselves.
SUPPRESS_SHORTCUTS = 'data-lm-suppress-shortcuts="true"'

# JupyterLab's View > Presentation Mode (a class on its shell) enlarges the notebook's text by
# PRESENTATION_ZOOM and left the views as they were, their graphs smaller than the code beside
# them. CSS zoom, not font sizes: it scales the controls (their type set inline by ipywidgets),
# the HTML and the PNG charts by the one ratio. The figure box is zoomed back to 1: zoomed, a
# drawing sized to fit the box no longer did (QA: the tour's 888-px `w` chain overflowed an
# 816-px box and opened scrolled to its end, the leaf w cut off) and a fitted one came out
# smaller than without the mode. Its heights are set for the view's zoomed controls above it
# (`render.screen.box_max_h`), so it still ends above the status bar; --dz-keep is the
# stepper's kept height (`figure`), --dz-fit-max-h a fitted drawing's (`render.screen.FITTED_STYLE`).
_PRESENTING = f".jp-mod-presentationMode .{VIEW_CLASS}"
NARROW_CLASS = "dz-if-narrow"   # the stepper's drawing for a narrow box (`figure`'s `narrow_svg`)
NEAR_CLASS = "dz-near-fit"   # a figure whose drawing shrinks a little below MIN_SCALE to fit (`figure`)
STEPPED = '[style*="--dz-above"]'   # the stepper's box, under more chrome than the Graph tab's (`figure`'s `above`)
PRESENTATION_CSS = (
    f"{_PRESENTING} {{zoom:{PRESENTATION_ZOOM:.6f};}}"
    f"{_PRESENTING} .dz-figure {{zoom:{1 / PRESENTATION_ZOOM:.6f}; "
    f"--dz-fit-max-h:{fitted_max_h(PRESENTATION_ZOOM)}; max-height:{box_max_h(PRESENTATION_ZOOM)} !important; "
    f"min-height:min(var(--dz-keep, 0px), {box_max_h(PRESENTATION_ZOOM)}) !important;}}"
    f"{_PRESENTING} .dz-figure{STEPPED} {{max-height:{stepper_max_h(PRESENTATION_ZOOM)} !important; "
    f"min-height:min(var(--dz-keep, 0px), {stepper_max_h(PRESENTATION_ZOOM)}) !important;}}"
)

# Scoped to the view's own class so nothing else in the notebook changes.
CSS = (
    "<style>"
    f".{VIEW_CLASS} .widget-button, .{VIEW_CLASS} .widget-toggle-button, "
    f".{VIEW_CLASS} .widget-label, .{VIEW_CLASS} .widget-readout, "
    f".{VIEW_CLASS} .widget-dropdown select, .{VIEW_CLASS} .widget-inline-hbox .widget-label, "
    f".{VIEW_CLASS} .lm-TabBar-tab {{font-size:{FONT_PX}px; color:{INK};}}"
    f".{VIEW_CLASS} .widget-button, .{VIEW_CLASS} .widget-toggle-button {{height:auto; min-height:34px;}}"
    # ipywidgets' own rule for the tab labels outranks the one above: 4.4:1 on a projector
    f".{VIEW_CLASS}.jupyter-widgets.jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab {{color:{MUTED};}}"
    f".{VIEW_CLASS}.jupyter-widgets.jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab.lm-mod-current {{color:{INK};}}"
    f"{_DARK} {{--dz-warning-ink:{palette.WARNING_FILL};}}"
    + ", ".join(f".{VIEW_CLASS} .{c}" for c in ONE_LINE_CLASSES) + " {contain:inline-size;}"
    + DARK_BARS + PRESENTATION_CSS +
    # QA: the focus was ipywidgets' 1-px #64b5f6 outline (2.2:1 on white), and none on the
    # picker: a 3-px outline in the text's ink (black on the light theme: 21:1 on white,
    # 11:1 on the toggles' darkest grey; light on the dark theme). It reaches 2 px out, the
    # controls' margin: further, the boxes around them (overflow:auto) cut it off; the
    # figure's box, flush with its widget, has it inside. !important: ipywidgets' own :focus
    # rules are as specific and may come later.
    f"{_FOCUSABLE} {{outline:3px solid {INK} !important; outline-offset:-1px !important;}}"
    f".{VIEW_CLASS} .dz-figure:focus-visible, .{VIEW_CLASS} .{SCROLL_X}:focus-visible "
    "{outline-offset:-3px !important;}"
    # A stepper button at its end (step 1, the last step) does nothing but keeps its focus
    # (stepper_controls.mark_ends): drawn inactive, still readable (#767676: 4.5:1 on white).
    # Its label greyed too: in the text's near-black, next ▶ read as live at the last step (QA 21).
    f".{VIEW_CLASS} .widget-button.{AT_END} {{background:transparent; box-shadow:none; "
    f"border:1px dashed {AT_END_INK}; color:{AT_END_INK}; cursor:default;}}"
    "</style>"
)


def block(inner_html, *, title=None, klass=""):
    """A panel of already-escaped HTML in projector type; `title` is escaped here.
    Its prose wraps at the box's width (a word longer than a line is broken);
    a table in it scrolls on its own (`scroll_x`)."""
    head = f'<div style="font-weight:bold;margin-bottom:4px">{esc(title)}</div>' if title else ""
    return (f'<div class="{esc(klass)}" style="font-size:{FONT_PX}px;line-height:1.45;color:{INK};'
            f'overflow-wrap:break-word;font-family:DejaVu Sans, Helvetica, Arial, sans-serif">{head}{inner_html}</div>')


def scroll_x(inner_html):
    """`inner_html` (a table) in a box as wide as the panel that scrolls sideways
    when it is wider. QA at 200 % zoom (a 640-px window): a wide table widened
    the whole HTML widget (a flex item grows to its content's min-content
    width), its prose was laid out at the table's width and cut off at the
    right, the result column out of reach. contain:inline-size: the box does
    not widen what it is in. The arrow keys scroll it once it has the focus."""
    return (f'<div class="{SCROLL_X}" style="overflow-x:auto;max-width:100%;contain:inline-size" '
            f'{SUPPRESS_SHORTCUTS}>{inner_html}</div>')


def live(inner_html):
    """`inner_html` in a polite live region: a screen reader reads it out when it changes
    (the step text after next ▶; QA: nothing was said, the focus stays on the button)."""
    return f'<div role="status" aria-live="polite" aria-atomic="true">{inner_html}</div>'


class Alarm(str):
    """A table cell's text that must stand out (a wrong grad): `table` writes it as `warning`."""


def table(rows, header=None):
    """An HTML table in its own sideways-scrolling box (`scroll_x`); every cell
    is escaped here. rows: sequences of values (an Alarm is drawn in the
    warning colour, bold)."""
    cell = 'style="padding:2px 12px 2px 0;text-align:left;vertical-align:top;border-bottom:1px solid #ccc"'
    head = ""
    if header:
        head = "<tr>" + "".join(f'<th scope="col" {cell}>{esc(h)}</th>' for h in header) + "</tr>"

    def td(v):
        return f"<td {cell}>{warning(v) if isinstance(v, Alarm) else esc(v)}</td>"

    # Without a header it is a list of (name, value) pairs: the name heads its row for a screen reader.
    key = cell.replace('style="', 'style="font-weight:normal;')
    body = "".join("<tr>" + (f'<th scope="row" {key}>{esc(row[0])}</th>' + "".join(map(td, row[1:]))
                             if not header and len(row) == 2 else "".join(map(td, row))) + "</tr>" for row in rows)
    return scroll_x(f'<table style="border-collapse:collapse;font-size:{FONT_PX}px">{head}{body}</table>')


def warning(text):
    """Escaped text in the palette's warning colour, bold (not colour alone)."""
    return f'<span style="color:{WARNING_INK};font-weight:bold">{esc(text)}</span>'


def badge(text):
    """Escaped text marked like an accumulated grad in the SVG."""
    return (f'<span style="background:{palette.MARK_STROKE};color:#ffffff;font-weight:bold;'
            f'padding:0 6px;border-radius:4px">{esc(text)}</span>')


def figure(svg, note=None, *, fits_from=None, fits_note=None, cut_svg=None, min_height=None, cut_first=False,
           above=None, narrow_svg=None, narrow_below=None):
    """The SVG in a scrolling box, so a wide graph never widens the notebook;
    at most 70 % of the screen's height, so the page around it can still be
    scrolled (a taller box caught the wheel on a 720-px projector), and on a
    short screen no taller than what shows under the view's controls
    (`render.screen.BOX_MAX_H`). A graph
    larger than its box shows its output end first (`render.screen`). `note`
    (escaped here) is said above it.

    `fits_from`: (box width, screen height) in px from which the drawing
    fits its box whole. The kernel never learns the box's width, so the
    browser decides (a CSS container query, no JavaScript): from there on,
    `note` (said of a drawing that may be cut off) is hidden and
    `fits_note`, if any, is said instead. `cut_svg` (with `fits_from`): the
    drawing shown instead of `svg` where it does not fit (a window around
    the node that matters; its ids must differ from `svg`'s). `min_height`
    (px): the box keeps at least that height (up to 70 % of the screen),
    over its short-screen max-height: a stepper's windows are drawn to be
    seen whole (QA: the box cut x off notebook 05's step-36 window at
    1024x768), so only the Graph tab's box is held to a short screen.
    `cut_first`: `cut_svg` comes first in the HTML (the stepper's usual window,
    what a reader of the HTML finds first; the browser shows one either way).
    `above` (px): the view's chrome over the box beyond the Graph tab's (the
    stepper's), by which its box is shorter in Presentation Mode. `narrow_svg` (with `narrow_below`,
    px): the drawing shown instead of the others in a box narrower than that (`_narrow_rule`)."""
    flow = end_first(_rankdir(svg))
    if cut_svg is not None and fits_from is not None:
        pair = (_with_class(svg, "dz-if-fits"), _with_class(cut_svg, "dz-if-cut"))
        svg = "".join(pair[::-1] if cut_first else pair)
    if narrow_svg is not None:
        svg += _with_class(narrow_svg, NARROW_CLASS)
    # contain:inline-size: a drawing wider than the box (large) scrolls in it, and does not
    # widen the widgets around it (QA: the whole Graph tab scrolled sideways, its toggles,
    # picker and note out of sight, the box 1,588 px wide in an 812-px page)
    keep = f"--dz-keep:{min_height:.0f}px;min-height:min({min_height:.0f}px, 70vh);" if min_height else ""
    keep += f"--dz-above:{above:.0f}px;" if above else ""
    box = (f'<div class="dz-figure" style="overflow:auto;max-width:100%;max-height:{BOX_MAX_H};{keep}display:flex;'
           f'contain:inline-size;flex-direction:{flow};align-items:flex-start" {SUPPRESS_SHORTCUTS}>{svg}</div>')
    narrow = "" if narrow_svg is None else f"dz-narrow-{int(-(-narrow_below // 1))}"
    if narrow and fits_from is None:
        return (f'<div class="{narrow}" style="container-type:inline-size"><style>{_narrow_rule(narrow)}</style>'
                f'{_figure_note(note)}{box}</div>')
    if fits_from is None or not (note or cut_svg is not None):
        return _figure_note(note) + box
    width, height = (int(-(-v // 1)) for v in fits_from)   # rounded up
    scope = f"dz-fits-{width}-{height}"
    # QA: "If this graph is cut off..." stood over graphs that fit the wide boxes whole
    fits = (f".{scope} .dz-if-cut{{display:none}}.{scope} .dz-if-fits{{display:block}}"
            # a hidden scroll hint's band out of view (render.scroll_hint); a reversed flex
            # box (style: end_first) cannot scroll to what lies past its start
            f".{scope} .dz-hinted-lr{{margin-top:var(--dz-hint-pull)}}"
            f".{scope} .dz-hinted-tb{{margin-bottom:var(--dz-hint-pull)}}")
    queries = (f"@container (min-width:{width}px){{@media (min-height:{height}px){{{fits}}}}}"
               + ("" if cut_svg is not None else _near_fit_rule(svg, scope, width, height, fits)))
    near = NEAR_CLASS in queries
    rule = (f"<style>.{scope} .dz-if-fits{{display:none}}{queries}{_presenting(queries, scope)}"
            f"{_narrow_rule(narrow) if narrow else ''}</style>")
    notes = _figure_note(note, "dz-if-cut") + (_figure_note(fits_note, "dz-if-fits") if fits_note else "")
    klass = " ".join(filter(None, (scope, NEAR_CLASS if near else "", narrow)))
    return f'<div class="{klass}" style="container-type:inline-size">{rule}{notes}{box}</div>'


def _near_fit_rule(svg, scope, width, height, fits):
    """CSS that shows a drawing shrinkable to its box (render.screen.whole_style) whole,
    shrunk a little below MIN_SCALE, in a box up to NEAR_FIT times narrower than `width`
    (where it fits at MIN_SCALE): QA 22 in Presentation Mode at 1024x768, Matyas' graph
    (792 px at MIN_SCALE) was cut at the left edge of a 750-px box, x and y read "ad 0.04".
    Not where the figure has a drawing for a narrower box (the stepper's window: larger)."""
    root = _ROOT.search(svg)
    if not root or "width:max(100%" not in root.group(0):
        return ""   # a window or a "large" drawing: drawn at its own size
    least = int(-(-width / NEAR_FIT // 1))
    # (its own class: a <style> applies to the whole page, and a stepper's figure of the same
    # scope, which has a window for a narrower box, showed the whole graph shrunk instead)
    near = f".{scope}.{NEAR_CLASS} "
    return (f"@container (min-width:{least}px) and (max-width:{width - 0.02:.2f}px){{"
            f"@media (min-height:{height}px){{{fits.replace(f'.{scope} ', near)}"
            f"{near}.dz-figure > svg{{width:100% !important}}}}}}")


def _narrow_rule(scope):
    """CSS that shows a figure's drawing of class NARROW_CLASS, and no other, where its box is
    narrower than the px its `scope` (dz-narrow-<px>) names. In Presentation Mode the query
    measures the zoomed container (`_presenting`): a box from px to PRESENTATION_ZOOM times that
    matches it too, and there the rule is undone. In a layer of its own, it overrides no
    other rule of the figure: undone (revert-layer), the box shows what it did without it."""
    width = int(scope.rsplit("-", 1)[1])
    drawn = f".{scope} .dz-figure > svg"
    narrow, presenting = f"{drawn}.{NARROW_CLASS}", ".jp-mod-presentationMode "
    upto = f"(max-width:{width - 0.02:.2f}px)"
    return (f"@layer dz-narrow{{{narrow}{{display:none}}"
            f"@container {upto}{{{drawn}{{display:none}}{narrow}{{display:block}}}}"
            f"@container (min-width:{width / PRESENTATION_ZOOM:.2f}px) and {upto}{{"
            f"{presenting}{narrow}{{display:none}}{presenting}{drawn}:not(.{NARROW_CLASS}){{display:revert-layer}}}}}}")


def _presenting(queries, scope):
    """`queries` (container queries in the figure box's px) for Presentation Mode, where the
    container is zoomed PRESENTATION_ZOOM times and its box back to 1: a query measures the
    container in its own px (QA 23: 618 of them for a 750-px box at 1024x768)."""
    scaled = re.sub(r"\((min|max)-width:([\d.]+)px\)",
                    lambda m: f"({m.group(1)}-width:{float(m.group(2)) / PRESENTATION_ZOOM:.2f}px)", queries)
    return re.sub(rf"\.{scope}[ .]", lambda m: ".jp-mod-presentationMode " + m.group(0), scaled)


def _with_class(svg, klass):
    """`svg` with `klass` added to its root's class attribute."""
    return re.sub(r'^(<svg\b[^>]*?\sclass=")', lambda m: m.group(1) + klass + " ", svg, count=1)


def _figure_note(note, klass=""):
    if not note:
        return ""
    return (f'<div class="dz-figure-note{" " + klass if klass else ""}" style="font-size:{FONT_PX}px;'
            f'color:{MUTED};margin:2px 0 4px;overflow-wrap:anywhere">{esc(note)}</div>')


_ROOT = re.compile(r"<svg\b[^>]*>")
_RANKDIR = re.compile(r'\sdata-rankdir="([A-Z]+)"')


def _rankdir(svg):
    """The drawing's rankdir, from its root tag (render.svg writes it); LR if unsaid."""
    root = _ROOT.search(svg)
    found = _RANKDIR.search(root.group(0)) if root else None
    return found.group(1) if found else "LR"


class Kit:
    """Layout and style models shared by the widgets of one view. ipywidgets
    otherwise makes a Layout model and a style model for every control: two
    thirds of a view's models. Per view (not global), so closing a view
    closes them with it (`lifecycle.close_view`)."""

    def __init__(self):
        self._made = {}

    def _one(self, name, make):
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    @property
    def layout(self):
        return self._one("layout", _widgets().Layout)

    @property
    def fixed(self):
        """Keeps its size in a row that shrinks (the stepper's buttons: QA saw "◀" and "n")."""
        return self._one("fixed", lambda: _widgets().Layout(flex="0 0 auto"))

    @property
    def html(self):
        return self._one("html", _style_of("HTML"))

    @property
    def toggle(self):
        return self._one("toggle", lambda: _style_of("ToggleButton")(font_size=f"{FONT_PX}px"))

    @property
    def button(self):
        return self._one("button", lambda: _style_of("Button")(font_size=f"{FONT_PX}px"))

    @property
    def description(self):
        return self._one("description", _style_of("Dropdown"))


def _widgets():
    import ipywidgets  # here, so the CSS helpers above need no ipywidgets

    return ipywidgets


def _style_of(widget_name):
    """The style model class a control uses (not every one is exported by name)."""
    return getattr(_widgets(), widget_name).class_traits()["style"].klass
