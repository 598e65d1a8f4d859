"""The Backward tab's Play in JupyterLab (a lecturer's QA session).

QA found: re-running a `%%dezero` cell while its stepper played (repeat on)
left the browser's Play timer ticking on a closed model, which threw
"Uncaught Syncing error: no comm channel defined" every 1.5 s for good;
pressing play jumped to step 2 at once; the play buttons had no tooltip;
the step panel grew and shrank by a line between steps, so everything
below it jumped. One notebook, written at test time into a temporary
folder under the server's root and removed afterwards, is run with Run All
Cells; each test drives one cell's Backward tab as a person does.
"""
import re
import time

import pytest
from playwright.sync_api import expect

import lab_page

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero.functions as F
from dezero import Variable
"""
# Six steps: Add (two grads out: three lines) and Sin (one: two lines) in turn.
CHAIN = """\
%%dezero
x = Variable(np.array(0.5), name="x")
y = x
for i in range(3):
    y = F.sin(y) + 0.5
y.backward()
"""
CELLS = [SETUP, CHAIN, CHAIN]   # cell 1 is stepped, cell 2 re-run while it plays
STEP = re.compile(r"Step \d+ of (the )?[\d,]+")


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "playing", "rerun_while_playing.ipynb", CELLS,
                                       screenshot="rerun-while-playing.png") as (page, notebook):
        yield page, notebook


def _backward(output):
    """Open the Backward tab of a cell's output; the locator of its step title."""
    output.scroll_into_view_if_needed()
    output.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Backward").first.click()
    title = output.get_by_text(STEP).filter(visible=True).first
    expect(title).to_contain_text(" of 6: ", timeout=60_000)   # built in the kernel when first opened
    return title


def _button(output, icon):
    """One of the Play's buttons, by its Font Awesome icon (play, pause, stop, retweet)."""
    return output.locator(f".widget-play button:has(i.fa-{icon})").filter(visible=True).first


def test_play_says_what_it_does_and_shows_the_step_before_advancing(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 1)
    title = _backward(output)
    expect(title).to_contain_text("Step 1 of 6")
    tip = output.locator(".widget-play").first.get_attribute("title") or ""
    assert "every 1.5 s" in tip and "off until pressed" in tip, tip
    started = time.monotonic()
    _button(output, "play").click()
    expect(title).to_contain_text("Step 2 of 6", timeout=20_000)
    waited = time.monotonic() - started
    _button(output, "pause").click()
    # the browser's timer set at the click lets step 2 come no sooner than 1.5 s;
    # before, it came one round trip to the kernel after the click
    assert waited >= 1.2, f"step 2 came {waited:.2f} s after play was pressed"
    expect(output.locator(".widget-play i.fa-play")).to_have_count(1, timeout=10_000)


# The top of the explanation under the step and queue panels, from the top of the output.
BELOW_PANELS = """([output, text]) => {
    const el = [...output.querySelectorAll('.widget-html-content div')]
        .find(d => d.children.length === 0 && d.textContent.startsWith(text));
    return el ? el.getBoundingClientRect().top - output.getBoundingClientRect().top : null;
}"""


def test_the_step_panel_keeps_its_height_from_step_to_step(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 1)
    title = _backward(output)
    _button(output, "stop").click()                       # stop: back to step 1
    expect(title).to_contain_text("Step 1 of 6", timeout=20_000)
    tops = []
    for k in range(1, 7):
        if k > 1:
            output.locator("button", has_text="next").filter(visible=True).first.click()
            expect(title).to_contain_text(f"Step {k} of 6", timeout=20_000)
        tops.append(page.evaluate(BELOW_PANELS, [output.element_handle(), "Generation order"]))
    assert None not in tops, tops
    assert max(tops) - min(tops) <= 1, f"what is below the step panel moved: {tops}"


def test_rerunning_the_cell_while_it_plays_leaves_no_timer_behind(ran):
    page, notebook = ran
    output = lab_page.output_of_cell(notebook, 2)
    title = _backward(output)
    expect(title).to_contain_text("Step 1 of 6")
    _button(output, "retweet").click()
    expect(output.locator(".widget-play button.mod-active:has(i.fa-retweet)")).to_have_count(1, timeout=10_000)
    _button(output, "play").click()
    expect(title).to_contain_text("Step 2 of 6", timeout=20_000)   # it plays
    cell = notebook.locator(".jp-CodeCell").nth(2)
    before = cell.locator(".jp-InputPrompt").inner_text().strip()
    page.console_errors.clear()
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")                    # run the selected cell again
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = cell.locator(".jp-InputPrompt").inner_text().strip()
        if now != before and lab_page.PROMPT_DONE.match(now):
            break
        time.sleep(0.3)
    else:
        raise AssertionError(f"the cell was not run again (prompt {before!r})")
    lab_page.wait_kernel_idle(page, timeout_s=60)
    page.wait_for_timeout(4_000)                          # more than two of the old timer's ticks
    comm = [m for m in page.console_errors if "comm" in m.lower()]
    assert comm == [], comm
    assert lab_page.widget_failures(notebook) == []
