"""A forward with grads on after the last backward (an evaluation, or the forward a
cell raised in) must not change the values drawn on that backward's graph (QA N22-1):
each leaf shows the value the drawn forward used, the note says it changed since, and
the Gradients tab gives that reason."""
import numpy as np

from dezero_magic.numgrad import check_gradients
from dezero_magic.preview import format_snapshot, snapshot
from widget_html import run_traced

TRAIN = """
x = np.arange(6.0).reshape(3, 2) / 6
W = Variable(np.array([[1.0, -2.0], [0.5, 3.0]]), name="W")
for i in range(3):
    loss = F.sum(F.matmul(x, W) ** 2)
    W.cleargrad()
    loss.backward()
    W_used = W.data.copy()
    W.data -= 0.1 * W.grad.data
"""


def _node(t, label):
    return next(v for v in t.graph.variables.values() if v.label == label)


def _shows_the_value_used(shell, t):
    used, now = shell.user_ns["W_used"], shell.user_ns["W"].data
    assert not np.allclose(used, now)
    node = _node(t, "W")
    assert node.value == format_snapshot(snapshot(used)) != format_snapshot(snapshot(now))
    assert node.changed_since
    (note,) = [n for n in t.graph.notes if n.startswith("Values shown are those the drawn forward used")]
    assert f"W is now {format_snapshot(snapshot(now))}" in note


def test_an_evaluation_after_training_leaves_the_drawn_values_as_used(shell):
    t = run_traced(shell, TRAIN + "y_eval = F.matmul(x, W)\n")
    _shows_the_value_used(shell, t)
    assert any("made after the last backward (an evaluation, say)" in n for n in t.graph.notes)
    reason = check_gradients(t).reason
    assert "W changed after the drawn forward used it" in reason and "random" not in reason


def test_a_cell_that_raised_in_its_next_forward_shows_the_values_used(shell):
    result = shell.run_cell("%%dezero -o _t\n" + TRAIN.replace(
        "    loss = F.sum(", "    if i == 2:\n        F.matmul(x, W[:1])\n    loss = F.sum("))
    assert not result.success
    t = shell.user_ns["_t"]
    _shows_the_value_used(shell, t)
    (after,) = [n for n in t.graph.notes if "made after the last backward" in n]
    assert "until the cell raised (an evaluation, or the forward that failed)" in after
    reason = check_gradients(t).reason
    assert "W changed after the drawn forward used it" in reason and "random" not in reason


def test_an_evaluation_under_no_grad_or_none_at_all_is_unchanged(shell):
    # the values as before: the last use, and the note only when the value changed since
    t = run_traced(shell, TRAIN + "with dezero.no_grad():\n    y_eval = F.matmul(x, W)\n")
    _shows_the_value_used(shell, t)
    t = run_traced(shell, TRAIN.replace("    W.data -= 0.1 * W.grad.data\n", "") + "y_eval = F.matmul(x, W)\n")
    node = _node(t, "W")
    assert node.value == format_snapshot(snapshot(shell.user_ns["W"].data)) and not node.changed_since
    assert not [n for n in t.graph.notes if n.startswith("Values shown")]
    assert check_gradients(t).available
