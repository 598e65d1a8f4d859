"""A lecturer's projector (1024x768, JupyterLab's file browser open or
closed), in JupyterLab: what QA found cut off or out of reach.

- The Backward stepper's window holds the popped function and both ends of
  every highlighted edge (tour §3 step 5: x, which gets "grad -0.48", was off
  the box's left edge; notebook 05's step-36 cell: z below the box at step 1,
  x 500 px above it at step 6).
- "large" scrolls the figure box alone, not the whole Graph tab.
- Where the box is narrowest (~550 px), "fit" is offered and shows the whole
  graph, and the grad scale is not cut.
- --modes opens on the Memory tab; the book-order table's WRONG stands out.
- "If this graph is cut off" is said only where the box cuts the graph off
  (it stood over graphs that a 1280-px screen's box showed whole).

One scratch notebook is run with Run All Cells; screenshots go to
artifacts/lecture-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import math
import numpy as np
import dezero.functions as F
from dezero import Variable
"""
TOUR_1 = """\
%%dezero -b y
x = Variable(np.array(0.5), name="x")
y = F.tanh(x) * x ** 2 + F.exp(x)
y.name = "y"
"""
MATYAS = """\
%%dezero --retain-grad
x = Variable(np.array(1.0), name="x")
y = Variable(np.array(1.0), name="y")
z = 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y
z.backward()
"""
STEP_36 = """\
%%dezero
x = Variable(np.array(2.0), name="x")
y = x ** 2
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
z = gx ** 3 + y
z.backward()
"""
TOUR_LOSS = """\
%%dezero -o t -b loss
w = Variable(np.array([[0.5, -1.0]]), name="w")
loss = F.sum(F.tanh(w) ** 2)
loss.name = "loss"
"""
MODES = """\
%%dezero --modes
x = Variable(np.random.default_rng(0).standard_normal(1000), name="x")
y = F.sum(F.square(F.square(x)))
y.backward()
"""
DIAMOND = """\
%%dezero
x = Variable(np.array(2.0), name="x")
a = F.square(x)
b = F.square(a)
c = F.square(a)
y = b + c
y.backward()
"""
CELLS = [SETUP, TOUR_1, MATYAS, STEP_36, TOUR_LOSS, MODES, DIAMOND]
SCREENS = {"1024x768": (1024, 768, False), "1024x768-file-browser": (1024, 768, True),
           "1280x800": (1280, 800, False)}

# The nodes of the current step (the highlighted function, both ends of each highlighted
# edge) that are not wholly inside the visible figure box and not named by an on-screen
# label at the window's edge (`beyond`: ends left out, as step 36's x at its last step).
STEP_NODES_OUT = """(figure) => {
    const box = figure.getBoundingClientRect();
    // the drawing shown (the stepper may hold the whole graph and a window, one of them hidden)
    const svg = [...figure.querySelectorAll('svg.dz-graph')].find(s => s.getClientRects().length > 0);
    const ids = new Set();
    for (const g of svg.querySelectorAll('.dz-func.dz-highlight')) ids.add(g.dataset.nodeId);
    for (const e of svg.querySelectorAll('.dz-edge.dz-highlight')) { ids.add(e.dataset.src); ids.add(e.dataset.dst); }
    const out = [], beyond = [];
    const inside = r => r && r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
        && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
    for (const id of ids) {
        const g = [...svg.querySelectorAll('g.dz-node')].find(n => n.dataset.nodeId === id);
        const r = g ? g.getBoundingClientRect() : null;
        if (inside(r)) continue;
        // a far end the window leaves out (no room at the smallest readable scale) is named by a
        // label at the window's edge, itself on screen ("x ▲")
        const label = [...svg.querySelectorAll('g.dz-beyond')].find(b => b.dataset.beyond === id);
        if (label && inside(label.getBoundingClientRect())) beyond.push(id);
        else out.push([id, r && [r.left, r.right, r.top, r.bottom].map(Math.round)]);
    }
    return {count: ids.size, out, beyond, box: [box.left, box.right, box.top, box.bottom].map(Math.round)};
}"""
# Whether every `selector` in `root` lies within the visible box `inner`.
INSIDE = """([inner, selector]) => {
    const box = inner.getBoundingClientRect();
    const found = [...inner.querySelectorAll(selector)].filter(el => el.getClientRects().length > 0);
    return found.length > 0 && found.every(el => { const r = el.getBoundingClientRect();
        return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
            && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5; });
}"""
VAR_BY_LABEL = "g.dz-var"


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "lecture", "lecture_screen.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        yield page, notebook


