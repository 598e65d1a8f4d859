"""The Memory view, driven through its widget models."""
import re

import pytest

from dezero_magic.memory import DATA_TITLE, MODE_LABELS
from dezero_magic.widgets.memory_tab import COUNTED_ONCE, memory_view
from widget_html import run_traced, text_of

# x: 1000 float64 = 8000 B; a, b: 8000 B each; y = sum: 8 B.
CELL = """
x = Variable(np.ones(1000), name="x")
a = F.square(x)
b = F.exp(a)
y = F.sum(b)
y.backward()
"""


def _bytes(text, category):
    match = re.search(rf"{re.escape(category)}\s+([\d.]+[ \u00a0](?:B|KiB|MiB))", text)
    assert match, text
    return match.group(1).replace("\u00a0", " ")   # (number and unit are joined: they never wrap apart)


def test_toggle_changes_the_figures(shell):
    view = memory_view(run_traced(shell, CELL))
    buttons = view.modes
    assert len(buttons.options) >= 3
    assert buttons.value == MODE_LABELS["default"]
    text = text_of(view.figures.value)
    assert "computed from the recorded arrays' sizes" in text
    assert _bytes(text, "kept for backward") == "23.4 KiB"   # x, a, b: 24000 B
    assert _bytes(text, "grads") == "7.8 KiB"                # x.grad only
    assert _bytes(text, DATA_TITLE) == "8 B"                 # y
    assert re.search(r"Grads freed after use \(retain_grad=False\):\s+a, b, y", text)

    buttons.value = MODE_LABELS["retain_grad"]
    text = text_of(view.figures.value)
    assert _bytes(text, "grads") == "23.4 KiB"               # x, a, b grads + 8 B of y
    assert "retain_grad=True" in text

    buttons.value = MODE_LABELS["no_grad"]
    text = text_of(view.figures.value)
    assert _bytes(text, "kept for backward") == "0 B"
    # every drawn bar has a grey edge (dark purple on a dark theme's #111 read 1.3:1); an empty one none
    bars = re.findall(r'<div style="background:#[0-9a-f]{6};height:18px;width:(\d+)px([^"]*)"', view.figures.value)
    assert bars and all(("border:1px solid #8a8a8a" in rest) == (width != "0") for width, rest in bars)
    assert any(width == "0" for width, _ in bars)
    assert _bytes(text, "grads") == "8 B"
    assert re.search(r"No longer kept by functions.*:\s+x, a, b", text)


def test_weakrefs_off_shows_cycle_kept_outputs(shell):
    # No backward: a pass drops the calls it did not pop (the dropped exp(x)), and later ones are not drawn.
    view = memory_view(run_traced(shell, CELL.replace("y.backward()", "F.exp(x)\nprint('done')")))
    before = text_of(view.figures.value)
    assert re.search(r"Outputs already freed .*:\s+Exp output\b", before)
    view.modes.value = MODE_LABELS["no_weakrefs"]
    text = text_of(view.figures.value)
    assert text != before
    assert re.search(r"kept alive by reference cycles:\s+Exp output", text)
    assert _bytes(text, DATA_TITLE) == "7.8 KiB"   # y (8 B) + the dropped exp(x) (8000 B)


def test_the_panel_says_what_data_counts(shell):
    # QA: "data 8 B" for a conv net whose input alone is 1,176 B: the input is kept by
    # Conv2d for backward, so it is counted there, and the panel must say so.
    view = memory_view(run_traced(shell, "x = Variable(np.random.rand(1, 3, 7, 7), name='x')\n"
                                         "W = Variable(np.random.rand(4, 3, 3, 3), name='W')\n"
                                         "loss = F.sum(F.pooling(F.conv2d(x, W, None, pad=1), 2, 2))\n"
                                         "loss.backward()"))
    text = " ".join(text_of(view.figures.value).split())
    assert _bytes(text, DATA_TITLE) == "8 B"                          # loss only
    assert "kept for backward" in COUNTED_ONCE and DATA_TITLE in COUNTED_ONCE
    assert COUNTED_ONCE in text
    assert re.search(r"Kept for backward \(Function inputs\):\s+x, W", text)
    assert not re.search(r"\bdata\s+[\d.]+ (?:B|KiB)", text)     # no bare "data 8 B"


