"""The Backward stepper projected, in JupyterLab (QA session 20, a lecturer):

- F3: notebook 05's first cell (-v, 2x3 arrays): the step text's array
  grads wrapped to 1-3 lines by their numbers and the graph under them
  jumped 22 px between steps. Now its top stays put at every step.
- F4: at 150 % zoom (853x480 CSS px, device scale 1.5) the popped function
  was below the screen at most steps of the tour's first graph and its
  Matyas cell, with the output's tab bar scrolled to the top: the window's
  note, two lines over it, is one line under it, and the "generation order /
  book steps" switch is under the graph (over the buttons it left Matyas'
  steps 4-6 ending 1-20 px under the status bar). Now the popped function is
  on the screen at every step of both.
Screenshots: artifacts/steady-*.png.
"""
import re
import shutil

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS, REPO, TABS
from test_keyboard_a11y import SETUP
from test_lecture_screen import MATYAS
from test_lecture_screen import TOUR_1 as TOUR_FIRST

pytestmark = pytest.mark.browser

NB05_CELL1 = """\
%%dezero -v -o t -b z
x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")
y = Variable(np.random.default_rng(1).standard_normal((2, 3)), name="y")
z = F.sum((x + y) * x - y ** 2)
z.name = "z"
"""
CELLS = [SETUP, NB05_CELL1, TOUR_FIRST, MATYAS]   # (the tour's and Matyas as test_lecture_screen types them)
ZOOMED = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}


@pytest.fixture(scope="module", params=["1280x720", "853x480@1.5"])
def ran(request, browser, lab_server):
    folder, path = lab_page.write_scratch_notebook(REPO, "steady", "steady.ipynb", CELLS)
    screen = {"viewport": {"width": 1280, "height": 720}} if request.param == "1280x720" else ZOOMED
    context = browser.new_context(**screen)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        notebook = lab_page.open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
        tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]')
        if tab.count() and "lm-mod-current" in (tab.get_attribute("class") or ""):
            tab.click()                                       # a lecturer's window: file browser closed
        lab_page.run_all_cells(page)
        lab_page.wait_all_executed(notebook, timeout_s=240)
        lab_page.wait_kernel_idle(page, timeout_s=60)
        yield request.param, page, notebook
    finally:
        context.close()
        shutil.rmtree(folder, ignore_errors=True)


def _backward(notebook, index):
    output = lab_page.output_of_cell(notebook, index)
    lab_page.open_tab(output, "Backward")
    lab_page.visible_figure(output)
    return output


def _tabs_to_top(output):
    """Scroll the notebook so that the output's tab bar is at its top (a lecturer's most)."""
    output.locator(TABS).first.evaluate("t => t.closest('.lm-TabBar, .p-TabBar').scrollIntoView({block: 'start'})")


def _step(output):
    step = output.get_by_text(re.compile(r"Step \d+ of")).filter(visible=True).first
    now, total = map(int, re.search(r"Step (\d+) of (\d+)", step.inner_text()).groups())
    return step, now, total


def _next(output, step, now):
    output.locator("button", has_text="next ▶").filter(visible=True).first.click()
    expect(step).to_contain_text(f"Step {now + 1} of", timeout=30_000)


def test_the_graph_stays_put_while_stepping_an_array_graph(ran):
    screen, page, notebook = ran
    output = _backward(notebook, 1)
    step, now, total = _step(output)
    assert now == 1 and total >= 4
    tops = []
    for k in range(1, total + 1):
        if k > 1:
            _next(output, step, k - 1)
        page.wait_for_timeout(150)
        figure = output.locator(".dz-figure").filter(visible=True).first
        button = output.locator("button", has_text="next ▶").filter(visible=True).first
        tops.append(round(figure.bounding_box()["y"] - button.bounding_box()["y"], 1))
    page.screenshot(path=str(ARTIFACTS / f"steady-05-{screen}.png"))
    assert len(set(tops)) == 1, f"the graph moved between steps: {tops}"


@pytest.mark.parametrize("index", [2, 3], ids=["tour-first", "matyas"])
def test_the_popped_function_is_on_the_screen_at_every_step(ran, index):
    screen, page, notebook = ran
    output = _backward(notebook, index)
    step, now, total = _step(output)
    bar = page.locator("#jp-main-statusbar").bounding_box()
    bottom = bar["y"] if bar else page.viewport_size["height"]
    out = []
    for k in range(1, total + 1):
        if k > 1:
            _next(output, step, k - 1)
        _tabs_to_top(output)
        page.wait_for_timeout(150)
        popped = output.locator("svg.dz-graph g.dz-func.dz-highlight").filter(visible=True).first
        box = popped.bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > bottom:
            out.append((k, box and round(box["y"] + box["height"])))
    page.screenshot(path=str(ARTIFACTS / f"steady-{index}-{screen}.png"))
    assert not out, f"the popped function is below the screen (status bar at {bottom:.0f}): {out}"
