"""Driving a notebook in JupyterLab the way a person does, for the browser tests.

Everything here reads what is on the screen (the DOM), not the kernel's
state, so a test fails when a person would see something wrong.
"""
import contextlib
import re
import shutil
import time
import uuid
from pathlib import Path

from playwright.sync_api import expect

from dezero_magic.widgets.lazy_tab import NOT_BUILT

# Console messages that are not about the product: the browser asking the
# network for things a sandboxed test machine cannot reach. Listed here so a
# reader sees exactly what a test forgives.
IGNORED_CONSOLE = (
    re.compile(r"Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|NAME_NOT_RESOLVED|CONNECTION_REFUSED)"),
    re.compile(r"favicon"),
    # test_hostile_and_huge deletes its scratch folder; the file browser of
    # later pages (same server, same workspace) still asks for it once.
    re.compile(r"status of 404 .*/api/contents/tests/browser/_tmp_"),
)

# Here, not in conftest.py: `from conftest import ...` found another folder's
# conftest when a run collected tests/dezero_magic or tests/notebooks first.
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"

PROMPT_DONE = re.compile(r"^\[\d+\]:$")
TABS = ".lm-TabBar-tab, .p-TabBar-tab"  # a view's tabs (JupyterLab 4 and 3)


def open_notebook(page, lab_server, path):
    """Open `path` (relative to the server's root) in a workspace of its own
    and wait for an idle kernel; returns the locator of its panel, pinned by
    the panel's id.

    A fresh workspace: the default one remembers notebooks that earlier tests
    opened on the same server, and a locator such as "the first visible
    notebook" could then pick one of those while the workspace is restored.
    """
    workspace = "test-" + uuid.uuid4().hex[:12]
    page.goto(lab_server.url(f"/lab/workspaces/{workspace}/tree/{path}") + "&reset",
              wait_until="domcontentloaded")
    name = path.rsplit("/", 1)[-1]
    current_tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    expect(current_tab).to_have_text(name, timeout=120_000)
    panels = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panels).to_have_count(1, timeout=60_000)
    panel_id = panels.first.get_attribute("id")
    assert panel_id, "the notebook panel has no id to pin it by"
    notebook = page.locator(f'[id="{panel_id}"]')
    expect(notebook.locator(".jp-Cell").first).to_be_visible(timeout=120_000)
    wait_kernel_idle(page, timeout_s=120)
    return notebook


def wait_kernel_idle(page, timeout_s):
    """Wait until the status bar shows a started kernel, idle ("Python 3 (ipykernel) | Idle").

    The toolbar's execution indicator also reads "idle" before any kernel is
    connected ("No Kernel"), and Run All then does nothing, so read the text.
    """
    status = page.locator("#jp-main-statusbar")
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = status.inner_text()
        if "| Idle" in text and "No Kernel" not in text:
            return
        time.sleep(0.5)
    raise AssertionError(f"no idle kernel after {timeout_s} s; status bar: {text!r}")


def run_all_cells(page):
    """Run > Run All Cells, from the menu bar."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def wait_all_executed(notebook, timeout_s):
    """Wait until every code cell shows an execution count "[n]:" (not "[*]:").

    Run All stops at a cell that fails; then nothing is running any more and
    the error is on the screen, so say so at once instead of waiting.
    """
    prompts = notebook.locator(".jp-CodeCell .jp-InputPrompt")
    deadline = time.monotonic() + timeout_s
    texts = []
    while time.monotonic() < deadline:
        texts = [t.strip() for t in prompts.all_inner_texts()]
        if texts and all(PROMPT_DONE.match(t) for t in texts):
            return texts
        if "[*]:" not in texts and any(PROMPT_DONE.match(t) for t in texts):
            errors = error_outputs(notebook)
            if errors:
                raise AssertionError(f"Run All stopped at an error; prompts {texts}; errors: {errors}")
        time.sleep(0.5)
    raise AssertionError(f"cells did not all finish in {timeout_s} s; prompts: {texts}")


def error_outputs(notebook):
    """Text of every error or stderr output shown in the notebook."""
    outputs = notebook.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        ".jp-OutputArea-output.jp-mod-error"
    )
    return outputs.all_inner_texts()


def widget_failures(notebook):
    """Outputs where a widget should be but is not (not rendered or broken)."""
    texts = notebook.locator(".jp-OutputArea-output").all_inner_texts()
    bad = ("Error displaying widget", "Loading widget...", "Error rendering widget")
    return [t for t in texts if any(b in t for b in bad)]


def new_page(browser):
    """A page in a fresh 1280x900 context whose `console_errors` lists every
    console error (with the URL it came from) and uncaught page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.console_errors = []

    def on_console(message):
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            page.console_errors.append(f"{message.text} [{where}]" if where else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: page.console_errors.append(f"pageerror: {e}"))
    return page


