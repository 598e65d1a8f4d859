"""QA session 22 on a lecture-hall projector (1280x720, and 1024x768 in
Presentation Mode), fixed in session 23 (the browser's side:
tests/browser/test_projector_p23.py):

- L22-D: "auto" drew most graphs top to bottom, and the 410-px box opened on
  their last 2-3 nodes; the scroll hint under a narrow one stood on three lines.
- B22-4: a drawing a little wider than its box at MIN_SCALE was cut, not shrunk.
- B22-2: the stepper's window was drawn for a 780-px box only, its note cut.
- L22-F: in Presentation Mode the stepper's box ran under the status bar.
"""
import re
import xml.etree.ElementTree as ET

from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.layout import NEAR_TIE, layout
from dezero_magic.render.focus import WIDE_WINDOW_W, WINDOW_W
from dezero_magic.render.screen import BOX_H, BOX_PX, MIN_SCALE, NEAR_FIT, NARROW_BOX_PX, first_view, whole_style
from dezero_magic.render.scroll_hint import SCROLL_HINT_FONT_PX, with_scroll_hint
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_tab import BackwardView
from dezero_magic.widgets.graph_tab import SCROLL_HINTS, GraphView
from dezero_magic.widgets.step_figure import WIDE_MAX_CHARS, chrome_above

from widget_html import run_traced, text_of

TOUR_MODES = ('x = Variable(np.random.default_rng(0).standard_normal(10_000), name="x")\n'
              "y = F.sum(F.square(F.square(F.square(x))))\ny.backward()")
STEP_22 = ('x = Variable(np.array(2.0), name="x")\n'
           'y = np.array(3.0) + 3.0 * x + 1.0 - x / 4 + (-x) ** 3\ny.name = "y"')
MATYAS = ('x = Variable(np.array(1.0), name="x")\ny = Variable(np.array(1.0), name="y")\n'
          "z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y\nz.backward()")
LONG = "x = Variable(np.array(0.5), name='x')\ny = x\nfor _ in range(16):\n    y = F.sin(y)\ny.backward()"


def _svgs(html):
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, re.S)]


# -- L22-D: the direction "auto" takes ------------------------------------------------------------

def test_the_tours_modes_graph_and_step_22_are_drawn_left_to_right_and_show_more_of_themselves(shell):
    for code, flags in ((TOUR_MODES, "--modes"), (STEP_22, "-b y")):
        t = run_traced(shell, code, flags)
        auto, tb = t.layout, layout(t.graph, "TB")
        assert auto.rankdir == "LR", (flags, auto.width, auto.height)    # was TB: 1,038 / 1,213 px tall
        # the box opens on more of it left to right than top to bottom (the box's 410 px of a column)
        assert first_view(auto.width, auto.height)[0] > 1.3 * first_view(tb.width, tb.height)[0]


def test_a_bushy_graph_is_drawn_top_to_bottom_and_rankdir_given_wins():
    # 12 inputs of one function: left to right a 12-node column taller than the box,
    # top to bottom a short row, shrunk to the box's width.
    g = Graph()
    g.variables["y"] = VarNode(id="y", label="y", generation=2, value="1")
    ins = []
    for i in range(12):
        g.variables[f"x{i}"] = VarNode(id=f"x{i}", label=f"x{i}", generation=0, value="0.5", leaf=True)
        g.variables[f"s{i}"] = VarNode(id=f"s{i}", label="", generation=1, value="0.48")
        g.functions[f"f{i}"] = FuncNode(id=f"f{i}", op="Sin", generation=0, inputs=[f"x{i}"], outputs=[f"s{i}"],
                                        order=i)
        ins.append(f"s{i}")
    g.functions["g"] = FuncNode(id="g", op="Stack", generation=1, inputs=ins, outputs=["y"], order=12)
    lr, tb = layout(g, "LR"), layout(g, "TB")
    assert first_view(tb.width, tb.height)[0] > NEAR_TIE * first_view(lr.width, lr.height)[0]
    assert layout(g, "auto").rankdir == "TB"
    assert layout(g, "LR").rankdir == "LR" and layout(g, "TB").rankdir == "TB"


def test_first_view_models_the_whole_style_shrink_to_the_box_width_only():
    assert first_view(BOX_PX, BOX_H) == (1.0, 1.0)
    share, scale = first_view(2 * BOX_PX, 100)          # shrunk to MIN_SCALE, still too wide
    assert scale == MIN_SCALE and abs(share - 1 / (2 * MIN_SCALE)) < 1e-9
    share, scale = first_view(300, 2 * BOX_H)           # never shrunk to the box's height
    assert scale == 1.0 and share == 0.5


def test_the_scroll_hint_under_a_narrow_drawing_is_two_lines_of_20_px_on_a_band_wider_than_it():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="331" height="1038" viewBox="0 0 331 1038" '
           f'class="dz-graph" data-rankdir="TB" style="{whole_style(331)}"></svg>')
    root = ET.fromstring(with_scroll_hint(svg, SCROLL_HINTS["TB"], "dz-if-cut"))
    text = root.find(".//{http://www.w3.org/2000/svg}text")
    assert len(list(text)) == 2 and float(text.get("font-size")) == SCROLL_HINT_FONT_PX    # was three lines
    width = float(root.get("width"))
    assert 331 < width <= NARROW_BOX_PX            # no box is narrower: the drawing is never shrunk for it
    assert whole_style(width) in root.get("style") and "max-width:331px" not in root.get("style")
    assert root.find(".//{http://www.w3.org/2000/svg}rect[@class='dz-scroll-hint-card']") is not None


