"""The browser harness itself: JupyterLab renders ipywidgets and inline SVG,
and a click reaches the kernel and comes back. When this fails, the tour test
below cannot tell anything about the product."""
import pytest
from playwright.sync_api import expect

import lab_page

pytestmark = pytest.mark.browser


def test_widget_round_trip(page, lab_server):
    notebook = lab_page.open_notebook(page, lab_server, "tests/browser/harness.ipynb")
    lab_page.run_all_cells(page)
    lab_page.wait_all_executed(notebook, timeout_s=90)
    output = lab_page.output_of_cell(notebook, 0)
    expect(output.locator('svg [data-node-id="v0"]')).to_have_count(1, timeout=30_000)
    button = output.locator("button", has_text="clicks: 0")
    expect(button).to_be_visible(timeout=30_000)
    button.click()
    expect(output.locator("button", has_text="clicks: 1")).to_be_visible(timeout=30_000)
    assert lab_page.error_outputs(notebook) == []
    assert lab_page.widget_failures(notebook) == []
    assert lab_page.relevant_console_errors(page.console_errors) == []
