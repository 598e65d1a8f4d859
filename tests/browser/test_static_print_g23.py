"""QA X23, in Chromium: a %%dezero output's static HTML (an nbconvert export
of a notebook saved without widget state), printed or saved as PDF.

- X23-1: the figure box scrolls and opens at the output end; printed, only
  that end was kept. Notebook 04's Goldstein-Price graph printed its last
  four columns: x and y, the leaves whose grads the cell prints, were gone.
  Now a printed figure shrinks to the page's width, every node on the page.
- X23-6: the caption was #333, dark grey on nbconvert's dark theme.
Screenshots go to artifacts/static-print-*.png.
"""
import numpy as np
import pytest

from lab_page import ARTIFACTS

from dezero_magic.render.palette import contrast

pytestmark = pytest.mark.browser

A4_PX = 794  # an A4 page's width in CSS px, as Chromium prints it

# Per figure: the box's scrolling, the drawing's and the named leaves' rectangles, and the page's width.
MEASURE = """() => [...document.querySelectorAll('.dz-figure')].map(figure => {
    const svg = figure.querySelector('svg');
    const named = name => [...svg.querySelectorAll('g.dz-var')]
        .find(g => g.querySelector('title').textContent.split('\\n')[0] === name);
    const rect = el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
    return {scroll: figure.scrollWidth, client: figure.clientWidth, svg: rect(svg),
            x: rect(named('x')), y: rect(named('y')), page: document.documentElement.clientWidth};
})"""

# Each caption's text colour (with its opacity) and the colour under it.
CAPTIONS = """() => [...document.querySelectorAll('.dz-caption')].map(c => {
    const under = el => { for (; el; el = el.parentElement) { const b = getComputedStyle(el).backgroundColor;
        if (b !== 'rgba(0, 0, 0, 0)' && b !== 'transparent') return b; } return 'rgb(255, 255, 255)'; };
    const s = getComputedStyle(c);
    return {colour: s.color, opacity: parseFloat(s.opacity), under: under(c), text: c.textContent};
})"""


def _goldstein_trace():
    from dezero import Variable
    from dezero.benchmark_functions import goldstein
    from dezero_magic.adapters import graph_from_objects
    from dezero_magic.trace import Trace

    x, y = Variable(np.array(1.0), name="x"), Variable(np.array(1.0), name="y")
    z = goldstein(x, y)
    z.backward()
    assert (x.grad.data, y.grad.data) == (-5376.0, 8064.0)  # the book's values, notebook 04's cell
    return Trace(graph_from_objects([z], {"x": x, "y": y, "z": z})[0], static=True)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """{theme: path} of an nbconvert export of a notebook with the Goldstein-Price
    output twice: as drawn, and as an INCOMPLETE graph (its warning caption)."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook()
    for complete in (True, False):
        trace = _goldstein_trace()
        trace.graph.complete = complete
        cell = nbformat.v4.new_code_cell("%%dezero\nz = goldstein(x, y)\nz.backward()")
        cell.outputs = [nbformat.v4.new_output("display_data", data=trace._repr_mimebundle_())]
        notebook.cells.append(cell)
    folder = tmp_path_factory.mktemp("static-print")
    paths = {}
    for theme in ("light", "dark"):
        paths[theme] = folder / f"goldstein-{theme}.html"
        paths[theme].write_text(HTMLExporter(theme=theme).from_notebook_node(notebook)[0], encoding="utf-8")
    return paths


def _open(browser, path):
    context = browser.new_context(viewport={"width": A4_PX, "height": 1100}, offline=True)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector(".dz-figure svg", state="attached")
    return page


def test_a_printed_export_keeps_every_node_of_a_wide_graph(browser, exports):
    page = _open(browser, exports["light"])
    try:
        on_screen = page.evaluate(MEASURE)[0]
        # on screen as before: the box scrolls, opened at the output end (the leaves out of view)
        assert on_screen["scroll"] > on_screen["client"] + 100 and on_screen["x"][0] < 0, on_screen
        page.emulate_media(media="print")
        for printed in page.evaluate(MEASURE):
            left, right = printed["svg"]
            assert printed["scroll"] <= printed["client"] + 1, printed   # nothing left to scroll to
            assert 0 <= left and right <= printed["page"] + 0.5, printed  # the whole drawing on the page
            for leaf in ("x", "y"):
                assert left <= printed[leaf][0] and printed[leaf][1] <= right, (leaf, printed)
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".dz-trace").first.screenshot(path=str(ARTIFACTS / "static-print-goldstein.png"))
        assert page.pdf(format="A4")[:5] == b"%PDF-"  # (as --to webpdf and a browser's Save as PDF print it)
    finally:
        page.context.close()


def test_the_static_caption_reads_on_a_dark_export(browser, exports):
    def rgb(css):
        parts = css[css.index("(") + 1:css.index(")")].split(",")
        return [float(p) for p in parts[:3]], (float(parts[3]) if len(parts) > 3 else 1.0)

    def seen(colour, opacity, under):  # the text's colour as drawn over what is under it
        (fg, alpha), (bg, _) = rgb(colour), rgb(under)
        a = alpha * opacity
        return "#%02x%02x%02x" % tuple(round(a * f + (1 - a) * b) for f, b in zip(fg, bg))

    page = _open(browser, exports["dark"])
    try:
        captions = page.evaluate(CAPTIONS)
        assert [c["text"].startswith("INCOMPLETE") for c in captions] == [False, True]
        for c in captions:
            ink, ground = seen(c["colour"], c["opacity"], c["under"]), seen(c["under"], 1.0, c["under"])
            assert contrast(ink, ground) >= 4.5, c   # #333 on the dark theme's #111 was 1.5:1
        page.locator(".dz-caption").first.screenshot(path=str(ARTIFACTS / "static-print-dark-caption.png"))
    finally:
        page.context.close()
