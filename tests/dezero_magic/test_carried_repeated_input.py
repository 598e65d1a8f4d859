"""QA Q23-1: `y = x * x` (or step 14's `y = x + x`) back-propagated twice without x.cleargrad():
x uses x twice in one call, and the tracer only tested for a grad kept from an earlier backward
when an input was used once. The stepper said "3 + 3 = 12" (hiding the 6 kept from the first
pass), the Gradients tab failed dezero's right grad and blamed the adding of grads (steps 14, 16),
and no note said why. Now the grad after the step is compared with the sum of the uses' grads."""
import numpy as np
import pytest

from dezero_magic.carried import holds_more_than
from dezero_magic.widgets.backward_tab import backward_view
from dezero_magic.widgets.gradients_tab import gradients_view
from widget_html import run_traced, text_of

CARRIED_NOTE = "The grad of x also holds an earlier backward's"


def _step_text(trace):
    view = backward_view(trace)
    view.slider.value = 1
    return " ".join(text_of(view.info.value).split())


@pytest.mark.parametrize("body, parts, total", [("y = x * x", "3 + 3", "12"), ("y = x + x", "1 + 1", "4")])
def test_a_twice_used_input_whose_grad_was_not_cleared_is_told(shell, body, parts, total):
    shell.run_cell("import numpy as np\nfrom dezero import Variable")
    trace = run_traced(shell, f"x = Variable(np.array(3.0))\n{body}\ny.backward()\ny.backward()\n")
    [x] = [v for v in trace.graph.variables.values() if v.label == "x"]
    assert x.grad_carried
    assert any(n.startswith(CARRIED_NOTE) for n in trace.graph.notes), trace.graph.notes
    assert f"grad out to x: {parts} — added to the grad it already had, now {total}" in _step_text(trace)
    table = " ".join(text_of(gradients_view(trace).table.value).split())
    assert "FAIL" not in table and "cleargrad" in table, table


@pytest.mark.parametrize("body", ["y = x * x", "y = x + x"])
def test_a_twice_used_input_after_one_backward_is_not_told(shell, body):
    shell.run_cell("import numpy as np\nfrom dezero import Variable")
    trace = run_traced(shell, f"x = Variable(np.array(3.0))\n{body}\ny.backward()\n")
    [x] = [v for v in trace.graph.variables.values() if v.label == "x"]
    assert not x.grad_carried
    assert not any(n.startswith(CARRIED_NOTE) for n in trace.graph.notes)
    assert "already had" not in _step_text(trace)


def test_holds_more_than_adds_the_uses_in_order_and_reads_nan_as_equal():
    a, b = np.array([0.1, np.nan]), np.array([0.2, 1.0])
    assert not holds_more_than(a + b, [a, None, b])
    assert holds_more_than(a + b + 1.0, [a, b])
    assert not holds_more_than(np.array([2, 4]), [np.array([1, 2]), np.array([1, 2])])  # (ints: no equal_nan)
