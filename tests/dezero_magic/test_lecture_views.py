"""What a lecturer sees at 1024x768 (QA): a drawing wider than its box
scrolls in the box alone, "fit" is offered wherever the narrowest box (the
file browser open) may cut a graph, the grad scale is not cut, "large" says
"scroll" only when the graph may not fit, --modes opens on the Memory tab,
and the book-order table's verdict has a header and stands out."""
import html as html_text
import re
import xml.etree.ElementTree as ET

from dezero_magic.render.screen import MIN_SCALE, NARROW_BOX_PX
from dezero_magic.widgets import view_for
from dezero_magic.widgets.backward_tab import BOOK, BackwardView
from dezero_magic.widgets.book_comparison import VERDICT
from dezero_magic.widgets.graph_tab import LARGE_FITS_NOTE, LARGE_NOTE, GraphView

from widget_html import run_traced, text_of

NS = {"s": "http://www.w3.org/2000/svg"}
# 00_tour §1: 1,057 px wide; in the 552-px box of a 1024-px screen with the file browser
# open it was cut: x and its "grad 2.307" (the section's point) and "|grad| 0" out of sight.
TOUR_1 = 'x = Variable(np.array(0.5), name="x")\ny = F.tanh(x) * x ** 2 + F.exp(x)\ny.name = "y"'
TOUR_LOSS = ('w = Variable(np.array([[0.5, -1.0]]), name="w")\n'
             'loss = F.sum(F.tanh(w) ** 2)\nloss.name = "loss"\nloss.backward()')
SMALL = 'x = Variable(np.array(2.0), name="x")\ny = x * 3\ny.name = "y"'


def _svg(html):
    return html[html.index("<svg"):html.rindex("</svg>") + len("</svg>")]


def test_a_drawing_wider_than_its_box_does_not_widen_the_tab(shell):
    # QA: "large" made the whole Graph tab scroll sideways (a 1,588-px box in an 812-px page)
    view = GraphView(run_traced(shell, TOUR_LOSS))
    view.large.value = True
    html = view.figure.value
    figure = re.search(r'<div class="dz-figure" style="([^"]*)"', html).group(1)
    assert "contain:inline-size" in figure and "overflow:auto" in figure
    note = re.search(r'<div class="dz-figure-note[^"]*" style="([^"]*)"', html).group(1)
    assert "overflow-wrap:anywhere" in note          # the note wraps ("...or turn large of")


def test_fit_is_offered_where_the_narrowest_box_may_cut_the_graph(shell):
    t = run_traced(shell, TOUR_1, "-b y")
    assert t.layout.width * MIN_SCALE > NARROW_BOX_PX
    view = GraphView(t)
    assert view.fit in view.bar.children               # was offered only from ~1,220 px
    view.fit.value = True
    style = ET.fromstring(_svg(view.figure.value)).get("style")
    assert "width:100%" in style and f"max-width:{t.layout.width:.0f}px" in style   # the box's real width
    assert "shrunk to fit" in text_of(view.figure.value)


def test_the_grad_scale_of_a_graph_the_narrowest_box_may_cut_is_under_its_output_end(shell):
    t = run_traced(shell, TOUR_1, "-b y")
    root = ET.fromstring(t.svg())
    shifted = root.find("s:g[@transform]", NS)
    assert shifted is not None and shifted.find("s:g[@class='dz-legend']", NS) is not None
    dx = float(re.match(r"translate\(([\d.]+),0\)", shifted.get("transform")).group(1))
    # the box shows the output end first: the right NARROW_BOX_PX of the drawing, shrunk to MIN_SCALE
    assert dx >= t.layout.width - NARROW_BOX_PX / MIN_SCALE


def test_large_says_scroll_only_when_the_graph_may_not_fit(shell):
    small = GraphView(run_traced(shell, SMALL))
    small.large.value = True
    said = text_of(small.figure.value)
    assert LARGE_FITS_NOTE in said and "scroll" not in said
    wide = GraphView(run_traced(shell, TOUR_LOSS))
    wide.large.value = True
    assert LARGE_NOTE in text_of(wide.figure.value) and "if it is cut off, scroll" in LARGE_NOTE


def test_modes_opens_on_the_memory_tab_with_its_buttons(shell):
    shell.run_cell("%%dezero --modes -o _m\nx = Variable(np.random.default_rng(0).standard_normal(100), "
                   "name='x')\ny = F.sum(F.square(x))\ny.backward()")
    tab = view_for(shell.user_ns["_m"])
    assert tab.page_titles[tab.selected_index] == "Memory"
    memory = tab.views["Memory"]
    assert tab.children[tab.selected_index].children[0] is memory and memory.modes.options
    plain = view_for(run_traced(shell, SMALL))
    assert plain.page_titles[plain.selected_index] == "Graph"


def test_the_book_tables_verdict_has_a_header_and_a_wrong_one_stands_out(shell):
    t = run_traced(shell, "x = Variable(np.array(2.0), name='x')\na = F.square(x)\na.name = 'a'\n"
                          "b = F.square(a)\nc = F.square(a)\ny = b + c\ny.backward()")
    view = BackwardView(t)
    view.mode.value = BOOK
    view.slider.value = view.slider.max
    html = view.comparison.value
    table = html[html.rindex("<table"):]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", table)
    assert len(headers) == 4 and all(h.strip() for h in headers) and html_text.unescape(headers[-1]) == VERDICT
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table) if re.search(r"<td[^>]*>x</td>", r))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert len(cells) == 4 and "64" in cells[1] and "96" in cells[2]
    verdict = cells[3]
    assert "WRONG" in verdict and "font-weight:bold" in verdict and "var(--dz-warning-ink" in verdict
    assert "✗" in verdict                               # a mark too, not colour alone
