"""Hostile names and a huge cell in JupyterLab (issue 7, parts 3 and 4).

One notebook, written at test time into a temporary folder under the
server's root and removed afterwards, is run with Run All Cells:

* a `%%dezero` cell whose Variable names and Function class name carry
  payloads that would set `window.__pwned` if any of them became markup
  (an <img onerror>, a <script> after a closing </svg>, an attribute
  break-out with onload); after the run, and after clicking through the
  widget's tabs and stepper, `window.__pwned` must be unset and the DOM must
  hold no element or attribute from a payload;
* a `%%dezero` cell of 100,000 ops with a backward pass; once its output is
  on the screen the page must still answer: an animation-frame round trip
  and a click that selects a cell, each within 2 s. The figures measured
  go to artifacts/huge_cell_responsiveness.json (see docs/RELIABILITY.md);
* a graph wider than the screen: at every step of the stepper the popped
  function is inside the visible part of the figure's box.
"""
import json
import re
import shutil
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS, REPO
from dezero_magic.widgets.lazy_tab import NOT_BUILT

pytestmark = pytest.mark.browser

RESPONSIVE_S = 2.0
SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero.functions as F
from dezero import Variable, Function
P_IMG = '<img src=x onerror="window.__pwned=1">'
P_SCRIPT = '</svg><script>window.__pwned=2</script>'
P_ATTR = '"\\'><svg onload="window.__pwned=3"><img src=y onerror=window.__pwned=4>'
"""
# (its output is not called y: the next cells rebind y, and the Gradients tab, built when opened
# after Run All, would then say the output no longer exists instead of listing the hostile names)
HOSTILE = """\
%%dezero -b y_evil
Evil = type(P_IMG, (Function,), {'forward': lambda self, x: x * 2,
                                 'backward': lambda self, gy: gy * 2})
x = Variable(np.array([1.0, 2.0]), name=P_SCRIPT)
h = Evil()(x)
h.name = P_ATTR
y_evil = F.sum(F.exp(h))
y_evil.name = P_IMG
"""
HUGE = """\
%%dezero
x = Variable(np.array(0.5))
y = x
for i in range(50_000):
    y = F.sin(y) + 0.5
y.backward()
"""
AFTER = "print('after the huge cell')"
# Wider than any screen (about 9,000 px): the stepper must keep the popped function in view.
WIDE = """\
%%dezero --rankdir LR
x = Variable(np.array(0.5))
y = x
for i in range(30):
    y = F.sin(y) * 1.0
y.backward()
"""

FRAME_ROUND_TRIP = """() => new Promise(resolve => {
    const t0 = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
})"""
PAYLOAD_IN_DOM = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
            if (/^on/i.test(a.name)) bad.push(el.tagName + '[' + a.name + ']');
        }
    }
    for (const s of document.querySelectorAll('script')) {
        if (s.textContent.includes('__pwned')) bad.push('script: ' + s.textContent);
    }
    for (const img of document.querySelectorAll('img')) {
        const src = img.getAttribute('src');
        if (src === 'x' || src === 'y') bad.push('img src=' + src);
    }
    return bad;
}"""


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    """The notebook after Run All Cells, with the time each step took."""
    folder, path = lab_page.write_scratch_notebook(REPO, "hostile", "hostile_and_huge.ipynb",
                                                   [SETUP, HOSTILE, HUGE, AFTER, WIDE])
    page = lab_page.new_page(browser)
    context = page.context
    try:
        notebook = lab_page.open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
        lab_page.run_all_cells(page)
        started = time.monotonic()
        huge_output = lab_page.output_of_cell(notebook, 2).locator("svg [data-node-id]").first
        expect(huge_output).to_be_attached(timeout=240_000)
        figures = {"run_all_to_huge_output_s": time.monotonic() - started}
        # At once, while the widget view of the huge graph is being laid out:
        figures["frame_round_trip_ms"] = page.evaluate(FRAME_ROUND_TRIP)
        cell = notebook.locator(".jp-CodeCell").nth(1)
        started = time.monotonic()
        cell.locator(".jp-InputPrompt").click()
        expect(cell).to_have_class(re.compile(r"\bjp-mod-selected\b"), timeout=30_000)
        figures["click_to_select_s"] = time.monotonic() - started
        lab_page.wait_all_executed(notebook, timeout_s=120)
        lab_page.wait_kernel_idle(page, timeout_s=60)
        figures["frame_round_trip_idle_ms"] = page.evaluate(FRAME_ROUND_TRIP)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "huge_cell_responsiveness.json").write_text(json.dumps(figures, indent=1))
        yield page, notebook, figures
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hostile-and-huge.png"))
        context.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_hostile_names_set_no_flag_and_add_no_markup(ran):
    page, notebook, _ = ran
    output = lab_page.output_of_cell(notebook, 1)
    expect(output.locator("svg [data-node-id]").first).to_be_attached(timeout=30_000)
    # the names reached the page, as text
    expect(output.get_by_text("window.__pwned=2", exact=False).first).to_be_attached()
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate(PAYLOAD_IN_DOM) == []
    # every tab, and the stepper through the whole backward pass
    for tab in output.locator(".lm-TabBar-tab, .p-TabBar-tab").all():
        tab.click()
        # Backward, Gradients and Memory are built in the kernel when first opened:
        # wait for the page, so that its names are in the DOM searched below
        expect(output.get_by_text(NOT_BUILT[:40]).filter(visible=True)).to_have_count(0, timeout=60_000)
        for button in output.locator("button", has_text="next").all():
            for _ in range(6):
                # the kernel disables "next" at the last step, a round trip after the click
                if not (button.is_visible() and button.is_enabled()):
                    break
                try:
                    button.click(timeout=5_000)
                except PlaywrightTimeoutError:
                    break
        page.evaluate(FRAME_ROUND_TRIP)
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate(PAYLOAD_IN_DOM) == []
    # the gradient table names x and y: built when its tab opened, it reaches the page as text
    output.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Gradients").first.click()
    expect(output.locator(".dz-gradients-table").get_by_text("window.__pwned=2", exact=False).first) \
        .to_be_attached(timeout=60_000)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate(PAYLOAD_IN_DOM) == []
    # hovering a node shows its <title> (the name) as a tooltip, never markup
    tabs = output.locator(".lm-TabBar-tab, .p-TabBar-tab")
    if tabs.count():
        tabs.first.click()
    output.locator("svg [data-node-id]:visible").first.hover()
    assert page.evaluate("window.__pwned") is None
    assert lab_page.error_outputs(notebook) == []


