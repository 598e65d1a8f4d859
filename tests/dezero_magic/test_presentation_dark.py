"""QA session 21: JupyterLab's Presentation Mode and the Memory tab's bars in a dark theme.

- View > Presentation Mode enlarges the notebook's text (its themes set
  --jp-content-font-size1 from 14 to 17 px) and left the views at their
  fixed px, graphs smaller than the code beside them: a view now follows by
  CSS zoom, scoped to its own class, its figure box's heights re-set so it
  still ends above the status bar of a 1280x720 projector.
- L21-2/3: zoomed with the view, a drawing that fitted its box did not (the
  tour's 888-px `w` chain in an 816-px box, opened on its output end, the leaf
  w cut off) and a fitted one came out smaller: the figure box is zoomed back
  to 1, its heights (and a fitted drawing's) set under the view's zoomed controls.
- In JupyterLab Dark, the bars of "kept for backward" (#440154) and "data"
  (#3b528b) were 1.1:1 and 2.1:1 on the view's #212121: lighter tints there,
  the light theme's colours unchanged.
"""
import re
from pathlib import Path

import pytest

from dezero_magic.render import palette, screen
from dezero_magic.widgets import memory_tab, style

# JupyterLab's bars above and below a notebook (91 + 24 px at 1280x720) and a view's tab bar,
# toggles and note above its figure box (QA session 20: 152 px), drawn zoomed in a view.
LAB_TOP, STATUS_H, VIEW_CHROME = 91, 24, 152


def _lab_theme_css():
    import jupyterlab

    root = Path(jupyterlab.__file__).resolve().parents[4] / "share" / "jupyter" / "lab" / "themes"
    found = sorted(root.glob("@jupyterlab/theme-light-extension/index.css"))
    if not found:
        pytest.skip("JupyterLab's light theme CSS is not installed")
    return found[0].read_text()


def _rules(css):
    """(selector, body) of every plain rule in a <style> string."""
    return re.findall(r"([^{}]+)\{([^{}]*)\}", css.replace("<style>", "").replace("</style>", ""))


def test_the_zoom_is_jupyterlabs_presentation_ratio():
    css = _lab_theme_css()
    normal = float(re.search(r"--jp-content-font-size1:([\d.]+)px", css).group(1))
    presenting = float(re.search(r"--jp-content-presentation-font-size1:([\d.]+)px", css).group(1))
    zoom = [float(m) for m in re.findall(r"zoom:([\d.]+)", style.CSS)]
    # the view 17 / 14, its figure box back to 1 (the drawing as without the mode)
    assert zoom == [pytest.approx(presenting / normal, abs=1e-3), pytest.approx(normal / presenting, abs=1e-3)]
    assert zoom[0] * zoom[1] == pytest.approx(1, abs=1e-5)


def test_the_presentation_rules_touch_only_the_views():
    rules = [(sel, body) for sel, body in _rules(style.CSS) if "presentationMode" in sel]
    assert rules, "no CSS for JupyterLab's Presentation Mode"
    for selector, _ in rules:
        for one in selector.split(","):
            # (QA 23: the stepper's box, marked by its chrome, --dz-above)
            assert re.fullmatch(r'\s*\.jp-mod-presentationMode \.dz-view( \.dz-figure(\[style\*="--dz-above"\])?)?\s*',
                                one), one
    assert any("zoom:" in body for _, body in rules)


def _css_height(expr, screen_h):
    """A box height written with min/max/calc of vh and px, as a browser works it out."""
    py = re.sub(r"([\d.]+)vh", lambda m: f"({m.group(1)}*{screen_h}/100)", expr)
    py = py.replace("px", "").replace("calc", "")
    return eval(py, {"min": min, "max": max})   # only numbers, + - * / and min/max are left


