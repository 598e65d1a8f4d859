"""Keyboard and screen-reader access to the views, through the widget models
(QA, access audit: findings 1-4 and 6). The browser side, in JupyterLab:
tests/browser/test_keyboard_a11y.py."""
import re

import pytest

from dezero_magic.widgets import style, view_for
from dezero_magic.widgets.backward_tab import BackwardView
from dezero_magic.widgets.graph_tab import GraphView
from dezero_magic.widgets.stepper_controls import FIRST_TIP, LAST_TIP

from test_widgets_backward import DIAMOND
from widget_html import run_traced, text_of

WIDE = ("x = Variable(np.array(0.5), name='x')\ny = x\n"
        "for i in range(30):\n    y = F.sin(y) * x + x\ny.backward()")


@pytest.fixture
def diamond(shell, displayed):
    return run_traced(shell, DIAMOND)


def _boxes(html):
    return re.findall(r"<div class=\"dz-figure\"[^>]*>", html)


def test_every_figure_box_turns_jupyterlabs_shortcuts_off(shell, displayed, diamond):
    # QA: an arrow key on the focused box moved to the next cell (ArrowLeft then collapsed
    # the section); `a` on it added a cell. The box is the only focusable part of our HTML.
    wide = run_traced(shell, WIDE)
    for trace in (diamond, wide):
        graph, back = GraphView(trace), BackwardView(trace)
        back.slider.value = back.slider.max
        for html in (graph.figure.value, back.figure.value):
            assert _boxes(html) and all(style.SUPPRESS_SHORTCUTS in b for b in _boxes(html)), html[:300]
        graph.large.value = True
        assert all(style.SUPPRESS_SHORTCUTS in b for b in _boxes(graph.figure.value))
    assert style.SUPPRESS_SHORTCUTS == 'data-lm-suppress-shortcuts="true"'
    assert _boxes(style.figure("<svg></svg>", "a note", fits_from=(900, 600), cut_svg="<svg></svg>"))[0] \
        .endswith(f' {style.SUPPRESS_SHORTCUTS}>')


def test_the_focus_ring_is_thick_and_dark_on_every_kind_of_control():
    css = style.CSS
    rule = re.search(r"([^{}]*:focus-visible[^{}]*)\{([^}]*)\}", css)
    assert rule, css
    selectors, body = rule.groups()
    for control in (".jupyter-button", ".widget-dropdown select", ".noUi-handle", ".lm-TabBar-tab", ".dz-figure"):
        assert f".{style.VIEW_CLASS} {control}:focus-visible" in selectors, control
    assert "outline:3px solid" in body and style.INK in body and "outline-offset:" in body


def test_the_stepper_buttons_keep_their_size_and_the_slider_gives_way(diamond):
    # QA: a fixed 420-px slider squeezed ◀ prev / next ▶ to "◀" and "n" under a ~545-px box
    view = BackwardView(diamond)
    row = next(c for c in view.children if view.slider in getattr(c, "children", ()))
    assert row.layout.flex_flow == "row wrap"
    assert list(row.children) == [view.play, view.prev, view.next, view.slider]   # the slider wraps below
    for fixed in (view.play, view.prev, view.next):
        assert fixed.layout.flex == "0 0 auto"
    assert view.prev.layout.width == "auto" and view.prev.layout.min_width   # as wide as the label
    slider = view.slider.layout
    assert slider.width == "auto" and slider.flex.startswith("1 1 ") and slider.max_width == "480px"
    # room for a track beside "step" and the number (QA 19: a 15-px nub in 200 px), and still
    # narrower than the box at 200 % zoom (~480 px), where it wraps below the buttons
    assert 260 <= int(slider.min_width.rstrip("px")) <= 300
    assert view.slider.style.description_width == "initial"


def test_the_stepper_buttons_stay_enabled_at_the_ends_and_do_nothing_there(diamond):
    # QA: a button disabled at the last step (or step 1) dropped the keyboard focus to the page:
    # a presenter remote that sends only Enter was stuck
    view = BackwardView(diamond)
    n = view.slider.max
    assert not view.prev.disabled and style.AT_END in view.prev._dom_classes and view.prev.tooltip == FIRST_TIP
    view.prev.click()
    assert view.slider.value == 1
    for k in range(2, n + 1):
        view.next.click()
        assert view.slider.value == k and not view.next.disabled and not view.prev.disabled
        assert style.AT_END not in view.prev._dom_classes
    assert style.AT_END in view.next._dom_classes and view.next.tooltip == LAST_TIP
    before = view.info.value
    view.next.click()                                   # a no-op at the last step
    assert view.slider.value == n and view.info.value == before
    view.prev.click()
    assert style.AT_END not in view.next._dom_classes and view.next.tooltip == "next step"
    # the book's replay has its own number of steps: the ends follow it
    view.mode.value = "book"
    assert view.slider.value == 1 and style.AT_END in view.prev._dom_classes
    view.slider.value = view.slider.max
    assert style.AT_END in view.next._dom_classes and not view.next.disabled
    assert style.AT_END in style.CSS


def test_the_step_text_is_a_polite_live_region(diamond):
    # QA: nothing announced the new step after next ▶ (the focus stays on the button)
    view = BackwardView(diamond)
    for mode in ("generation", "book"):
        view.mode.value = mode
        for k in (1, view.slider.max):
            view.slider.value = k
            html = view.info.value
            live = re.findall(r'<div role="status" aria-live="polite" aria-atomic="true">', html)
            assert len(live) == 1, html[:200]
            inside = html[html.index(live[0]):]
            assert f"Step {k} of" in text_of(inside)
    # only the step's text: the queue and the graph would be read out at every step
    assert "aria-live" not in view.queue.value + view.figure.value


def test_the_views_tab_holds_the_css(diamond):
    tab = view_for(diamond)
    htmls = []

    def walk(w):
        if hasattr(w, "value") and isinstance(w.value, str):
            htmls.append(w.value)
        for c in getattr(w, "children", ()):
            walk(c)
    walk(tab)
    assert any(":focus-visible" in h for h in htmls)


def test_tables_say_which_cell_heads_a_row_or_a_column():
    from dezero_magic.widgets import style

    pairs = style.table([("data", "1.5"), ("grad", "<b>")])
    assert pairs.count('<th scope="row"') == 2 and pairs.count("<td") == 2 and "&lt;b&gt;" in pairs
    grid = style.table([("x", "1", "2")], header=("variable", "a", "b"))
    assert grid.count('<th scope="col"') == 3 and grid.count("<td") == 3
