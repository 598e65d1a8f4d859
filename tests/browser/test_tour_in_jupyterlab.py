"""The tour, as a person sees it: JupyterLab in headless Chromium, Run All
Cells, then look at and click the %%dezero outputs.

One run of the notebook per module (a module fixture); each test checks one
thing a person would notice. Screenshots go to artifacts/; the one of the
first graph replaces docs/tour.png (the README's picture) only when
DEZERO_REFRESH_TOUR_PNG=1 is set, so a test run leaves the checkout clean.
"""
import os
import re
import shutil

import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS, REPO

pytestmark = pytest.mark.browser

TOUR = "notebooks/00_tour.ipynb"
DOCS_SCREENSHOT = REPO / "docs" / "tour.png"
# JupyterLab 4 puts no data-mime-type on widget outputs; the widget's own class marks them.
WIDGET_OUTPUT = ".jp-OutputArea-output:has(.jupyter-widgets)"
GRAPH_NODE = "svg [data-node-id]"


def _source(cell):
    """The code of a cell as shown in its editor."""
    return cell.locator(".jp-InputArea-editor").inner_text()


class Tour:
    """The executed tour: the page, the notebook and its %%dezero cells."""

    def __init__(self, page, notebook):
        self.page = page
        self.notebook = notebook
        # Sources from the file, not the editors: CodeMirror may not have drawn them yet.
        import json
        code = [c for c in json.loads((REPO / TOUR).read_text())["cells"] if c["cell_type"] == "code"]
        self.sources = {}
        cells = notebook.locator(".jp-CodeCell")
        self.dezero_cells = []
        for i, cell in enumerate(code):
            text = "".join(cell["source"])
            if re.match(r"\s*%%?dezero\b", text):
                self.dezero_cells.append(cells.nth(i))
                self.sources[len(self.dezero_cells) - 1] = text

    def cell(self, magic_line):
        """The %%dezero cell whose first line starts with `magic_line`."""
        for k, cell in enumerate(self.dezero_cells):
            if self.sources[k].strip().startswith(magic_line):
                return cell
        raise AssertionError(f"no cell starting with {magic_line!r} in the tour")


@pytest.fixture(scope="module")
def tour(browser, lab_server):
    page = lab_page.new_page(browser)
    context = page.context
    tour_file = REPO / TOUR
    before = tour_file.read_bytes()
    try:
        notebook = lab_page.open_notebook(page, lab_server, TOUR)
        lab_page.run_all_cells(page)
        lab_page.wait_all_executed(notebook, timeout_s=150)
        lab_page.wait_kernel_idle(page, timeout_s=60)
        yield Tour(page, notebook)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tour-final.png"))
        context.close()
        # Autosave is off; make sure a save never leaves outputs in the committed notebook.
        if tour_file.read_bytes() != before:
            tour_file.write_bytes(before)
            pytest.fail("JupyterLab wrote to notebooks/00_tour.ipynb during the test (restored)")


def test_every_cell_ran_without_error(tour):
    assert len(tour.dezero_cells) >= 6
    assert lab_page.error_outputs(tour.notebook) == []
    assert lab_page.widget_failures(tour.notebook) == []


def test_every_dezero_cell_shows_a_widget_with_a_graph(tour):
    for k, cell in enumerate(tour.dezero_cells):
        source = cell
        widget = cell.locator(WIDGET_OUTPUT)
        expect(widget.first, f"no widget under {source!r}").to_be_visible(timeout=30_000)
        if "--modes" in tour.sources[k].splitlines()[0]:
            # --modes opens on the Memory tab, where the mode buttons are; the graph is a click away
            tabs = widget.locator(".lm-TabBar-tab")
            expect(widget.locator(".lm-TabBar-tab.lm-mod-current").first).to_have_text(re.compile(r"^\s*Memory\s*$"))
            expect(widget.get_by_text("Mode:").filter(visible=True)).to_have_count(1, timeout=30_000)
            cell.scroll_into_view_if_needed()
            tabs.filter(has_text=re.compile(r"^Graph$")).first.click()
        expect(widget.locator(GRAPH_NODE).first, f"no graph in the widget of {source!r}") \
            .to_be_visible(timeout=30_000)


def test_first_graph_has_the_expected_nodes(tour):
    cell = tour.cell("%%dezero -b y")
    graph = cell.locator(WIDGET_OUTPUT).locator("svg").filter(has=tour.page.locator("[data-node-id]")).first
    cell.scroll_into_view_if_needed()
    texts = [t.strip() for t in graph.locator("[data-node-id] text").all_text_contents()]  # SVG has no innerText
    for label in ("x", "y", "Tanh", "Exp", "Mul", "Pow", "Add"):
        assert label in texts, f"{label!r} not among the node texts {texts}"
    assert graph.locator(".dz-var").count() >= 5
    assert graph.locator(".dz-func").count() == 5
    box = graph.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 60, box
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "tour.png"
    tour.page.screenshot(path=str(shot))
    assert shot.stat().st_size < 500_000
    if os.environ.get("DEZERO_REFRESH_TOUR_PNG") == "1":
        shutil.copyfile(shot, DOCS_SCREENSHOT)


def _visible_highlight(widget):
    highlight = widget.locator(".dz-func.dz-highlight[data-node-id]").filter(visible=True)
    expect(highlight.first).to_be_visible(timeout=30_000)
    return highlight.first.get_attribute("data-node-id")


def _open_tab(widget, name):
    """Select the tab `name` when the views are tabs (a no-op otherwise)."""
    tab = widget.locator(".lm-TabBar-tab", has_text=re.compile(name, re.I))
    if tab.count():
        tab.first.click()


def test_next_moves_the_backward_highlight(tour):
    cell = tour.cell("%%dezero\nx = Variable(np.array(2.0)")
    widget = cell.locator(WIDGET_OUTPUT).first
    cell.scroll_into_view_if_needed()
    _open_tab(widget, "backward|stepper")
    next_button = widget.get_by_role("button", name=re.compile(r"next", re.I)).filter(visible=True).first
    expect(next_button).to_be_visible(timeout=30_000)
    first = _visible_highlight(widget)
    next_button.click()
    expect(widget.locator(".dz-func.dz-highlight[data-node-id]").filter(visible=True).first) \
        .not_to_have_attribute("data-node-id", first, timeout=30_000)
    second = _visible_highlight(widget)
    assert second.startswith("f") and second != first
    tour.page.screenshot(path=str(ARTIFACTS / "tour-stepper.png"))


def test_memory_mode_switch_changes_the_figures(tour):
    cell = tour.cell("%%dezero --modes")
    widget = cell.locator(WIDGET_OUTPUT).first
    cell.scroll_into_view_if_needed()
    _open_tab(widget, "memory")
    modes = widget.locator(".widget-toggle-buttons").filter(visible=True).first
    expect(modes).to_be_visible(timeout=30_000)
    buttons = modes.locator("button")
    assert buttons.count() >= 2
    before = widget.inner_text()
    target = next(i for i in range(buttons.count())
                  if "mod-active" not in (buttons.nth(i).get_attribute("class") or ""))
    buttons.nth(target).click()
    expect(buttons.nth(target)).to_have_class(re.compile("mod-active"), timeout=30_000)
    expect(widget).not_to_have_text(before, timeout=30_000)
    tour.page.screenshot(path=str(ARTIFACTS / "tour-memory.png"))


def test_no_console_errors(tour):
    # Runs last in this module: every click above has happened.
    errors = lab_page.relevant_console_errors(tour.page.console_errors)
    assert errors == [], errors
