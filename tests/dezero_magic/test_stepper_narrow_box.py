"""QA 24 at 1024x768 with JupyterLab's file browser open (a ~552-px figure box):
the Backward stepper's window, drawn for a 780-px box, was shrunk to ~0.7 of its
size, its node text 6.7-8.3 px. Where the usual window would read below
MIN_SCALE there, a step's figure also holds a window drawn for the narrow box
(class dz-if-narrow), which a container query shows in a box narrower than
where the usual window's text falls below MIN_SCALE; wider boxes (~804 px at
1024x768, ~1,060 px at 1280x720) show what they did before."""
import re
import xml.etree.ElementTree as ET

import pytest

import dezero_magic.widgets.step_figure as step_figure
from dezero_magic.render.screen import MIN_SCALE, NARROW_BOX_PX, PRESENTATION_ZOOM
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_tab import BackwardView

from widget_html import run_traced

MATYAS = ('x = Variable(np.array(1.0), name="x")\ny = Variable(np.array(1.0), name="y")\n'
          "z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y\nz.backward()")
STEP_36 = ('x = Variable(np.array(2.0), name="x")\ny = x ** 2\ny.backward(create_graph=True)\n'
           "gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()")
LONG = "x = Variable(np.array(0.5), name='x')\ny = x\nfor _ in range(16):\n    y = F.sin(y)\ny.backward()"
# notebook 05's step 26 -v cell: its shapes make wide nodes
SHAPES = ('x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")\n'
          'y = Variable(np.random.default_rng(1).standard_normal((2, 3)), name="y")\n'
          'z = F.sum((x + y) * x - y ** 2)\nz.name = "z"')
CELLS = {"matyas": ("--retain-grad", MATYAS), "matyas-plain": ("", MATYAS), "step36": ("", STEP_36),
         "step36-tb": ("--rankdir TB", STEP_36), "long": ("", LONG), "shapes": ("-v -b z", SHAPES),
         "shapes-tb": ("-v -b z --rankdir TB", SHAPES), "matyas-tb": ("--rankdir TB", MATYAS)}
BOX = 552          # QA's box at 1024x768, the file browser open
NODE_FONT_PX = 14


def _drawings(html):
    """{class dz-if-*, or "": (root element, drawn scale)} of the figure's drawings."""
    found = {}
    for text in re.findall(r"<svg\b.*?</svg>", html, re.S):
        root = ET.fromstring(text)
        klass = next((c for c in root.get("class", "").split() if c.startswith("dz-if-")), "")
        found[klass] = root, float(root.get("width")) / float(root.get("viewBox").split()[2])
    return found


def _below(html):
    """The box width (px) under which the narrow drawing shows, from its query's scope."""
    return int(re.search(r'class="[^"]*\bdz-narrow-(\d+)\b', html).group(1))


def _text_px(root, scale, box, stretched=False):
    """Node text px of a drawing at `scale`, shown in a box `box` px wide: shrunk to the box
    (window_style: max-width:100%), or as wide as the box (the narrow one)."""
    width = float(root.get("width"))
    return NODE_FONT_PX * scale * (box / width if stretched else min(1.0, box / width))


def _key_top(root, scale, box, stretched=False):
    """px from the drawing's top to its colour key's band, shown in a box `box` px wide (`_text_px`)."""
    band = next(e for e in root.iter() if "dz-window-key-band" in e.get("class", ""))
    width = float(root.get("width"))
    shown = box / width if stretched else min(1.0, box / width)
    return (float(root.get("height")) - float(band.get("height")) * scale) * shown


def _steps(shell, flags, code):
    view = BackwardView(run_traced(shell, code, flags))
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        yield k, view.figure.value