def _step_to(output, k):
    """Press next until the step panel says "Step k of"."""
    step = output.get_by_text(re.compile(r"Step \d+ of")).filter(visible=True).first
    for _ in range(40):
        now = int(re.search(r"Step (\d+) of", step.inner_text()).group(1))
        if now == k:
            return
        output.locator("button", has_text="next ▶" if now < k else "◀ prev").filter(visible=True).first.click()
        expect(step).to_contain_text(f"Step {now + (1 if now < k else -1)} of", timeout=30_000)
    raise AssertionError(f"did not reach step {k}")


def _steps(output):
    text = output.get_by_text(re.compile(r"Step \d+ of")).filter(visible=True).first.inner_text()
    return int(re.search(r"Step \d+ of (\d+)", text).group(1))


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_backward_step_shows_both_ends_of_its_edges(ran, screen):
    page, notebook = ran
    lab_page.set_screen(page, *SCREENS[screen])
    # Matyas (tour §3), notebook 05's step 36, the tour's diamond in the book's order (QA: at
    # 1024 px with the file browser open its last step's Square was cut in half at the box's edge)
    for index, book in ((2, False), (3, False), (6, True)):
        output = lab_page.output_of_cell(notebook, index)
        lab_page.open_tab(output, "Backward")
        if book:
            output.locator(".widget-toggle-button, button", has_text="book steps 8").filter(visible=True).first.click()
            expect(output.get_by_text(re.compile(r"Step \d+ of \d+ \(book")).filter(visible=True)).to_have_count(1)
        _step_to(output, 1)
        heights = set()
        for k in range(1, _steps(output) + 1):
            _step_to(output, k)
            figure = lab_page.visible_figure(output)
            heights.add(round(figure.evaluate("f => f.getBoundingClientRect().height")))
            found = page.evaluate(STEP_NODES_OUT, figure.element_handle())
            if index == 2 and k == 5:
                page.screenshot(path=str(ARTIFACTS / f"lecture-{screen}-matyas-step5.png"))
            assert found["count"] >= 2 and found["out"] == [], (screen, index, k, found)
        # the box keeps one height while stepping: nothing under it jumps (QA: 395, 480, 399 px)
        assert max(heights) - min(heights) <= 1, (screen, index, heights)
        _step_to(output, 1)
        if book:
            output.locator(".widget-toggle-button, button", has_text="generation order").filter(visible=True).first.click()


def _tab(page, notebook, screen, index, title):
    """The output of the notebook's code cell `index` on `screen`, its tab `title` open."""
    lab_page.set_screen(page, *SCREENS[screen])
    output = lab_page.output_of_cell(notebook, index)
    lab_page.open_tab(output, title)
    return output


def _switch(output, name):
    """The Graph tab's toggle button `name` (values, grads, shapes, fit, large)."""
    return output.locator("button", has_text=re.compile(rf"^\s*{name}\s*$")).filter(visible=True).first


def _panel(output):
    return output.locator(".widget-tab-contents, .lm-TabPanel-stackedPanel, .p-TabPanel-stackedPanel").first


