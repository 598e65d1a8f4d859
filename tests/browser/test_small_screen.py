"""The views on a lecture-hall projector's screen, in JupyterLab.

QA found, at 1024x768 (and at 1280x720 with the file browser open, the same
~805-px figure box): the output node of a whole graph cut off on the right,
no "fit" toggle, the stepper's step 1 highlighting a function out of sight,
the toggles squeezed to "val...", and in JupyterLab Dark the explanations in
#111 on #212121. One notebook, written at test time into a temporary folder
under the server's root and removed afterwards, is run with Run All Cells;
each test then looks at what is on the screen (bounding boxes, computed
colours). Screenshots go to artifacts/small-screen-*.png.
"""
import re

import pytest
from playwright.sync_api import Error, expect

import lab_page
from lab_page import ARTIFACTS

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero.functions as F
from dezero import Variable
"""
# The tour's `-o t -b loss` cell: 1,431 px wide, drawn left to right.
TOUR_LOSS = """\
%%dezero -o t -b loss
w = Variable(np.array([[0.5, -1.0]]), name="w")
loss = F.sum(F.tanh(w) ** 2)
loss.name = "loss"
"""
# The tour's Matyas cell: 1,237 px, whose z was 124 px out of sight.
MATYAS = """\
%%dezero --retain-grad
x = Variable(np.array(1.0), name="x")
y = Variable(np.array(1.0), name="y")
z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y
z.name = "z"
z.backward()
"""
# 2,000 ops, drawn as the 300 nodes nearest the output: far wider than any screen.
LONG = """\
%%dezero -b y
x = Variable(np.array(0.5), name="x")
y = x
for i in range(1000):
    y = F.sin(y) + 0.5
