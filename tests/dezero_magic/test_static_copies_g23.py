"""QA X23: the static copies of a %%dezero output (image/svg+xml, text/html)
carry what the output says, print whole, and read on dark themes.

- X23-2: image/svg+xml (nbconvert's LaTeX/PDF, ExtractOutputPreprocessor's
  files) carried the caption alone: no notes ("x.grad is 1, not their sum
  2"), no --modes table. Now both are SVG text under the caption, wrapped to
  the drawing's width, escaped, with no <style> or foreignObject.
- X23-1: a printed static export kept a wide graph's output end only: the
  text/html's <style> now prints the figure whole, shrunk to the page.
- X23-6: the static caption was #333, dark grey on a dark theme's black.
- X23-7: the SVG's aria-label spoke of "the Graph tab's node picker" in the
  file plot_dot_graph writes, where there is none.
"""
import re
import xml.etree.ElementTree as ET

from IPython.utils.capture import capture_output

from dezero_magic.layout import CHAR_PX, MARGIN, layout
from dezero_magic.modes import HEADER
from dezero_magic.render import palette
from dezero_magic.render.caption import MIN_TEXT_PX, with_caption, wrapped
from dezero_magic.render.svg import render_svg
from dezero_magic.trace import Trace

from graphs import chain, diamond

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = "<script>alert('x')</script> & \"quoted\""
LONG = "Values shown are those the drawn forward used; some changed after it " * 4 + "W" * 150