def test_the_step_text_and_the_popped_function_are_on_one_screen(ran):
    # QA at 1280x800: buttons, then a graph box up to 560 px tall, then "Step 1 of 5 ...":
    # the step's text was below the fold, a scroll after every "next".
    page, notebook = ran
    output = _tab(page, notebook, "1280x800", 3, "Backward")
    _step_to(output, 1)
    output.locator(lab_page.TABS).first.evaluate("t => t.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "lecture-1280x800-step-text.png"))
    title = output.get_by_text(re.compile(r"Step 1 of \d+")).filter(visible=True).first
    # (the shown drawing: a box 1,000 px wide shows the whole graph, the window beside it hidden: QA 23)
    popped = lab_page.visible_figure(output).locator(".dz-func.dz-highlight").filter(visible=True).first
    for part in (title, popped):
        box = part.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 800, (part, box)


def test_large_scrolls_the_figure_box_alone(ran):
    page, notebook = ran
    output = _tab(page, notebook, "1024x768-file-browser", 4, "Graph")
    large = _switch(output, "large")
    large.click()
    note = output.locator(".dz-figure-note").filter(visible=True).first
    expect(note).to_contain_text("1.5 times larger", timeout=30_000)
    try:
        figure = lab_page.visible_figure(output)
        page.screenshot(path=str(ARTIFACTS / "lecture-large.png"))
        panel = _panel(output)
        wide = panel.evaluate("p => [p.scrollWidth, p.clientWidth]")
        assert wide[0] <= wide[1] + 1, f"the whole tab scrolls sideways: {wide}"
        right = panel.bounding_box()["x"] + panel.bounding_box()["width"]
        for part in (note, large, output.locator("select").filter(visible=True).first):
            box = part.bounding_box()
            assert box["x"] + box["width"] <= right + 1, ("cut off on the right", box, right)
        assert figure.evaluate("f => f.scrollWidth > f.clientWidth + 1")    # the box itself scrolls
    finally:
        large.click()
        expect(note.filter(has_text="1.5 times larger")).to_have_count(0, timeout=30_000)


def test_a_node_picked_with_large_on_is_in_sight(ran):
    # QA at 1280x800: large + "variable x" drew the window 1.5 times larger in a box that
    # showed its far end first: only the bottom of x's outline was in sight
    page, notebook = ran
    output = _tab(page, notebook, "1280x800", 3, "Graph")
    large = _switch(output, "large")
    large.click()
    select = output.locator("select").filter(visible=True).first
    options = [o.replace("\xa0", " ") for o in select.evaluate("s => [...s.options].map(o => o.text)")]
    select.select_option(index=next(i for i, o in enumerate(options) if o.startswith("variable x")))
    # The picked window's own note: "Drawn 1.5 times larger" (large alone) matched too, before the
    # pick's drawing replaced the figure (get_by_text ignores case), and the figure read was gone.
    expect(output.get_by_text("around the node you picked, drawn 1.5 times larger").filter(visible=True)
           ).to_have_count(1, timeout=30_000)
    figure = lab_page.visible_figure(output)
    page.screenshot(path=str(ARTIFACTS / "lecture-large-picked.png"))
    assert page.evaluate(INSIDE, [figure.element_handle(), ".dz-picked"]), "the picked node is out of sight"
    select.select_option(index=0)
    large.click()


def test_the_narrowest_box_offers_fit_and_keeps_the_grad_scale(ran):
    page, notebook = ran
    output = _tab(page, notebook, "1024x768-file-browser", 1, "Graph")
    figure = lab_page.visible_figure(output)
    assert figure.evaluate("f => f.clientWidth") < 700          # the box QA measured: ~552 px
    assert page.evaluate(INSIDE, [figure.element_handle(), ".dz-legend"]), "the grad scale is cut"
    fit = output.locator("button", has_text=re.compile(r"^\s*fit\s*$")).filter(visible=True)
    expect(fit).to_have_count(1)
    fit.first.click()
    expect(output.get_by_text("shrunk to fit").first).to_be_visible(timeout=30_000)
    figure = lab_page.visible_figure(output)
    page.screenshot(path=str(ARTIFACTS / "lecture-fit-narrow.png"))
    assert page.evaluate(INSIDE, [figure.element_handle(), VAR_BY_LABEL]), "a variable is cut off"
    assert page.evaluate(INSIDE, [figure.element_handle(), ".dz-legend"])
    fit.first.click()


def test_the_cut_off_note_is_said_only_where_the_box_cuts_the_graph(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 4)
    cut_note = output.locator(".dz-figure-note", has_text="If this graph is cut off")
    for screen, cut in (("1280x800", False), ("1024x768-file-browser", True)):
        lab_page.set_screen(page, *SCREENS[screen])
        lab_page.open_tab(output, "Graph")
        figure = lab_page.visible_figure(output)
        overflows = figure.evaluate("f => f.scrollWidth > f.clientWidth + 1 || f.scrollHeight > f.clientHeight + 1")
        page.screenshot(path=str(ARTIFACTS / f"lecture-cut-note-{screen}.png"))
        assert overflows == cut, (screen, figure.evaluate("f => [f.scrollWidth, f.clientWidth]"))
        expect(cut_note.filter(visible=True)).to_have_count(1 if cut else 0, timeout=10_000)


def test_fit_shows_a_tall_graph_on_one_screen(ran):
    # QA at 1024x768: "fit" on a tall graph ended below the fold (68vh under ~300 px of controls)
    page, notebook = ran
    output = _tab(page, notebook, "1024x768-file-browser", 3, "Graph")
    fit = _switch(output, "fit")
    fit.click()
    expect(output.get_by_text("shrunk to fit").first).to_be_visible(timeout=30_000)
    svg = lab_page.visible_figure(output).locator("svg.dz-graph").first
    output.locator(lab_page.TABS).first.evaluate("t => t.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "lecture-fit-tall.png"))
    box = svg.bounding_box()
    bottom = page.locator("#jp-main-statusbar").bounding_box()["y"]    # the notebook's visible bottom
    assert box["y"] >= 0 and box["y"] + box["height"] <= bottom, (box, bottom)
    fit.click()


def test_modes_opens_on_the_memory_tab(ran):
    page, notebook = ran
    lab_page.set_screen(page, *SCREENS["1024x768"])
    output = lab_page.output_of_cell(notebook, 5)
    output.scroll_into_view_if_needed()
    current = output.locator(".lm-TabBar-tab.lm-mod-current, .p-TabBar-tab.p-mod-current").first
    expect(current).to_have_text(re.compile(r"^\s*Memory\s*$"))
    expect(output.get_by_text("Mode:").filter(visible=True)).to_have_count(1, timeout=30_000)


def test_the_book_tables_wrong_verdict_has_a_header_and_stands_out(ran):
    page, notebook = ran
    output = _tab(page, notebook, "1024x768", 6, "Backward")
    output.locator(".widget-toggle-button, button", has_text="book steps 8").filter(visible=True).first.click()
    header = output.locator("th", has_text="book list's grad").filter(visible=True)
    expect(header).to_have_count(1, timeout=30_000)
    wrong = output.locator("td span", has_text="WRONG").filter(visible=True).first
    expect(wrong).to_be_visible()
    look = wrong.evaluate("s => [getComputedStyle(s).color, getComputedStyle(s).fontWeight]")
    assert look[0] not in ("rgb(0, 0, 0)", "rgb(17, 17, 17)") and int(look[1]) >= 700, look
    assert wrong.locator("xpath=ancestor::tr[1]/td").count() == 4
    assert header.first.locator("xpath=ancestor::tr[1]/th").count() == 4
    output.locator(".widget-toggle-button, button", has_text="generation order").filter(visible=True).first.click()
    assert lab_page.widget_failures(notebook) == []
    assert lab_page.relevant_console_errors(page.console_errors) == []
