"""QA session 21 (a lecturer, the tour at 1280x720, file browser closed), the Backward stepper:

- L21-1: on the Matyas cell's Backward tab, after next ▶, the one-line note
  under the window ("Around Mul (f5), which this step pops, ...") was 1,157 px
  wide: it widened its widget past the view (1,403 px on a 1,280-px screen in
  Presentation Mode), cut mid-word with no ellipsis, the drawing's box and its
  scrollbar past the screen's right edge. Now the note, the step lines and the
  box end inside the view (the note wraps since QA 23, and Matyas is stepped whole at 1280 px).
- L21-5: at the last step of the tour's diamond cell, next ▶ still read as
  live (its label in the text's near-black): now greyed like an inactive control.
Screenshots: artifacts/note-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS
from test_keyboard_a11y import SETUP
from test_lecture_screen import DIAMOND, MATYAS
from test_presentation_dark import _presentation_mode

from dezero_magic.render.palette import contrast

pytestmark = pytest.mark.browser

CELLS = [SETUP, DIAMOND, MATYAS]

# The right edges of the view, the visible figure box, note and step lines, and the note's overflow.
EDGES = """(output) => {
    const shown = el => el.getClientRects().length > 0;
    const right = el => el.getBoundingClientRect().right;
    const view = output.querySelector('.dz-view');
    const note = [...output.querySelectorAll('.dz-figure-note')].find(shown);
    const box = [...output.querySelectorAll('.dz-figure')].find(shown);
    return {view: right(view), screen: window.innerWidth, box: right(box),
            lines: [...output.querySelectorAll('.dz-step-line')].filter(shown).map(right),
            note: note ? {right: right(note), cut: note.scrollWidth > note.clientWidth,
                          ellipsis: getComputedStyle(note).textOverflow} : null};
}"""

# next ▶'s and ◀ prev's label colours and classes.
BUTTONS = """(output) => {
    const shown = el => el.getClientRects().length > 0;
    const button = label => [...output.querySelectorAll('button')].filter(shown)
        .find(b => b.textContent.trim() === label);
    const look = b => ({colour: getComputedStyle(b).color, classes: b.className});
    return {next: look(button('next ▶')), prev: look(button('◀ prev'))};
}"""


def _on_white(rgb):
    """A computed colour (rgb or rgba) as drawn on white, in hex: JupyterLab's inks have alpha."""
    r, g, b, *alpha = (float(v) for v in re.findall(r"[\d.]+", rgb))
    a = alpha[0] if alpha else 1.0
    return "#%02x%02x%02x" % tuple(round(a * c + (1 - a) * 255) for c in (r, g, b))


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "note21", "note21.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        lab_page.set_screen(page, 1280, 720, file_browser=False)
        yield page, notebook


def _backward(notebook, index):
    output = lab_page.output_of_cell(notebook, index)
    lab_page.open_tab(output, "Backward")
    lab_page.visible_figure(output)
    return output


def _next(output, times=1):
    for _ in range(times):
        output.locator("button", has_text="next ▶").filter(visible=True).first.click()
    output.page.wait_for_timeout(400)


def _edges(page, output):
    lab_page.visible_figure(output)
    page.wait_for_timeout(300)
    return output.evaluate(EDGES)


def _inside(found):
    assert found["view"] <= found["screen"] + 0.5, found
    assert found["box"] <= found["view"] + 0.5, found                # was 1,599 px in Presentation Mode
    # QA 23: a 1280-px screen's box steps Matyas whole (no note); a window's note wraps, never cut
    if found["note"] is not None:
        assert found["note"]["right"] <= found["view"] + 0.5, found  # was 1,157 px wide
        assert not found["note"]["cut"], found
    assert all(r <= found["view"] + 0.5 for r in found["lines"]), found


def test_the_windows_note_ends_inside_the_view(ran):
    page, notebook = ran
    output = _backward(notebook, 2)
    _next(output)
    normal = _edges(page, output)
    page.screenshot(path=str(ARTIFACTS / "note-matyas-1280x720.png"))
    _presentation_mode(page, True)
    try:
        presenting = _edges(page, output)
        page.screenshot(path=str(ARTIFACTS / "note-matyas-presentation.png"))
    finally:
        _presentation_mode(page, False)   # the server's workspace is shared with later tests
    _inside(normal)
    _inside(presenting)
    assert lab_page.relevant_console_errors(page.console_errors) == []


def test_next_at_the_last_step_is_greyed(ran):
    page, notebook = ran
    output = _backward(notebook, 1)
    expect(output.get_by_text("Step 1 of 4").filter(visible=True)).to_have_count(1)
    _next(output, 3)
    expect(output.get_by_text("Step 4 of 4").filter(visible=True)).to_have_count(1)
    last = output.evaluate(BUTTONS)
    page.screenshot(path=str(ARTIFACTS / "note-diamond-last-step.png"))
    assert "dz-at-end" in last["next"]["classes"] and "dz-at-end" not in last["prev"]["classes"], last
    ink, live = _on_white(last["next"]["colour"]), _on_white(last["prev"]["colour"])
    assert contrast(ink, "#ffffff") >= 4.5, last                         # still readable
    assert contrast(live, "#ffffff") - contrast(ink, "#ffffff") > 5, last   # was #333 beside #111
    _next(output)                                                        # pressed there: nothing
    expect(output.get_by_text("Step 4 of 4").filter(visible=True)).to_have_count(1)
    assert lab_page.widget_failures(notebook) == []