# -- B22-4: a drawing a little too wide at MIN_SCALE --------------------------------------------

def test_a_drawing_a_little_too_wide_at_the_floor_is_shrunk_to_its_box_not_cut(shell):
    view = GraphView(run_traced(shell, MATYAS, "--retain-grad"))
    html = view.figure.value
    width = float(_svgs(html)[0].get("width"))
    fits = -(-(MIN_SCALE * width + 2) // 1)
    rule = re.search(r"@container \(min-width:(\d+)px\) and \(max-width:([\d.]+)px\)\{@media \(min-height:(\d+)px\)"
                     r"\{(.*?)\}\}", html)
    assert rule, html[:600]
    assert int(rule.group(1)) == -(-fits / NEAR_FIT // 1) and float(rule.group(2)) < fits
    assert int(rule.group(1)) <= 750 < fits        # QA: 792 px at MIN_SCALE in Presentation Mode's 750-px box
    assert "width:100% !important" in rule.group(4) and ".dz-if-cut{display:none}" in rule.group(4)
    # a drawing at its own size (large) is not shrunk
    view.large.value = True
    assert "max-width:" not in "".join(re.findall(r"and \(max-width:[^)]*\)", view.figure.value))


# -- B22-2 / L22-F: the stepper's window and box --------------------------------------------------

def test_matyas_is_stepped_whole_where_a_wide_box_holds_it_and_in_a_window_elsewhere(shell):
    t = run_traced(shell, MATYAS, "--retain-grad")
    view = BackwardView(t)
    html = view.figure.value
    window, whole = _svgs(html)
    assert "dz-if-cut" in window.get("class") and float(window.get("width")) <= WINDOW_W
    assert "dz-if-fits" in whole.get("class") and whole.get("viewBox").startswith("0 0 ")
    assert MIN_SCALE * t.layout.width <= WIDE_WINDOW_W
    assert re.search(r'<div class="dz-figure-note dz-if-cut"', html)      # the note: with the window only
    assert not set(re.findall(r'\sid="([^"]+)"', ET.tostring(window, encoding="unicode"))) & \
        set(re.findall(r'\sid="([^"]+)"', ET.tostring(whole, encoding="unicode")))


def test_a_long_graph_gets_a_window_for_the_wide_box_too(shell):
    t = run_traced(shell, LONG)
    assert MIN_SCALE * t.layout.width > WIDE_WINDOW_W
    view = BackwardView(t)
    for k in (1, view.slider.max):
        view.slider.value = k
        html = view.figure.value
        usual, wide = _svgs(html)
        assert float(usual.get("width")) <= WINDOW_W < float(wide.get("width")) <= WIDE_WINDOW_W
        assert f"@container (min-width:{WIDE_WINDOW_W}px)" in html
        assert "which this step pops" in text_of(html) and "nowrap" not in html.split("dz-figure-note")[1][:200]


def test_a_huge_drawing_sends_one_window(shell, monkeypatch):
    import dezero_magic.widgets.step_figure as step_figure

    monkeypatch.setattr(step_figure, "WIDE_MAX_CHARS", 1000)
    view = BackwardView(run_traced(shell, LONG))
    assert len(_svgs(view.figure.value)) == 1 and WIDE_MAX_CHARS > 1000


def test_the_stepper_box_is_shorter_in_presentation_mode_by_its_chrome():
    assert chrome_above(2) == 0 < chrome_above(4) < chrome_above(6)
    html = style.figure('<svg class="dz-graph"></svg>', above=40)
    assert '<div class="dz-figure" style="' in html and "--dz-above:40px" in html
    assert f".dz-figure{style.STEPPED} {{max-height:" in style.CSS and "var(--dz-above, 0px)" in style.CSS


def test_a_narrow_drawing_of_a_fractional_width_is_widened_for_its_hint_not_shrunk(shell):
    # (review W23-1: the style held max-width of the unrounded width, the band's widening looked for
    # the rounded one and changed nothing: width="540" with max-width:215px drew the graph at 0.40)
    shell.run_cell("import numpy as np\nimport dezero.functions as F\nfrom dezero import Variable")
    trace = run_traced(shell, "x = Variable(np.array(0.001234), name='x')\ny = x\nfor _ in range(12):\n"
                              "    y = F.exp(y * 0.1) * 1.5\n", "--rankdir TB")
    svg = GraphView(trace).figure.value
    root = re.search(r"<svg[^>]*>", svg[svg.index("<svg"):]).group(0)
    width = float(re.search(r'\swidth="([\d.]+)"', root).group(1))
    max_width = float(re.search(r"max-width:([\d.]+)px", root).group(1))
    assert max_width == width, root
    assert whole_style(214.64) == whole_style(215)