def _texts(svg, klass):
    return [t for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text") if t.get("class") == klass]


def _fits(svg, texts):
    """Every line ends inside the canvas (at CHAR_PX a character, as it is wrapped)."""
    width = float(ET.fromstring(svg).get("width"))
    return all(float(t.get("x")) + len(t.text or "") * CHAR_PX <= width - MARGIN + 0.01 for t in texts)


def test_the_svg_alone_carries_every_note_wrapped_and_escaped():
    g = diamond()
    g.notes += [HOSTILE, LONG]
    t = Trace(g, static=True)
    t.notices.append("The interactive view is unavailable (RuntimeError: boom); showing the static graph.")
    svg = t._repr_mimebundle_()["image/svg+xml"]
    root = ET.fromstring(svg)  # still one well-formed SVG
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    notes = _texts(svg, "dz-svg-note")
    said = []  # each note's lines, after its bullet (one a note, as the HTML's list items)
    for n in notes:
        if n.text == "\u2022":
            said.append([])
        else:
            said[-1].append(n.text)
    # every word of every note, in order (a word longer than a line is broken, not lost)
    assert ["".join("".join(lines).split()) for lines in said] == ["".join(n.split()) for n in g.notes + t.notices]
    assert len(said[1]) > 3 and _fits(svg, notes)  # the long note wraps inside the canvas
    # under the caption, inside the canvas, which grew to hold them
    caption = _texts(svg, "dz-svg-caption")[0]
    height = float(root.get("height"))
    assert all(float(caption.get("y")) < float(n.get("y")) < height for n in notes)
    assert root.get("viewBox") == f"0 0 {root.get('width')} {height:.0f}"
    assert "<style" not in svg and "foreignObject" not in svg and ' class="dz-svg-note"' in svg


def test_notes_on_a_narrow_drawing_get_a_readable_width():
    g = chain(1)
    drawn = render_svg(g, layout(g))
    alone, noted = with_caption(drawn, "c"), with_caption(drawn, "c", notes=["a note " * 30])
    assert float(ET.fromstring(noted).get("width")) >= MIN_TEXT_PX > float(ET.fromstring(alone).get("width"))
    # without notes, the caption alone adds its one line, as before
    assert float(ET.fromstring(alone).get("height")) == float(ET.fromstring(drawn).get("height")) + 26
    assert wrapped("one two\nthree", 5 * CHAR_PX) == ["one", "two", "three"]


def test_the_svg_alone_carries_the_modes_table(shell):
    with capture_output():
        shell.run_cell("%%dezero -o _t --static --modes\nx = Variable(np.array(2.0), name='x')\n"
                       "y = F.exp(x) * x\ny.backward()")
    t = shell.user_ns["_t"]
    assert t.mode_results
    svg = t._repr_mimebundle_()["image/svg+xml"]
    rows = _texts(svg, "dz-svg-modes")
    said = [r.text for r in rows]
    assert all(h in said for h in HEADER)
    assert any(s.startswith("Memory per mode, measured") for s in said)
    for r in t.mode_results:  # each mode's row: its label and its figures, as the HTML's table
        assert r.label in said
    assert any(s.endswith(" s") for s in said)
    header = [r for r in rows if r.text in HEADER]
    assert all(r.get("font-weight") == "bold" for r in header)
    assert len({r.get("y") for r in header}) == 1     # one row
    assert _fits(svg, rows)
    assert float(ET.fromstring(svg).get("height")) >= max(float(r.get("y")) for r in rows)
    # the HTML's table is as before
    assert "dz-modes" in t.html() and "dz-svg-modes" not in t.html()


def test_a_printed_static_figure_shrinks_to_the_page_whole():
    for trace in (Trace(chain(30), static=True), Trace(chain(30), static=True, rankdir="TB")):
        html = trace.html()
        box = re.search(r'class="dz-trace" id="(dz-static-[0-9a-f]{12})"', html).group(1)
        style = re.search(r"<style>(.*?)</style>", html).group(1)
        rules = re.search(r"@media print\{(.*)\}$", style).group(1)
        figure = re.search(rf"#{box} > \.dz-figure\{{([^}}]*)\}}", rules).group(1)
        drawing = re.search(rf"#{box} > \.dz-figure > svg\{{([^}}]*)\}}", rules).group(1)
        # no scrolling box, no reversed flow to cut the start off; the drawing no wider than the page
        assert "overflow:visible !important" in figure and "display:block !important" in figure
        assert "max-width:100% !important" in drawing and "min-width:0 !important" in drawing
        assert "width:auto !important" in drawing and "height:auto !important" in drawing
        # on screen, as before: the output end first
        assert "overflow:auto" in html and "-reverse" in html


def test_the_print_rules_are_there_without_the_untrusted_picture_too(monkeypatch):
    import dezero_magic.trace as trace_module

    monkeypatch.setattr(trace_module, "PICTURE_MAX_CHARS", 10)
    html = Trace(chain(30), static=True).html()
    assert "dz-untrusted" not in html and "@media print{#dz-static-" in html


def test_the_caption_reads_on_light_and_dark_pages():
    done = Trace(diamond(), static=True).html()
    caption = re.search(r'<div class="dz-caption" style="([^"]*)"', done).group(1)
    assert "#333" not in caption and "color:inherit" in caption and "opacity:.8" in caption
    g = diamond()
    g.complete = False
    cut = Trace(g, static=True).html()
    caption = re.search(r'<div class="dz-caption" style="([^"]*)"', cut).group(1)
    # the warning colour on a white ground of its own: 4.9:1 whatever the page's theme
    assert f"color:{palette.WARNING_STROKE}" in caption and "background:#ffffff" in caption
    assert "font-weight:bold" in caption and palette.contrast(palette.WARNING_STROKE, "#ffffff") >= 4.5


def test_the_aria_label_is_true_where_no_graph_tab_exists(tmp_path):
    import numpy as np

    from dezero import Variable
    from dezero_magic.render.export import write_svg

    x = Variable(np.array(1.0), name="x")
    y = x * x + x
    path = write_svg(y, tmp_path / "g.png")
    label = ET.parse(path).getroot().get("aria-label")
    assert label.startswith("dezero computation graph: 2 functions, ") and "Graph tab" not in label
    assert "tooltip" in label and all(t.find("s:title", NS) is not None
                                      for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}g")
                                      if t.get("data-node-id"))
    static = Trace(diamond(), static=True)._repr_mimebundle_()
    assert "Graph tab" not in static["image/svg+xml"] and "Graph tab" not in static["text/html"]
