"""Windows of a graph larger than the screen at 1024x768 with the file
browser open (a ~550-px figure box), in JupyterLab (QA session 19):

- Window edges sliced ovals: the tour's Matyas cell, Backward steps 4-6, half
  a value and "grad 0.26" at the window's top; its --modes cell, x picked, a
  thin arc of the next oval on the |grad| key. No node is drawn in part.
- The Matyas stepper's drawing changed height from step to step (238 to
  262 px in a 336-px box): the key jumped by up to 65 px, 74-139 px of white
  under it. The key stays put, with no blank under the drawing.

One scratch notebook is run with Run All Cells; screenshots go to
artifacts/windows-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS
from test_keyboard_a11y import SETUP
from test_lecture_screen import MATYAS

pytestmark = pytest.mark.browser

# notebooks/00_tour.ipynb §3 (MATYAS) and its --modes cell
MODES = """\
%%dezero --modes
x = Variable(np.random.default_rng(0).standard_normal(10_000), name="x")
y = F.sum(F.square(F.square(F.square(x))))
y.backward()
"""
CELLS = [SETUP, MATYAS, MODES]

# The visible drawing of a figure box: the nodes of it drawn in part (some of a node's points seen,
# some not: cut by the box's or window's edge, or by the key band), where its key starts and the
# box's blank under the drawing, in px.
MEASURE = """(figure) => {
    const box = figure.getBoundingClientRect();
    const svg = [...figure.querySelectorAll('svg.dz-graph')].find(s => s.getClientRects().length > 0);
    const s = svg.getBoundingClientRect();
    const band = svg.querySelector('.dz-window-key-band');
    const view = {left: Math.max(box.left, s.left), right: Math.min(box.right, s.right),
                  top: Math.max(box.top, s.top), bottom: Math.min(box.bottom, s.bottom)};
    const parts = [];
    for (const node of svg.querySelectorAll('g.dz-node')) {
        const shape = node.querySelector('ellipse, rect');
        const r = shape.getBoundingClientRect();
        if (r.right <= view.left || r.left >= view.right || r.bottom <= view.top || r.top >= view.bottom) continue;
        let seen = 0, hidden = 0;
        for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
            // points of the node's box near its outline and inside it (an oval: within it)
            const u = i / 8, v = j / 8;
            if (shape.tagName === 'ellipse' && (u - 0.5) ** 2 + (v - 0.5) ** 2 > 0.2) continue;
            const x = r.left + u * r.width, y = r.top + v * r.height;
            const inView = x > view.left && x < view.right && y > view.top && y < view.bottom;
            const hit = inView && document.elementFromPoint(x, y);
            if (hit && hit.closest('g.dz-node') === node) seen++; else hidden++;
        }
        if (seen && hidden) parts.push([node.getAttribute('data-node-id'), seen, hidden]);
    }
    return {parts, key: band ? Math.round(band.getBoundingClientRect().top - box.top) : null,
            blankUnder: Math.round(box.bottom - s.bottom), box: Math.round(box.height), drawn: Math.round(s.height)};
}"""


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "windows", "windows.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        lab_page.set_screen(page, 1024, 768, True)
        yield page, notebook


def _step_text(output):
    return output.get_by_text(re.compile(r"Step \d+ of")).filter(visible=True).first


def test_the_matyas_steppers_key_stays_put_and_no_node_is_drawn_in_part(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 1)
    lab_page.open_tab(output, "Backward")
    step = _step_text(output)
    n = int(re.search(r"Step \d+ of (\d+)", step.inner_text()).group(1))
    seen = []
    for k in range(1, n + 1):
        if k > 1:
            output.locator("button", has_text="next ▶").filter(visible=True).first.click()
            expect(step).to_contain_text(f"Step {k} of", timeout=30_000)
        figure = lab_page.visible_figure(output)
        output.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(200)
        state = page.evaluate(MEASURE, figure.element_handle())
        if k in (1, 5):
            page.screenshot(path=str(ARTIFACTS / f"windows-matyas-step{k}.png"))
        assert not state["parts"], (k, state)
        seen.append(state)
    keys = {s["key"] for s in seen}
    assert None not in keys and max(keys) - min(keys) <= 1, seen
    assert all(s["blankUnder"] <= 4 for s in seen), seen
    assert len({s["box"] for s in seen}) == 1, seen


def test_the_modes_cell_with_x_picked_draws_no_arc_of_the_next_oval(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 2)
    lab_page.open_tab(output, "Graph")
    # (the node picker; ipywidgets writes its options' spaces as no-break spaces)
    x = re.compile(r"^\s*variable\sx\s=")
    select = output.locator("select").filter(visible=True).filter(has_text=re.compile(r"variable\sx\s=")).first
    select.select_option(label=next(o for o in select.locator("option").all_text_contents() if x.match(o)))
    expect(output.get_by_text("around the node you picked").filter(visible=True)).to_have_count(1, timeout=30_000)
    try:
        figure = lab_page.visible_figure(output)
        page.wait_for_timeout(200)
        page.screenshot(path=str(ARTIFACTS / "windows-modes-picked-x.png"))
        state = page.evaluate(MEASURE, figure.element_handle())
        assert state["key"] is not None and not state["parts"], state
    finally:
        select.select_option(index=0)