@pytest.mark.parametrize("screen_h", [720, 768, 900, 1080])
def test_the_zoomed_box_ends_above_the_status_bar(screen_h):
    z = screen.PRESENTATION_ZOOM
    body = next(body for sel, body in _rules(style.CSS) if sel.strip().endswith(".dz-view .dz-figure")
                and "presentationMode" in sel)
    assert re.search(r"(^|;)\s*zoom:0\.82", body), body     # drawn at zoom 1: its px and vh are the screen's
    found = re.search(r"max-height:(.*?) !important", body).group(1)
    real = _css_height(found, screen_h)
    assert real == pytest.approx(screen.box_height(screen_h, z), abs=0.1)
    # under the view's zoomed chrome: above the status bar, and under 70 % of the screen
    assert LAB_TOP + z * VIEW_CHROME + real <= screen_h - STATUS_H + 0.5
    assert real <= 0.7 * screen_h + 0.5
    if screen_h == 720:
        assert real > 360        # (the box stays usable: 368 px, its drawing scrolls in it)
    # a stepper's kept height is held to the same box there (it was kept at 410 px, 498 px zoomed)
    assert "min-height:min(var(--dz-keep, 0px), " + found + ")" in body


def test_unzoomed_the_box_is_as_before():
    assert screen.BOX_MAX_H == "min(70vh, max(160px, calc(100vh - 310px)))"
    assert screen.box_height(720) == 410
    assert "--dz-keep:410px;min-height:min(410px, 70vh);" in style.figure("<svg></svg>", min_height=410)


def test_a_fitted_drawing_fits_the_zoomed_box():
    z = screen.PRESENTATION_ZOOM
    assert "max-height:var(--dz-fit-max-h, min(68vh, calc(100vh - 340px)));" in screen.FITTED_STYLE
    selector, body = next((sel, body) for sel, body in _rules(style.CSS) if "--dz-fit-max-h:" in body)
    assert selector.strip().endswith(".dz-view .dz-figure") and "zoom:0.82" in body   # set where px are real
    presenting = re.search(r"--dz-fit-max-h:([^;]*);", body).group(1)
    for screen_h in (720, 768, 1080):
        # under the Graph tab's zoomed controls (340 px unzoomed, JupyterLab's bars included)
        fitted = _css_height(presenting, screen_h)
        assert LAB_TOP + STATUS_H + z * (340 - LAB_TOP - STATUS_H) + fitted <= screen_h + 0.5
        # as tall as the room left allows (a shorter one is a smaller drawing than without the mode)
        assert fitted == pytest.approx(min(0.68 * screen_h, screen_h - LAB_TOP - STATUS_H
                                           - z * (340 - LAB_TOP - STATUS_H)), abs=0.1)


class _Fig:
    def bytes_of(self, key):
        return {"data": 8, "grads": 8000, "kept": 24000}[key]


def test_the_bars_take_the_dark_themes_tints_and_keep_the_light_colours():
    html = memory_tab._bars(_Fig(), 24000)
    for key, rgb in memory_tab.CATEGORY_COLOURS.items():
        light = "#%02x%02x%02x" % tuple(rgb)
        # the light theme's colour as before, inline; the class for the dark theme's rule
        assert re.search(f'<div style="background:{light};[^"]*" class="dz-bar-{key}">', html), key
    rules = dict((sel.strip(), body) for sel, body in _rules(style.CSS))
    for key, colour in style.DARK_BAR_COLOURS.items():
        selector = (f'body[data-jp-theme-light="false"] .dz-view .dz-bar-{key}, '
                    f"body.vscode-dark .dz-view .dz-bar-{key}")
        assert rules[selector] == f"background:{colour} !important;"
    assert not any(".dz-bar-" in sel and "light=\"false\"" not in sel and "vscode-dark" not in sel for sel in rules)


@pytest.mark.parametrize("background", ["#111111", "#212121"])   # JupyterLab Dark's layout colours 0 and 1
def test_every_bar_reaches_3_to_1_on_the_dark_theme(background):
    was = {key: "#%02x%02x%02x" % tuple(rgb) for key, rgb in memory_tab.CATEGORY_COLOURS.items()}
    shown = {**was, **style.DARK_BAR_COLOURS}
    assert sorted(k for k, c in was.items() if palette.contrast(c, background) < 3) == ["data", "kept"]
    for key, colour in shown.items():
        assert palette.contrast(colour, background) >= 3, (key, colour)
    # and told apart by lightness, not hue alone (teal 0.22, blue 0.36, lavender 0.54)
    lums = sorted(palette.luminance(c) for c in shown.values())
    assert all(b - a > 0.1 for a, b in zip(lums, lums[1:]))