y.name = "y"
"""
MODES = """\
%%dezero --modes
x = Variable(np.random.default_rng(0).standard_normal(1000), name="x")
y = F.sum(F.square(F.square(x)))
y.backward()
"""
CELLS = [SETUP, TOUR_LOSS, MATYAS, LONG, MODES]
OUTPUTS = {1: "loss", 2: "z", 3: "y"}
SCREENS = {"1024x768": (1024, 768, False), "1280x720-file-browser": (1280, 720, True)}

# Where `label`'s oval, or the highlighted function, lies against the visible figure box.
PLACE = """([figure, what]) => {
    const box = figure.getBoundingClientRect();
    let node = null;
    if (what === 'highlight') {
        node = [...figure.querySelectorAll('.dz-func.dz-highlight')].find(n => n.getBoundingClientRect().width > 0);
    } else {
        // (the stepper may hold two drawings, one per box width, and show one: the shown one's node)
        for (const g of figure.querySelectorAll('g.dz-var')) {
            const t = g.querySelector('title');
            if (t && t.textContent.split('\\n')[0] === what && g.getBoundingClientRect().width > 0) node = g;
        }
    }
    if (!node) return {found: false};
    const r = node.getBoundingClientRect();
    return {found: true, inside: r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                                 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
            box: [box.left, box.right, box.top, box.bottom], node: [r.left, r.right, r.top, r.bottom]};
}"""

# Text on the screen inside `root` whose computed colour has less contrast with
# what is behind it than WCAG asks (4.5:1; 3:1 for large text). SVG drawings
# (their own white card), images and disabled controls are left out.
LOW_CONTRAST = """(root) => {
    const parse = c => {
        const m = c && c.match(/rgba?\\(([^)]*)\\)/);
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
    const behind = el => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
        }
        let bg = [255, 255, 255, 1];
        for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
        return bg;
    };
    const lum = c => {
        const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const bad = [];
    let checked = 0;
    for (const el of root.querySelectorAll('*')) {
        if (el.closest('svg') || el.closest(':disabled') || el.tagName === 'IMG' || el.tagName === 'STYLE') continue;
        const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim());
        if (!own.length && el.tagName !== 'SELECT') continue;
        if (!el.getClientRects().length) continue;
        const cs = getComputedStyle(el);
        if (cs.visibility !== 'visible') continue;
        const bg = behind(el);
        const fg = over(parse(cs.color), bg);
        const [a, b] = [lum(fg), lum(bg)];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
        const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
        checked++;
        if (ratio < need) bad.push(`${(own[0] || el.tagName).slice(0, 40)}: ${ratio.toFixed(2)} (${cs.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
    }
    return {checked, bad};
}"""


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    """The page and the notebook after Run All Cells."""
    with lab_page.scratch_notebook_run(browser, lab_server, "small", "small_screen.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        yield page, notebook


def _screen(page, name):
    """Set the window to one of SCREENS, with the file browser open or closed."""
    lab_page.set_screen(page, *SCREENS[name])


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_output_node_of_a_whole_graph_is_in_its_box(ran, screen):
    page, notebook = ran
    _screen(page, screen)
    for index, label in OUTPUTS.items():
        output = lab_page.output_of_cell(notebook, index)
        lab_page.open_tab(output, "Graph")
        figure = lab_page.visible_figure(output)
        place = page.evaluate(PLACE, [figure.element_handle(), label])
        if index == 1:
            page.screenshot(path=str(ARTIFACTS / f"small-screen-{screen}-graph.png"))
        assert place["found"] and place["inside"], (screen, label, place)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_backward_step_1_highlights_a_function_in_the_box(ran, screen):
    page, notebook = ran
    _screen(page, screen)
    for index, label in OUTPUTS.items():
        output = lab_page.output_of_cell(notebook, index)
        lab_page.open_tab(output, "Backward")
        step = output.get_by_text(re.compile(r"Step \d+ of (the )?[\d,]+")).filter(visible=True).first
        expect(step).to_contain_text("Step 1 of", timeout=30_000)
        figure = lab_page.visible_figure(output)
        # (the stepper may hold two drawings, one per box width, and show one)
        expect(figure.locator(".dz-func.dz-highlight").filter(visible=True)).to_have_count(1, timeout=30_000)
        if index == 1:
            page.screenshot(path=str(ARTIFACTS / f"small-screen-{screen}-backward.png"))
        for what in ("highlight", label):   # the popped function, and the output it starts from
            place = page.evaluate(PLACE, [figure.element_handle(), what])
            assert place["found"] and place["inside"], (screen, index, what, place)


def _node_text_px(output):
    """The tallest node label's rendered height, px (the figure is redrawn on every
    toggle: a figure replaced between finding and reading it is read again)."""
    script = ("f => Math.max(...[...f.querySelectorAll('svg.dz-graph g.dz-var text')].map(t => "
              "t.getBoundingClientRect().height))")
    for attempt in range(3):
        try:
            return lab_page.visible_figure(output).evaluate(script)
        except Error:
            if attempt == 2:
                raise
    return None


def test_fit_is_offered_and_the_toggles_keep_their_words(ran):
    page, notebook = ran
    _screen(page, "1024x768")
    for index in (1, 3):
        output = lab_page.output_of_cell(notebook, index)
        lab_page.open_tab(output, "Graph")
        fit = output.locator("button", has_text=re.compile(r"^\s*fit\s*$")).filter(visible=True)
        expect(fit).to_have_count(1)
        for word in ("values", "grads", "shapes", "fit", "large"):
            button = output.locator("button", has_text=word).filter(visible=True).first
            cut = button.evaluate("b => b.scrollWidth > b.clientWidth + 1 || "
                                  "[...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)")
            assert not cut, (index, word)
        box = output.locator(".widget-tab-contents, .lm-TabPanel-stackedPanel, .p-TabPanel-stackedPanel") \
            .first.bounding_box()
        picker = output.locator("select").filter(visible=True).first.bounding_box()
        assert picker["x"] + picker["width"] <= box["x"] + box["width"] + 1, "the node picker is cut off"
        fit.first.click()
        expect(output.get_by_text("shrunk to fit").first).to_be_visible(timeout=30_000)
        figure = lab_page.visible_figure(output)
        place = page.evaluate(PLACE, [figure.element_handle(), OUTPUTS[index]])
        assert place["found"] and place["inside"], place
        fit.first.click()
        expect(output.get_by_text("shrunk to fit").filter(visible=True)).to_have_count(0, timeout=30_000)
        # "large": node text to read from the back of the hall (shrunk to the box it was ~9-11 px)
        large = output.locator("button", has_text=re.compile(r"^\s*large\s*$")).filter(visible=True)
        before = _node_text_px(output)
        large.first.click()
        expect(output.get_by_text("1.5 times larger").first).to_be_visible(timeout=30_000)
        after = _node_text_px(output)
        assert after >= 1.4 * before and after >= 16, (index, before, after)
        large.first.click()


def test_the_picked_output_of_a_long_graph_is_in_the_box(ran):
    page, notebook = ran
    _screen(page, "1024x768")
    output = lab_page.output_of_cell(notebook, 3)
    lab_page.open_tab(output, "Graph")
    select = output.locator("select").filter(visible=True).first
    # ipywidgets writes the labels with no-break spaces
    label = next(o for o in select.locator("option").all_text_contents()
                 if o.replace("\xa0", " ").startswith(("variable y =", "variable y (")))
    select.select_option(label=label)
    expect(output.locator(".dz-figure svg .dz-picked")).to_have_count(1, timeout=30_000)
    figure = lab_page.visible_figure(output)
    place = page.evaluate(PLACE, [figure.element_handle(), "y"])
    assert place["found"] and place["inside"], place
    select.select_option(index=0)


def test_the_memory_tab_shows_the_measured_table_once(ran):
    page, notebook = ran
    _screen(page, "1280x720-file-browser")
    output = lab_page.output_of_cell(notebook, 4)
    tables = output.locator("table", has_text="peak").filter(visible=True)
    lab_page.open_tab(output, "Graph")
    expect(tables).to_have_count(1)           # the caption's copy: what an export keeps
    lab_page.open_tab(output, "Memory")
    expect(output.locator(".dz-memory-measured img").filter(visible=True)).to_have_count(1, timeout=30_000)
    expect(tables).to_have_count(1)
    assert output.locator(".dz-memory-measured table", has_text="peak").filter(visible=True).count() == 1


def _theme(page, name):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{name}$")).click()
    light = "true" if "Light" in name else "false"
    expect(page.locator(f'body[data-jp-theme-light="{light}"]')).to_have_count(1, timeout=30_000)
    page.wait_for_timeout(500)    # the theme's stylesheet is swapped in


def _contrast(page, output, tabs):
    problems, checked = [], 0
    for title in tabs:
        lab_page.open_tab(output, title)
        page.wait_for_timeout(300)
        found = output.evaluate(LOW_CONTRAST)
        checked += found["checked"]
        problems += [f"{title}: {b}" for b in found["bad"]]
    return checked, problems


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_the_views_text_is_readable_in_the_theme(ran, theme):
    page, notebook = ran
    _screen(page, "1280x720-file-browser")
    try:
        _theme(page, theme)
        output = lab_page.output_of_cell(notebook, 1)
        checked, problems = _contrast(page, output, ("Graph", "Backward", "Gradients", "Memory"))
        modes = lab_page.output_of_cell(notebook, 4)
        more, worse = _contrast(page, modes, ("Memory",))
        lab_page.open_tab(output, "Backward")
        output.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"small-screen-{theme.split()[-1].lower()}.png"))
        assert checked + more > 40        # the step text, queue, caption, labels, tables ...
        assert problems + worse == [], "\n".join(problems + worse)
    finally:
        if theme != "JupyterLab Light":
            _theme(page, "JupyterLab Light")   # the server's settings are shared with later tests
    assert lab_page.widget_failures(notebook) == []
    assert lab_page.relevant_console_errors(page.console_errors) == []