def relevant_console_errors(messages):
    return [m for m in messages if not any(p.search(m) for p in IGNORED_CONSOLE)]


def output_of_cell(notebook, index):
    """The output area of the index-th code cell (0-based)."""
    return notebook.locator(".jp-CodeCell").nth(index).locator(".jp-OutputArea")


def write_scratch_notebook(root, prefix, name, cells):
    """Write `cells` (code sources) as a notebook `name` into a new folder
    tests/browser/_tmp_<prefix>_<random>/ under the repository `root`;
    returns (folder, path). The caller removes the folder."""
    import json

    folder = root / "tests" / "browser" / f"_tmp_{prefix}_{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    path = folder / name
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": source} for i, source in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                    "name": "python3"}, "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }))
    return folder, path


@contextlib.contextmanager
def scratch_notebook_run(browser, lab_server, prefix, name, cells, timeout_s=180, screenshot=None):
    """(page, notebook) of `cells` written as a scratch notebook (`write_scratch_notebook`),
    opened and run to the end; afterwards `screenshot` (a file name in ARTIFACTS) is
    taken, the page closed and the folder removed."""
    folder, path = write_scratch_notebook(REPO, prefix, name, cells)
    page = new_page(browser)
    try:
        notebook = open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
        run_all_cells(page)
        wait_all_executed(notebook, timeout_s=timeout_s)
        wait_kernel_idle(page, timeout_s=60)
        yield page, notebook
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        if screenshot:
            page.screenshot(path=str(ARTIFACTS / screenshot))
        page.context.close()
        shutil.rmtree(folder, ignore_errors=True)


def set_screen(page, width, height, file_browser):
    """Resize the window to `width` x `height` with JupyterLab's file browser
    open or closed (at 1024 px, open, it leaves a figure box of ~550 px)."""
    page.set_viewport_size({"width": width, "height": height})
    tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]')
    if tab.count() and file_browser != ("lm-mod-current" in (tab.get_attribute("class") or "")):
        tab.click()
    if file_browser:
        expect(page.locator("#filebrowser")).to_be_visible()
    else:
        expect(page.locator("#filebrowser")).to_be_hidden()
    page.wait_for_timeout(300)   # the notebook panel is laid out again


def open_tab(output, title):
    """Click the view's tab `title` and wait until its lazily built panel is there."""
    output.scroll_into_view_if_needed()
    output.locator(TABS).filter(has_text=re.compile(f"^{title}$")).first.click()
    expect(output.get_by_text(NOT_BUILT[:40]).filter(visible=True)).to_have_count(0, timeout=60_000)


def visible_figure(output):
    """The visible figure box of a view, once its graph is drawn, scrolled into sight."""
    figure = output.locator(".dz-figure").filter(visible=True).first
    # (the stepper may hold two drawings, the whole graph and a window, and show one: the box decides)
    expect(figure.locator("svg.dz-graph").filter(visible=True)).to_have_count(1, timeout=30_000)
    figure.scroll_into_view_if_needed()
    return figure
