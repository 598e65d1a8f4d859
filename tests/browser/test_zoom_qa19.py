"""The Gradients and Memory tabs at 200 % browser zoom, in JupyterLab.

QA (session 19): at 200 % zoom (a 1280x800 screen read as 640x400 CSS px)
a wide table in the same HTML widget as the prose laid the prose out at the
table's width: lines cut off at the right, the result column out of reach.
Now the prose wraps at its box, and a table wider than the box scrolls
sideways in a box of its own. The Memory tab's chart is drawn at about the
size it is shown, its type 14 px or more. Screenshots go to
artifacts/zoom-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS

from dezero_magic.widgets.plots import SMALL_PX

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero
import dezero.functions as F
from dezero import Variable
"""
# A student's Cube whose backward is wrong, on a 2x3 input: the check waits for its button,
# then a six-column table with shape previews, a FAIL, and the "which backward" block.
CUBE = """\
%%dezero
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        return 2 * x * gy
w = Variable(np.array([[2.0, 1.5, -0.5], [0.25, 3.0, 1.0]]), name="w")
s = F.sum(Cube()(w))
s.backward()
"""
MODES = """\
%%dezero --modes
x = Variable(np.random.default_rng(0).standard_normal(1000), name="x")
y = F.sum(F.square(F.square(x)))
y.backward()
"""
CELLS = [SETUP, CUBE, MODES]

# Inside the visible HTML widgets of `root`: every element holding text of its own outside a
# table (the prose) that reaches past its widget's box or is cut by it, each table and its
# scroll box, and whether any widget's content is wider than the widget.
MEASURE = """(root) => {
    const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible';
    const widgets = [...root.querySelectorAll('.widget-html')].filter(shown);
    const wide = [], tables = [];
    let prose = 0;
    for (const w of widgets) {
        const box = w.getBoundingClientRect();
        const content = w.querySelector('.widget-html-content');
        if (content && content.scrollWidth > content.clientWidth + 1)
            wide.push(`content ${content.scrollWidth} > ${content.clientWidth}`);
        for (const el of w.querySelectorAll('*')) {
            if (!shown(el) || el.closest('table') || ['STYLE', 'IMG', 'svg'].includes(el.tagName)) continue;
            if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
            prose++;
            const r = el.getBoundingClientRect();
            if (r.right > box.right + 1 || r.left < box.left - 1 || el.scrollWidth > el.clientWidth + 1)
                wide.push(`${el.textContent.trim().slice(0, 40)}: ${Math.round(r.left)}-${Math.round(r.right)} `
                          + `in ${Math.round(box.left)}-${Math.round(box.right)}`);
        }
        for (const t of w.querySelectorAll('table')) {
            if (!shown(t)) continue;
            const s = t.parentElement, sr = s.getBoundingClientRect();
            tables.push({scroller: s.classList.contains('dz-scroll-x'), overflow: getComputedStyle(s).overflowX,
                         inside: sr.left >= box.left - 1 && sr.right <= box.right + 1,
                         table: Math.round(t.getBoundingClientRect().width), box: s.clientWidth,
                         text: t.textContent.slice(0, 30)});
        }
    }
    return {widgets: widgets.length, prose, wide, tables};
}"""


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "zoom", "zoom.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        lab_page.set_screen(page, 640, 400, False)      # 1280x800 at 200 % zoom
        yield page, notebook


def _check(page, output, name):
    found = output.evaluate(MEASURE)
    output.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"zoom-{name}.png"))
    assert found["widgets"] and found["prose"] > 3, found
    assert found["wide"] == [], found["wide"]
    assert found["tables"] and all(t["scroller"] and t["overflow"] == "auto" and t["inside"]
                                   for t in found["tables"]), found["tables"]
    return found


def test_the_gradients_prose_wraps_and_its_table_scrolls_at_200_percent(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 1)
    lab_page.open_tab(output, "Gradients")
    output.locator("button", has_text="check by running").filter(visible=True).first.click()
    expect(output.get_by_text("Run when you asked").filter(visible=True)).to_have_count(1, timeout=60_000)
    expect(output.locator(".dz-gradients-which").filter(visible=True)).to_have_count(1)
    found = _check(page, output, "gradients")
    leaves = next(t for t in found["tables"] if t["text"].startswith("variable"))
    assert leaves["table"] > leaves["box"] + 10, found["tables"]    # the six columns are wider than the box
    # it scrolls on its own, to the result column; the prose above it stays put
    scroller = output.locator(".dz-scroll-x", has=page.locator("th", has_text="result")).filter(visible=True)
    title = output.get_by_text("Gradient check", exact=True).filter(visible=True).first
    before = title.bounding_box()["x"]
    scroller.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
    assert scroller.evaluate("s => s.scrollLeft") > 0
    result = scroller.locator("td", has_text=re.compile("^FAIL")).first
    box, cell = scroller.bounding_box(), result.bounding_box()
    assert box["x"] - 1 <= cell["x"] and cell["x"] + cell["width"] <= box["x"] + box["width"] + 1
    assert title.bounding_box()["x"] == before


def test_the_memory_prose_wraps_and_its_chart_type_is_14_px_at_200_percent(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 2)
    lab_page.open_tab(output, "Memory")
    chart = output.locator(".dz-memory-measured img").filter(visible=True)
    expect(chart).to_have_count(1, timeout=30_000)
    _check(page, output, "memory")
    natural, shown = chart.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
    # the chart's smallest type (ticks, the bars' numbers) as shown: QA measured 10-12 px
    assert SMALL_PX * shown / natural >= 14, (natural, shown)
