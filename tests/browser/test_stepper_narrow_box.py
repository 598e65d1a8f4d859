"""QA 24 at 1024x768 with JupyterLab's file browser open (a ~552-px figure box):
the Backward stepper's window, drawn for a 780-px box, was shrunk to ~0.7 of
its size, node text 6.7-8.3 px. There the browser now shows a window drawn for
the narrow box on the steps that need it (node text >= 9 px), and on the same
steps at 1024x768 without the file browser and at 1280x720 it shows what it did
before (the usual window; the whole graph or the wide window). Screenshots go
to artifacts/narrow-box-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS
from test_lecture_screen import MATYAS
from test_presentation_dark import _presentation_mode

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero.functions as F
from dezero import Variable
"""
# notebook 05's step 26 -v cell: its step-3 window read at 6.7 px in the 552-px box
SHAPES = """\
%%dezero -v -b z
x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")
y = Variable(np.random.default_rng(1).standard_normal((2, 3)), name="y")
z = F.sum((x + y) * x - y ** 2)
z.name = "z"
"""
CELLS = [SETUP, MATYAS, SHAPES]

# The drawing the stepper's box shows: its classes, its node text's drawn px (font size
# times the drawing's scale on the screen), its height, and the box's width; `before`: the
# classes of what it shows with the narrow drawing taken out (as it was without one).
SHOWN = """(output) => {
    const shown = el => el && el.getClientRects().length > 0;
    const box = [...output.querySelectorAll('.dz-figure')].find(shown);
    const visible = () => [...box.querySelectorAll(':scope > svg.dz-graph')].filter(shown);
    const svgs = visible(), svg = svgs[0];
    const px = [...svg.querySelectorAll('g.dz-var text, g.dz-func text')].filter(shown)
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    const narrow = box.querySelector(':scope > svg.dz-if-narrow');
    let before = svgs.map(s => s.getAttribute('class'));
    if (narrow) {
        const next = narrow.nextSibling;
        narrow.remove();
        before = visible().map(s => s.getAttribute('class'));
        box.insertBefore(narrow, next);
    }
    return {count: svgs.length, klass: svg.getAttribute('class'), textPx: Math.max(...px),
            h: svg.getBoundingClientRect().height, boxW: box.clientWidth, before: before};
}"""


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "narrowbox", "narrow_box.ipynb", CELLS,
                                       timeout_s=240, screenshot="narrow-box-run.png") as (page, notebook):
        yield page, notebook


def _walk(page, output, shot):
    """What the box shows at every step, stepping from 1 to the last (and back to 1 after)."""
    lab_page.open_tab(output, "Backward")
    lab_page.visible_figure(output)
    step = output.get_by_text(re.compile(r"Step \d+ of")).filter(visible=True).first
    seen = []
    while True:
        now, total = map(int, re.search(r"Step (\d+) of (\d+)", step.inner_text()).groups())
        if now == 1 and seen:
            break
        page.wait_for_timeout(150)
        seen.append(output.evaluate(SHOWN))
        if _shows_narrow(seen[-1]) and not any(map(_shows_narrow, seen[:-1])):
            page.screenshot(path=str(ARTIFACTS / f"narrow-box-{shot}-step{now}.png"))
        if now == total:
            page.screenshot(path=str(ARTIFACTS / f"narrow-box-{shot}.png"))
            for k in range(total, 1, -1):
                output.locator("button", has_text="◀ prev").filter(visible=True).first.click()
                expect(step).to_contain_text(f"Step {k - 1} of", timeout=30_000)
            break
        output.locator("button", has_text="next ▶").filter(visible=True).first.click()
        expect(step).to_contain_text(f"Step {now + 1} of", timeout=30_000)
    return seen


def _shows_narrow(found):
    return "dz-if-narrow" in found["klass"].split()


@pytest.mark.parametrize("cell", [1, 2], ids=["matyas", "shapes"])
def test_the_stepper_reads_at_9_px_in_the_narrow_box_and_shows_as_before_in_wider_ones(ran, cell):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, cell)
    try:
        lab_page.set_screen(page, 1024, 768, file_browser=True)
        narrow = _walk(page, output, f"{cell}-1024-browser")
        lab_page.set_screen(page, 1024, 768, file_browser=False)
        usual = _walk(page, output, f"{cell}-1024")
        lab_page.set_screen(page, 1280, 720, file_browser=False)
        wide = _walk(page, output, f"{cell}-1280x720")
    finally:
        lab_page.set_screen(page, 1280, 720, file_browser=False)
    assert all(f["count"] == 1 for f in narrow + usual + wide), (narrow, usual, wide)
    assert narrow[0]["boxW"] < 600 < usual[0]["boxW"] < 900 < wide[0]["boxW"], (narrow[0], usual[0], wide[0])
    # QA: 6.7-8.3 px; every step now >= 9 px (MIN_SCALE of 14 px), by its narrow window on some
    assert min(f["textPx"] for f in narrow) >= 8.9, narrow
    assert any(map(_shows_narrow, narrow)), narrow
    # from step to step the box keeps its height: the narrow window is as tall as the usual one there
    assert max(f["h"] for f in narrow) - min(f["h"] for f in narrow) <= 2, narrow
    # wider boxes: as before, never the narrow window (the usual one at 1024 px; at 1280 px
    # the whole graph or the wide window, where there is one)
    assert not any(map(_shows_narrow, usual + wide)), (usual, wide)
    assert all(f["before"] == [f["klass"]] for f in usual + wide), (usual, wide)
    # in the narrow box, the steps that need no narrow window show what they did before
    assert all(f["before"] == [f["klass"]] for f in narrow if not _shows_narrow(f)), narrow


def test_in_presentation_mode_the_narrow_window_shows_in_the_narrow_box_only(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 1)
    _presentation_mode(page, True)
    try:
        lab_page.set_screen(page, 1024, 768, file_browser=True)
        narrow = _walk(page, output, "matyas-presenting-1024-browser")
        lab_page.set_screen(page, 1024, 768, file_browser=False)
        usual = _walk(page, output, "matyas-presenting-1024")
    finally:
        _presentation_mode(page, False)   # the server's workspace is shared with later tests
        lab_page.set_screen(page, 1280, 720, file_browser=False)
    assert any(map(_shows_narrow, narrow)), narrow
    # a ~750-px box, its container measured in zoomed px (~618): the usual window, as before
    assert not any(map(_shows_narrow, usual)) and all(f["count"] == 1 for f in usual), usual
    assert all(f["before"] == [f["klass"]] for f in usual), usual
    assert lab_page.relevant_console_errors(page.console_errors) == []