def test_the_page_stays_responsive_after_the_huge_output(ran):
    page, notebook, figures = ran
    print(f"huge cell: frame round trip {figures['frame_round_trip_ms']:.0f} ms right after the "
          f"output appeared, {figures['frame_round_trip_idle_ms']:.0f} ms when idle; "
          f"click to select {figures['click_to_select_s']:.2f} s")
    assert figures["frame_round_trip_ms"] < RESPONSIVE_S * 1000
    assert figures["click_to_select_s"] < RESPONSIVE_S
    output = lab_page.output_of_cell(notebook, 2)
    assert 0 < output.locator("svg [data-node-id]").count() <= 2 * 300  # the capped view
    expect(lab_page.output_of_cell(notebook, 3)).to_contain_text("after the huge cell")
    assert lab_page.widget_failures(notebook) == []
    assert lab_page.relevant_console_errors(page.console_errors) == []


IN_VIEW = """(figure) => {
    const box = figure.getBoundingClientRect();
    // (the stepper may hold two drawings and show one: the highlight of the one shown)
    const node = [...figure.querySelectorAll('.dz-func.dz-highlight')]
        .find(n => n.getBoundingClientRect().width > 0);
    if (!node) return 'no highlighted function';
    const r = node.getBoundingClientRect();
    return r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top
        && r.bottom <= box.bottom ? 'in view' : JSON.stringify({box: [box.left, box.right, box.top, box.bottom],
                                                                node: [r.left, r.right, r.top, r.bottom]});
}"""


def test_the_stepper_keeps_the_popped_function_in_view_on_a_wide_graph(ran):
    page, notebook, _ = ran
    output = lab_page.output_of_cell(notebook, 4)
    expect(output.locator("svg [data-node-id]").first).to_be_attached(timeout=60_000)
    output.scroll_into_view_if_needed()
    output.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Backward").first.click()
    expect(output.get_by_text(NOT_BUILT[:40]).filter(visible=True)).to_have_count(0, timeout=60_000)
    figure = output.locator(".dz-figure").filter(visible=True).first
    expect(figure.locator(".dz-func.dz-highlight").filter(visible=True)).to_have_count(1, timeout=30_000)
    step = output.get_by_text(re.compile(r"Step \d+ of (the )?[\d,]+")).filter(visible=True).first
    nxt = output.locator("button", has_text="next").first
    for k in range(1, 5):
        expect(step).to_contain_text(f"Step {k} of", timeout=30_000)
        figure.scroll_into_view_if_needed()
        assert figure.evaluate(IN_VIEW) == "in view", k
        nxt.click()
    assert lab_page.widget_failures(notebook) == []


def test_fit_shrinks_a_wide_graph_into_its_box(ran):
    page, notebook, _ = ran
    output = lab_page.output_of_cell(notebook, 4)
    output.scroll_into_view_if_needed()
    output.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Graph").first.click()
    figure = output.locator(".dz-figure").filter(visible=True).first
    svg = figure.locator("svg.dz-graph")
    wide = svg.bounding_box()
    assert wide["width"] > figure.bounding_box()["width"]  # at full size it scrolls
    output.locator("button", has_text="fit").first.click()
    expect(output.get_by_text("shrunk to fit").first).to_be_visible(timeout=30_000)
    box = figure.bounding_box()
    fitted = figure.locator("svg.dz-graph").bounding_box()
    assert fitted["width"] <= box["width"] + 1 and fitted["height"] <= box["height"] + 1
    assert page.evaluate(FRAME_ROUND_TRIP) < RESPONSIVE_S * 1000
