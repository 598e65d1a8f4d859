"""Book step 60's LSTM in JupyterLab on a lecturer's screen: the Graph tab's
box opens on the output end in both directions (QA: it opened scrolled to the
right end but at the top, and `loss`, centred ~550 px down, lay below the box:
an empty-looking box, at 1024x768, with the file browser open, at 1280x800
and with "large" on). No JavaScript of ours: the box's own scroll start.

One scratch notebook is run with Run All Cells; screenshots go to
artifacts/output-end-*.png.
"""
import pytest
from playwright.sync_api import expect

import lab_page
from lab_page import ARTIFACTS

pytestmark = pytest.mark.browser

SETUP = """\
%load_ext dezero_magic
import numpy as np
import dezero.functions as F
import dezero.layers as L
from dezero import Model
"""
LSTM = """\
%%dezero -o tr
class BetterRNN(Model):
    def __init__(self, hidden_size, out_size):
        super().__init__()
        self.rnn = L.LSTM(hidden_size)
        self.fc = L.Linear(out_size)
    def forward(self, x):
        return self.fc(self.rnn(x))
np.random.seed(0)
xs = np.sin(np.linspace(0, 2 * np.pi, 31)).reshape(-1, 1, 1)
model = BetterRNN(10, 1)
loss = 0
for x, t in zip(xs[:-1], xs[1:]):
    y = model(x)
    loss += F.mean_squared_error(y, t)
model.cleargrads()
loss.backward()
"""
STATIC = """\
from IPython.display import HTML
HTML(tr.html())
"""
CELLS = [SETUP, LSTM, STATIC]
SCREENS = {"1024x768": (1024, 768, False), "1024x768-file-browser": (1024, 768, True),
           "1280x800": (1280, 800, False)}

# [label, whether its node lies wholly inside the figure box, whether any of it is] for y and loss,
# and the box's scroll state.
OUTPUTS_IN_BOX = """(figure) => {
    const box = figure.getBoundingClientRect();
    const svg = [...figure.querySelectorAll('svg.dz-graph')].find(s => s.getClientRects().length > 0);
    const found = [];
    for (const g of svg.querySelectorAll('g.dz-var')) {
        const label = g.querySelector('text') && g.querySelector('text').textContent;
        if (label !== 'y' && label !== 'loss') continue;
        const r = g.getBoundingClientRect();
        found.push([label, r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                    && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
                    r.width > 0 && r.right > box.left && r.left < box.right && r.bottom > box.top
                    && r.top < box.bottom]);
    }
    return {found, scroll: [figure.scrollLeft, figure.scrollTop, figure.scrollWidth, figure.scrollHeight,
                            figure.clientWidth, figure.clientHeight]};
}"""
# Whether the grad scale lies wholly inside the figure box.
LEGEND_IN_BOX = """(figure) => {
    const box = figure.getBoundingClientRect();
    const legend = [...figure.querySelectorAll('.dz-legend')].find(l => l.getClientRects().length > 0);
    if (!legend) return false;
    const r = legend.getBoundingClientRect();
    return r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5
        && r.bottom <= box.bottom + 0.5;
}"""


@pytest.fixture(scope="module")
def ran(browser, lab_server):
    with lab_page.scratch_notebook_run(browser, lab_server, "output_end", "output_end.ipynb", CELLS,
                                       timeout_s=240) as (page, notebook):
        yield page, notebook


def _graph_box(page, notebook, screen):
    lab_page.set_screen(page, *SCREENS[screen])
    output = lab_page.output_of_cell(notebook, 1)
    lab_page.open_tab(output, "Graph")
    return output, lab_page.visible_figure(output)


def _assert_outputs_in_box(page, figure, where, y_too=True):
    state = page.evaluate(OUTPUTS_IN_BOX, figure.element_handle())
    scroll = state["scroll"]
    assert scroll[3] > scroll[5] + 1 and scroll[2] > scroll[4] + 1, ("the box should scroll both ways", where, state)
    found = {label: (inside, seen) for label, inside, seen in state["found"]}
    assert sorted(found) == ["loss", "y"], (where, state)
    # loss whole; y (the model's output, ~460 px left of loss) at least in part in the narrowest box
    assert found["loss"][0] and (found["y"][1] or not y_too), (where, state)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_lstm_graph_opens_on_its_output(ran, screen):
    page, notebook = ran
    output, figure = _graph_box(page, notebook, screen)
    page.screenshot(path=str(ARTIFACTS / f"output-end-{screen}.png"))
    _assert_outputs_in_box(page, figure, screen)
    # the grad scale is reachable: scrolled down, it is in the box
    figure.evaluate("f => { f.scrollTop = f.scrollHeight; }")
    page.wait_for_timeout(100)
    assert page.evaluate(LEGEND_IN_BOX, figure.element_handle()), f"the grad scale is out of reach ({screen})"
    figure.evaluate("f => { f.scrollTop = 0; }")


def test_large_opens_on_the_output_too(ran):
    page, notebook = ran
    output, _ = _graph_box(page, notebook, "1024x768")
    large = output.locator("button", has_text="large").filter(visible=True).first
    large.click()
    note = output.locator(".dz-figure-note").filter(visible=True).first
    expect(note).to_contain_text("1.5 times larger", timeout=30_000)
    try:
        figure = lab_page.visible_figure(output)
        page.screenshot(path=str(ARTIFACTS / "output-end-large.png"))
        # (y lies ~1,080 px left of loss at 1.5 times: along the layers, only the output end is in view)
        _assert_outputs_in_box(page, figure, "large", y_too=False)
    finally:
        large.click()
        expect(note.filter(has_text="1.5 times larger")).to_have_count(0, timeout=30_000)


def test_the_static_html_shows_the_output_at_its_top_right(ran):
    # VS Code and exported notebooks show tr.html(): a box that scrolls sideways and is as
    # tall as the drawing; the output is at its right end and within a screen of its top
    page, notebook = ran
    lab_page.set_screen(page, *SCREENS["1024x768"])
    output = lab_page.output_of_cell(notebook, 2)
    figure = output.locator(".dz-trace > .dz-figure").filter(visible=True).first
    expect(figure.locator("svg.dz-graph")).to_have_count(1, timeout=30_000)
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "output-end-static.png"))
    state = page.evaluate(OUTPUTS_IN_BOX, figure.element_handle())
    assert sorted(label for label, _, _ in state["found"]) == ["loss", "y"] and \
        all(inside for _, inside, _ in state["found"]), state
    box = figure.bounding_box()
    tops = figure.evaluate("""f => [...f.querySelectorAll('g.dz-var')].filter(g => ['y', 'loss'].includes(
        g.querySelector('text').textContent)).map(g => g.getBoundingClientRect().bottom)""")
    assert max(tops) - box["y"] <= 0.7 * 768, (tops, box)