def test_measured_chart_only_with_modes(shell):
    assert memory_view(run_traced(shell, CELL)).measured is None
    result = shell.run_cell("%%dezero --modes -o _t\n" + CELL)
    assert result.success
    view = memory_view(shell.user_ns["_t"])
    html = view.measured.value
    assert "data:image/png;base64," in html
    text = text_of(html)
    assert "measured (tracemalloc), above what existed before each run" in text
    assert "the cell was run again once per mode" in text
    for label in ("retain_grad=False (default)", "retain_grad=True", "no_grad"):
        assert label in text


def test_measured_errors_are_listed(shell):
    result = shell.run_cell("%%dezero --modes -o _t\nx = Variable(np.array(3.0))\ny = x * x\n"
                            "y.backward()\nprint(x.grad.data)\n")
    assert result.success
    text = text_of(memory_view(shell.user_ns["_t"]).measured.value)
    assert "the re-run raised AttributeError" in text


def test_names_are_escaped(shell):
    view = memory_view(run_traced(shell, 'x = Variable(np.ones(2), name="<b>x</b>")\n'
                                         "y = F.sum(x * x)\ny.backward()"))
    assert "<b>x</b>" not in view.figures.value
    assert "&lt;b&gt;x&lt;/b&gt;" in view.figures.value


def test_two_variables_of_one_name_are_told_apart():
    from dezero_magic.graph import FuncNode, Graph, VarNode
    from dezero_magic.widgets.memory_tab import _names

    g = Graph(variables={"v1": VarNode(id="v1", label="a"), "v2": VarNode(id="v2", label="a"),
                         "v3": VarNode(id="v3", label="x"), "v4": VarNode(id="v4", label="")},
              functions={"f0": FuncNode(id="f0", op="Exp", inputs=["v3"], outputs=["v4"])})
    assert _names(g, ["v3", "v1", "v2", "v4"]) == "x, a (v1), a (v2), Exp output"  # an id only where names repeat


@pytest.mark.parametrize("flags, code, ran", [
    ("", "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(x))\ny.backward()", "default"),
    ("--retain-grad", "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(x))\ny.backward()", "retain_grad"),
    ("", "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(x))\ny.backward(retain_grad=True)",
     "retain_grad"),
    ("--no-grad", "x = Variable(np.ones(3), name='x')\ny = F.sum(F.exp(x))", "no_grad"),
])
def test_the_tab_opens_on_the_mode_the_cell_ran_in_and_marks_it(shell, displayed, flags, code, ran):
    view = memory_view(run_traced(shell, code, flags=flags))
    assert view.modes.value == MODE_LABELS[ran]
    marked = [label for label, _ in view.modes.options if label.endswith("this run)")]
    label = MODE_LABELS[ran]
    assert marked == [label[:-1] + ", this run)" if label.endswith(")") else label + " (this run)"]
    assert ") (" not in marked[0]  # not "(default) (this run)"


def test_students_classes_are_told_the_modes_are_dezeros(shell, displayed):
    from student_code import STEP17

    shell.run_cell(STEP17 + "GENERATIONS = True\n")
    view = memory_view(run_traced(shell, "x = Variable(np.array(2.0))\ny = square(x)\ny.backward()"))
    assert "Your own classes: these are what dezero's modes" in text_of(view.figures.value)
    assert not [label for label, _ in view.modes.options if "this run)" in label]
    view.modes.value = MODE_LABELS["retain_grad"]
    assert "Your own classes" in text_of(view.figures.value)


def test_the_bytes_axis_ticks_at_round_binary_units():
    # decimal steps of 100,000 B read 97.7 KiB, 195.3 KiB on the chart
    from dezero_magic.memory import human_bytes
    from dezero_magic.widgets.plots import byte_step

    for top, first in ((400_000, "100.0 KiB"), (130_000, "50.0 KiB"), (5_000_000, "1.0 MiB"), (500, "100 B")):
        step = byte_step(top)
        assert human_bytes(step) == first and 2 <= top / step <= 10, (top, step)
