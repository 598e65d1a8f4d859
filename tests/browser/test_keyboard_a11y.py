"""The keyboard in JupyterLab (QA, access audit: findings 1-4 and 6):

- the arrow keys scroll a focused figure box, and letter keys typed there
  (`a`, `b`, `m`, `d d`) do nothing to the notebook: JupyterLab's command-mode
  shortcuts are off inside it (style.SUPPRESS_SHORTCUTS);
- next ▶ pressed with Enter up to the last step (and ◀ prev back to step 1)
  keeps the focus on the stepper's button, with a visible 3-px focus ring;
- the step text is a polite live region;
- at 200 % zoom (512x384) ◀ prev and next ▶ keep their whole labels.

One scratch notebook is run with Run All Cells; screenshots go to
artifacts/keyboard-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero.functions as F
from dezero import Variable
"""
# Wider than the box of a 1024-px screen with the file browser open: the box scrolls.
WIDE = """\
%%dezero -b y
x = Variable(np.array(0.5), name="x")
y = x
for i in range(12):
    y = F.sin(y) * x + x
y.name = "y"
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
CELLS = [SETUP, WIDE, DIAMOND]
ACTIVE_TAG = "() => document.activeElement && document.activeElement.tagName"
STEP = re.compile(r"Step (\d+) of (\d+)")


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "keyboard", "keyboard_a11y.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        yield page, notebook


def _active_has(page, selector):
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def _notebook_state(notebook):
    """What a stray shortcut would change: cells, their kinds, which one is active, hidden ones."""
    return notebook.evaluate("""n => {
        const cells = [...n.querySelectorAll('.jp-Cell')];
        return {count: cells.length, markdown: n.querySelectorAll('.jp-MarkdownCell').length,
                active: cells.findIndex(c => c.classList.contains('jp-mod-active')),
                hidden: cells.filter(c => c.classList.contains('lm-mod-hidden')).length};
    }""")


def test_arrow_keys_scroll_the_focused_figure_box_and_letters_leave_the_notebook_alone(ran):
    page, notebook = ran
    lab_page.set_screen(page, 1024, 768, True)
    output = lab_page.output_of_cell(notebook, 1)
    lab_page.open_tab(output, "Graph")
    figure = lab_page.visible_figure(output)
    assert figure.get_attribute("data-lm-suppress-shortcuts") == "true"
    assert figure.evaluate("f => f.scrollWidth > f.clientWidth + 20"), "the graph fits: nothing to scroll"
    # Tab from the node picker to the box, as a keyboard user gets there
    output.locator("select").filter(visible=True).first.focus()
    page.keyboard.press("Tab")
    assert _active_has(page, ".dz-figure"), page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    ring = figure.evaluate("f => [getComputedStyle(f).outlineStyle, getComputedStyle(f).outlineWidth]")
    assert ring == ["solid", "3px"], ring
    before = _notebook_state(notebook)
    left = figure.evaluate("f => f.scrollLeft")
    # the box shows the output end first (its right end): ArrowLeft scrolls towards x
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(500)
    moved = figure.evaluate("f => f.scrollLeft")
    page.screenshot(path=str(ARTIFACTS / "keyboard-arrow-scrolled.png"))
    assert moved < left - 20, (left, moved)
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    assert figure.evaluate("f => f.scrollLeft") > moved
    for key in ("ArrowDown", "ArrowUp", "a", "b", "m", "d", "d"):
        page.keyboard.press(key)
    page.wait_for_timeout(500)
    assert _active_has(page, ".dz-figure"), "the focus left the box"
    assert _notebook_state(notebook) == before


def _step(output):
    text = output.get_by_text(STEP).filter(visible=True).first.inner_text()
    k, n = STEP.search(text).groups()
    return int(k), int(n)


def _focused_button_text(page):
    return page.evaluate("() => document.activeElement && document.activeElement.tagName === 'BUTTON' "
                         "? document.activeElement.textContent.trim() : null")


def test_enter_on_next_to_the_last_step_keeps_the_focus_on_the_stepper(ran):
    page, notebook = ran
    lab_page.set_screen(page, 1024, 768, True)
    output = lab_page.output_of_cell(notebook, 2)
    lab_page.open_tab(output, "Backward")
    prev = output.locator("button", has_text="◀ prev").filter(visible=True).first
    next_ = output.locator("button", has_text="next ▶").filter(visible=True).first
    k, n = _step(output)
    assert (k, n) == (1, 4)
    live = output.locator('[role="status"][aria-live="polite"]').filter(visible=True)
    expect(live).to_have_count(1)
    expect(live.first).to_contain_text("Step 1 of 4")
    # by keyboard: from ◀ prev, Tab to next ▶ (its focus ring shows for the keyboard)
    prev.focus()
    page.keyboard.press("Tab")
    assert _focused_button_text(page) == "next ▶"
    ring = next_.evaluate("b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineWidth]")
    assert ring == ["solid", "3px"], ring
    for want in (2, 3, 4, 4, 4):
        page.keyboard.press("Enter")
        expect(live.first).to_contain_text(f"Step {want} of 4", timeout=30_000)
        page.wait_for_timeout(300)     # the buttons' state follows the step
        assert _focused_button_text(page) == "next ▶", (want, page.evaluate(ACTIVE_TAG))
    assert next_.is_enabled()
    expect(next_).to_have_class(re.compile(r"\bdz-at-end\b"))
    expect(next_).to_have_attribute("title", re.compile("last step"))
    page.screenshot(path=str(ARTIFACTS / "keyboard-last-step.png"))
    # and back: Shift+Tab to ◀ prev, Enter to step 1 and once more
    page.keyboard.press("Shift+Tab")
    assert _focused_button_text(page) == "◀ prev"
    for want in (3, 2, 1, 1):
        page.keyboard.press("Enter")
        expect(live.first).to_contain_text(f"Step {want} of 4", timeout=30_000)
        page.wait_for_timeout(300)
        assert _focused_button_text(page) == "◀ prev", want
    expect(prev).to_have_class(re.compile(r"\bdz-at-end\b"))
    assert lab_page.relevant_console_errors(page.console_errors) == []


def test_the_stepper_buttons_keep_their_labels_at_200_percent_zoom(ran):
    # QA: at 512x384 (1024x768 at 200 %) a fixed 420-px slider left ◀ prev and next ▶ ~20 px
    page, notebook = ran
    try:
        lab_page.set_screen(page, 512, 384, False)
        output = lab_page.output_of_cell(notebook, 2)
        lab_page.open_tab(output, "Backward")
        for label in ("◀ prev", "next ▶"):
            button = output.locator("button", has_text=label).filter(visible=True).first
            button.scroll_into_view_if_needed()
            sizes = button.evaluate("b => [b.clientWidth, b.scrollWidth]")
            assert sizes[0] >= 60 and sizes[1] <= sizes[0] + 1, (label, sizes)
        row = output.locator(".widget-hbox", has=page.locator(".widget-hslider")).filter(visible=True).first
        page.screenshot(path=str(ARTIFACTS / "keyboard-stepper-200pct.png"))
        assert row.evaluate("r => r.scrollWidth <= r.clientWidth + 1"), row.evaluate(
            "r => [r.scrollWidth, r.clientWidth]")
        handle = output.locator(".noUi-handle").filter(visible=True).first
        assert handle.bounding_box()["width"] > 0
        # QA 19: at 1024x768 with the file browser the slider's track was a 15-px nub beside its
        # label and number; now it has room to be dragged, at 200 % too
        track = output.locator(".widget-hslider .noUi-target").filter(visible=True).first
        assert track.bounding_box()["width"] >= 120, track.bounding_box()
        lab_page.set_screen(page, 1024, 768, True)
        page.wait_for_timeout(500)
        assert track.bounding_box()["width"] >= 150, track.bounding_box()
    finally:
        lab_page.set_screen(page, 1024, 768, True)
