"""A cell with big arrays: its view costs what the static view costs. The
Backward replay and the gradient check wait until someone asks for them,
and then still say what they did (no timings here: calls are counted)."""
import pytest

import dezero_magic.widgets as dzw
from dezero_magic.widgets import backward_tab, gradients_tab, lazy_tab, lifecycle
from widget_html import run_traced, text_of

# x, exp(x) and exp(x) * x hold 1.5 times EARLY_NUMBERS numbers: a "big" cell,
# made no bigger than the threshold needs (an F6 cell had 10^7 entries).
BIG = ("x = Variable(np.random.rand({n}), name='x')\ny = F.sum(F.exp(x) * x)\ny.backward()"
       .format(n=lazy_tab.EARLY_NUMBERS // 2))


@pytest.fixture
def counted(monkeypatch):
    """{'replay': traces replayed, 'check': traces checked}, as the tabs call them."""
    calls = {"replay": [], "check": []}
    replay, check = backward_tab.replay, gradients_tab.check_gradients
    monkeypatch.setattr(backward_tab, "replay", lambda t, **kw: calls["replay"].append(t) or replay(t, **kw))
    monkeypatch.setattr(gradients_tab, "check_gradients",
                        lambda t, **kw: calls["check"].append(t) or check(t, **kw))
    return calls


def _open(view, title):
    view.selected_index = list(view.titles).index(title)   # what a click on the tab does
    return view.views[title]


def test_displaying_a_big_cell_replays_and_checks_nothing(shell, displayed, counted):
    trace = run_traced(shell, BIG)
    view = dzw.view_for(trace)                             # what the cell's display builds
    assert counted == {"replay": [], "check": []}
    assert not hasattr(trace, "early_replay") and "numbers" in trace.replay_late
    assert trace.early_gradients is None                   # the Gradients tab checks when opened
    lifecycle.close_view(view)


def test_opening_the_backward_tab_steps_without_a_replay_and_the_switch_replays_once(shell, displayed, counted):
    trace = run_traced(shell, BIG)
    view = dzw.view_for(trace)
    back = _open(view, "Backward")
    assert counted["replay"] == []                         # the generation order is drawn from the graph alone
    assert back.slider.max == len(trace.graph.steps) == 3
    back.mode.value = "book"
    assert counted["replay"] == [trace]
    comparison = text_of(back.comparison.value)
    assert "replayed when first asked for, not when the cell ran" in comparison
    assert "numbers" in comparison and "grads computed by calling each function's backward again" in comparison
    assert "same" in comparison and "WRONG" not in comparison
    back.mode.value = "generation"
    back.mode.value = "book"
    assert counted["replay"] == [trace]                    # once
    lifecycle.close_view(view)


def test_a_deferred_replay_after_y_was_rebound_shows_the_order_and_says_why(shell, displayed, counted):
    trace = run_traced(shell, BIG)
    view = dzw.view_for(trace)
    shell.run_cell("y = None")                             # Run All: a later cell, before the switch
    back = _open(view, "Backward")
    back.mode.value = "book"
    comparison = text_of(back.comparison.value)
    assert "replayed when first asked for, not when the cell ran" in comparison
    assert "only the order is shown" in comparison and "WRONG" not in comparison
    lifecycle.close_view(view)


def test_a_small_cell_still_replays_with_its_display(shell, displayed, counted):
    trace = run_traced(shell, "x = Variable(np.random.rand(10), name='x')\ny = F.sum(F.exp(x) * x)\n"
                              "y.backward()")
    view = dzw.view_for(trace)
    assert counted["replay"] == [trace] and trace.early_replay is not None
    assert counted["check"] == [trace]
    lifecycle.close_view(view)
