"""QA session 21 (a lecturer, the tour in JupyterLab at 1280x720), the Backward stepper:

- L21-5: at the last step of the tour's diamond cell, next ▶ read as live: the
  dz-at-end class was on it (stepper_controls.mark_ends), but its label kept the
  text's near-black. It is greyed now, still 4.5:1 on white.
- L21-1: the Matyas window's one-line note, 1,157 px long, widened its widget
  past the screen's edge, the text cut mid-word with no ellipsis: the one-line
  notes and step lines no longer count their length as their least width.
The browser side: tests/browser/test_backward_note_qa21.py.
"""
import re

import pytest

from dezero_magic.render.palette import contrast
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_queue import one_line
from dezero_magic.widgets.step_figure import note_below
from dezero_magic.widgets.backward_tab import BackwardView

from test_widgets_backward import DIAMOND
from widget_html import run_traced


@pytest.fixture
def diamond(shell, displayed):
    return run_traced(shell, DIAMOND)


def _at_end_rule():
    found = re.findall(r"([^{}]*\.%s[^{}]*)\{([^}]*)\}" % style.AT_END, style.CSS)
    assert len(found) == 1, found
    return found[0][1]


def test_next_is_marked_at_the_last_step_however_it_is_reached(diamond):
    view = BackwardView(diamond)
    n = view.slider.max
    assert n == 4
    for _ in range(n - 1):                          # as the lecturer did: next ▶ three times
        assert style.AT_END not in view.next._dom_classes
        view.next.click()
    assert view.slider.value == n and style.AT_END in view.next._dom_classes
    view.next.click()                               # and twice more: nothing changes
    view.next.click()
    assert view.slider.value == n and style.AT_END in view.next._dom_classes
    view.slider.value = 2
    assert style.AT_END not in view.next._dom_classes
    view.slider.value = n                           # the slider dragged to the end
    assert style.AT_END in view.next._dom_classes
    view.play.value = 1
    view.play.value = n                             # played to the end
    assert view.slider.value == n and style.AT_END in view.next._dom_classes


def test_a_button_at_its_end_has_a_grey_label_not_the_texts_ink():
    body = _at_end_rule()
    colour = re.search(r"(?:^|;)\s*color:([^;]+);", body).group(1).strip()
    assert colour not in (style.INK, style.MUTED), colour      # was MUTED, #333: read as live
    assert colour == style.AT_END_INK
    fallback = re.search(r"#[0-9a-f]{6}", colour).group(0)
    assert 4.5 <= contrast(fallback, "#ffffff") < contrast("#333333", "#ffffff") - 5
    assert "--jp-ui-font-color2" in colour         # JupyterLab's inactive ink, light and dark


def test_the_window_note_and_one_line_step_lines_do_not_widen_their_widget():
    note = note_below("Around Mul (f5), which this step pops, with what fits of its inputs and outputs: "
                      "the graph is larger than the screen (the Graph tab shows all of it).")
    line = one_line("grad out to x: (2, 3) [0.1257 -0.1321 0.6404 0.1049 -0.5357 0.3616]", "sum 3")
    contained = re.search(r"([^{}]*)\{contain:inline-size;\}", style.CSS)
    assert contained, "no contain:inline-size rule"
    selectors = {s.strip() for s in contained.group(1).split(",")}
    for html in (note, line):
        css = re.search(r'style="([^"]*)"', html.replace('title="', 'tip="')).group(1)
        # (the note wraps, read whole, QA B22-2; a step line is one line, whole in its tooltip)
        assert ("white-space:nowrap" in css and "text-overflow:ellipsis" in css) == (html is line), css
        klass = re.search(r'class="([\w-]+)', html).group(1)
        assert f".{style.VIEW_CLASS} .{klass}" in selectors, (klass, selectors)
