"""A saved notebook, reopened in JupyterLab, shows its graphs.

The lecturer's path, as a person does it: Run All Cells, save (Ctrl+S),
Kernel > Shut Down Kernel, close the tab, open the file again. Without saved
widget state every `%%dezero` output would read "Error displaying widget:
model not found" (JupyterLab renders the widget mime type and has no other
to fall back on); scripts/setup_env.sh turns on the jupyterlab-manager's
saveState for the environment, and the saved widget views show the graphs.

Then the same file as someone else's (untrusted: its signature no longer
matches): JupyterLab shows the sanitized text/html, which must show the
graph as a picture (dezero_magic.trace), not the SVG's labels as run-on text.

The notebook is written at test time into a temporary folder under the
server's root and removed afterwards.
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

pytestmark = pytest.mark.browser

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SETTINGS = "/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin"
# One label a graph draws for each %%dezero cell: the variables' names.
NAMES = ("lecture_x", "lecture_w")
CELLS = [
    "%load_ext dezero_magic\nimport numpy as np\nimport dezero.functions as F\nfrom dezero import Variable",
    '%%dezero\nx = Variable(np.array(2.0), name="lecture_x")\ny = F.exp(F.square(x))\ny.backward()',
    '%%dezero\nw = Variable(np.array([1.0, 2.0]), name="lecture_w")\nz = F.sum(F.tanh(w) * w)\nz.backward()',
]
DEZERO_CELLS = (1, 2)  # code-cell indices of the %%dezero cells, in NAMES order


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{item}$")).click()


def _wait_saved(path, timeout_s):
    """The file on disk once it holds the outputs of the %%dezero cells."""
    deadline = time.monotonic() + timeout_s
    saved = {}
    while time.monotonic() < deadline:
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError):
            saved = {}
        if saved and all(saved["cells"][i]["outputs"] for i in DEZERO_CELLS):
            return saved
        time.sleep(0.5)
    raise AssertionError(f"the notebook was not saved with its outputs in {timeout_s} s")


def _graph_shown(notebook, where):
    """Every %%dezero output shows its graph: an SVG node with its variable's name."""
    for cell, name in zip(DEZERO_CELLS, NAMES):
        output = lab_page.output_of_cell(notebook, cell)
        node = output.locator("svg [data-node-id]", has_text=name).first
        expect(node, f"{where}: the graph of cell {cell}").to_be_visible(timeout=60_000)
    texts = notebook.locator(".jp-OutputArea-output").all_inner_texts()
    assert not [t for t in texts if "model not found" in t], f"{where}: {texts}"
    assert lab_page.widget_failures(notebook) == [], where


@pytest.fixture(scope="module")
def saved(browser, lab_server):
    """The notebook run, saved, its kernel shut down and its tab closed:
    (page, path, the saved file's JSON)."""
    folder, path = lab_page.write_scratch_notebook(REPO, "reopen", "reopen.ipynb", CELLS)
    page = lab_page.new_page(browser)
    try:
        notebook = lab_page.open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
        lab_page.run_all_cells(page)
        lab_page.wait_all_executed(notebook, timeout_s=120)
        _graph_shown(notebook, "after Run All")
        notebook.locator(".jp-CodeCell .jp-InputPrompt").first.click()  # command mode, in the notebook
        page.keyboard.press("Control+s")
        saved_json = _wait_saved(path, timeout_s=60)
        _menu(page, "Kernel", "Shut Down Kernel")
        accept = page.locator(".jp-Dialog .jp-mod-accept")  # some versions ask first
        try:
            accept.click(timeout=3_000)
        except PlaywrightTimeoutError:  # no dialog: nothing to confirm
            pass
        expect(page.locator("#jp-main-statusbar")).to_contain_text("No Kernel", timeout=60_000)
        _menu(page, "File", "Close Tab")
        expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")).to_have_count(0, timeout=30_000)
        yield page, path, saved_json
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "saved-notebook-closed.png"))
        page.context.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_this_environment_saves_widget_state_by_default(saved, lab_server):
    schema = lab_server.api(SETTINGS)["schema"]
    assert schema["properties"]["saveState"]["default"] is True, (
        "JupyterLab's widget manager does not save widget state by default here: "
        "scripts/setup_env.sh installs the settings override that turns it on")
    _, _, saved_json = saved
    state = saved_json["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    assert state, f"saved without widget state; metadata: {saved_json['metadata']}"


def test_reopened_in_the_same_session_shows_the_graphs(saved):
    page, path, _ = saved
    # as a person does: the file browser still lists the file; double-click it
    item = page.locator(".jp-DirListing-item", has_text=path.name)
    expect(item).to_be_visible(timeout=30_000)
    item.dblclick()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel).to_have_count(1, timeout=60_000)
    try:
        _graph_shown(panel, "reopened")
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "saved-notebook-reopened.png"))
    assert lab_page.relevant_console_errors(page.console_errors) == []


def test_reopened_in_a_new_browser_session_shows_the_graphs(saved, browser, lab_server):
    _, path, _ = saved
    page = lab_page.new_page(browser)
    try:
        notebook = lab_page.open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
        _graph_shown(notebook, "reopened in a new page")
        assert lab_page.relevant_console_errors(page.console_errors) == []
    finally:
        page.context.close()


UNTRUSTED_VIEW = """(area) => {
    const output = area.querySelector('.jp-OutputArea-output');
    const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
    const pictures = [...output.querySelectorAll('.dz-untrusted > div')].filter(d =>
        getComputedStyle(d).backgroundImage.startsWith('url("data:image/svg+xml;base64,'));
    return {mime: output.getAttribute('data-mime-type'), pictures: pictures.map(box),
            svgs: output.querySelectorAll('svg').length, text: output.innerText.trim()};
}"""


def test_reopened_untrusted_shows_each_graph_as_a_picture(saved, browser, lab_server):
    _, path, _ = saved
    untrusted = path.with_name("untrusted.ipynb")
    data = json.loads(path.read_text())
    data["metadata"]["edited_elsewhere"] = True  # the signature of the saved file no longer matches
    untrusted.write_text(json.dumps(data))
    page = lab_page.new_page(browser)
    try:
        notebook = lab_page.open_notebook(page, lab_server, untrusted.relative_to(REPO).as_posix())
        for cell in DEZERO_CELLS:
            output = lab_page.output_of_cell(notebook, cell)
            expect(output.locator(".dz-untrusted").first).to_be_visible(timeout=60_000)
            view = output.evaluate(UNTRUSTED_VIEW)
            assert view["mime"] == "text/html", view
            assert len(view["pictures"]) == 1 and min(view["pictures"][0]) > 20, view
            # the sanitizer dropped the inline SVG; its labels must not be left as text
            assert view["svgs"] == 0 and re.fullmatch(r"\d+ functions, \d+ variables;.*", view["text"]), view
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "saved-notebook-untrusted.png"))
        assert lab_page.relevant_console_errors(page.console_errors) == []
    finally:
        page.context.close()