@pytest.mark.parametrize("cell", list(CELLS))
def test_in_a_552_px_box_every_step_reads_at_9_px_or_more(shell, cell):
    narrowed = 0
    for k, html in _steps(shell, *CELLS[cell]):
        drawings = _drawings(html)
        root, scale = drawings.get("dz-if-cut") or drawings[""]
        usual_px = _text_px(root, scale, BOX)
        if "dz-if-narrow" not in drawings:
            assert usual_px >= NODE_FONT_PX * MIN_SCALE - 0.01, (cell, k, usual_px)
            continue
        narrow, narrow_scale = drawings["dz-if-narrow"]
        below = _below(html)
        # not shown in the 804-px box of 1024x768 without the file browser
        assert NARROW_BOX_PX < below <= float(root.get("width")) < 804, (cell, k, below)
        # shown where the usual window reads below MIN_SCALE (in QA's box, or from a little narrower)
        shown_px = _text_px(narrow, narrow_scale, BOX, stretched=True) if BOX < below else usual_px
        assert shown_px >= NODE_FONT_PX * MIN_SCALE - 0.01 and (BOX < below) == (usual_px < 8.96), (cell, k)
        assert _text_px(narrow, narrow_scale, NARROW_BOX_PX, stretched=True) >= NODE_FONT_PX * MIN_SCALE - 0.01
        narrowed += BOX < below
        assert float(narrow.get("width")) == NARROW_BOX_PX and "width:100%" in narrow.get("style")
        # as tall as the usual window in the narrowest box: the box keeps its height from step to step
        ratio = float(root.get("height")) / float(root.get("width"))
        assert float(narrow.get("height")) == pytest.approx(NARROW_BOX_PX * ratio, abs=1.0)
        # and its colour key where the usual window's is there (QA 19: a key that jumped from step to step)
        assert _key_top(narrow, narrow_scale, BOX, stretched=True) == pytest.approx(_key_top(root, scale, BOX), abs=1.0)
        # its query: the narrow drawing only, in a box narrower than `below`
        assert f"@layer dz-narrow{{.dz-narrow-{below} .dz-figure > svg.dz-if-narrow{{display:none}}" \
               f"@container (max-width:{below - 0.02:.2f}px){{.dz-narrow-{below} .dz-figure > svg{{display:none}}" \
               f".dz-narrow-{below} .dz-figure > svg.dz-if-narrow{{display:block}}}}" in html
        ids = [set(re.findall(r'\sid="([^"]+)"', ET.tostring(r, encoding="unicode"))) for r, _ in drawings.values()]
        assert len(ids) > 1 and not set.intersection(*ids), "the narrow drawing shares ids with another"
    if cell == "matyas-plain":
        assert narrowed >= 1     # QA: its step-4 window read at 7.6 px in a 552-px box


def test_only_the_steps_that_need_it_carry_a_narrow_window(shell):
    for k, html in _steps(shell, *CELLS["long"]):
        assert "dz-if-narrow" not in html and "dz-narrow-" not in html     # 9.9 px there already


def test_a_large_drawing_sends_no_narrow_window(shell, monkeypatch):
    monkeypatch.setattr(step_figure, "NARROW_MAX_CHARS", 1000)
    assert all("dz-if-narrow" not in html for _, html in _steps(shell, *CELLS["matyas-plain"]))


def test_in_presentation_mode_the_narrow_rule_is_measured_in_the_zoomed_container():
    html = style.figure('<svg class="dz-graph" width="780" height="300"></svg>', min_height=200,
                        narrow_svg='<svg class="dz-graph" width="540" height="208"></svg>', narrow_below=650)
    assert html.startswith('<div class="dz-narrow-650" style="container-type:inline-size">')
    assert html.count('class="dz-if-narrow dz-graph"') == 1
    # a 750-px box there is a 618-px container: the usual window is shown again from 650 px of box
    again = re.search(r"@container \(min-width:([\d.]+)px\) and \(max-width:649.98px\)\{(.*?\})\}", html)
    assert float(again.group(1)) == pytest.approx(650 / PRESENTATION_ZOOM, abs=0.01)
    assert ".jp-mod-presentationMode .dz-narrow-650 .dz-figure > svg.dz-if-narrow{display:none}" in again.group(2)
    # (undone there: in its own layer, revert-layer leaves the other rules of the figure to decide)
    assert ".jp-mod-presentationMode .dz-narrow-650 .dz-figure > svg:not(.dz-if-narrow){display:revert-layer}" \
        in again.group(2)
    # without a narrow drawing: no scope, as before
    assert "dz-narrow" not in style.figure('<svg class="dz-graph"></svg>', min_height=200)
