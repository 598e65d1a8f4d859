"""Evaluation cells and long loops, as the tabs word them (QA 24, brief H2): a
no_grad cell's Backward tab gives no_grad as the reason (and never tells a
-b cell to add -b); the Memory note does not call calls after the backward
"earlier"; pass counts carry thousands separators."""
from types import SimpleNamespace

import pytest
from IPython.utils.capture import capture_output

from dezero_magic.memory import mode_figures
from dezero_magic.tracer_notes import passes_note
from dezero_magic.widgets.backward_tab import BackwardView

MODEL = ("from dezero.models import MLP\nmodel = MLP((10, 3))\n"
         "x, t_ = dezero.datasets.get_spiral(train=False)\n")
EVAL = MODEL + "with dezero.no_grad():\n    y = model(x); loss = F.softmax_cross_entropy(y, t_)\n"


def tab_text(shell, cell):
    with capture_output():
        assert shell.run_cell(cell).success
    return BackwardView(shell.user_ns["t"]).message.value


@pytest.mark.parametrize("head", ["%%dezero -o t\n", "%%dezero -o t -b loss\n"])
def test_a_no_grad_evaluation_cell_says_no_grad_kept_no_graph(shell, head):
    said = tab_text(shell, head + EVAL)
    assert "he cell ran its dezero calls under no_grad() (or with Config.enable_backprop=False)" in said
    assert "keeps no graph" in said and "If this is an evaluation cell, that is as it should be" in said
    assert "%%dezero -b" not in said and "No backward pass was recorded" not in said


def test_a_b_cell_is_told_what_its_backward_found_not_to_add_b(shell):
    said = tab_text(shell, "%%dezero -o t -b loss\n" + EVAL)
    assert "-b loss called loss.backward(), but it ran no step: the cell ran its dezero calls" in said


def test_a_loss_alone_under_no_grad_is_named(shell):
    cell = MODEL + "y = model(x)\nwith dezero.no_grad():\n    loss = F.softmax_cross_entropy(y, t_)\n"
    said = tab_text(shell, "%%dezero -o t\n" + cell)
    assert "loss was computed under no_grad()" in said and "call loss.backward()" in said
    assert "The cell ran its dezero calls" not in said


def test_a_cell_with_backprop_and_no_backward_keeps_its_advice(shell):
    said = tab_text(shell, "%%dezero -o t\n" + MODEL + "y = model(x); loss = F.softmax_cross_entropy(y, t_)\n")
    assert "Call loss.backward() in the cell, or run it with %%dezero -b loss." in said
    assert "no_grad" not in said


def test_the_memory_note_does_not_call_an_evaluation_after_backward_earlier(shell):
    cell = (MODEL + "y = model(x); loss = F.softmax_cross_entropy(y, t_)\nmodel.cleargrads(); loss.backward()\n"
            "print(model.l0.W.grad.sum())\n")
    with capture_output():
        assert shell.run_cell("%%dezero -o t\n" + cell).success
    t = shell.user_ns["t"]
    assert "1 function call made after the last backward" in t.text()  # (the caption: it came after)
    for fig in mode_figures(t.graph):
        notes = " ".join(fig.notes)
        assert "1 function call not drawn is not included." in notes, notes
        assert "earlier" not in notes, notes


def _tracer(passes, chained):
    return SimpleNamespace(backward_passes=passes, last_pass=SimpleNamespace(differentiates=chained))


@pytest.mark.parametrize("chained, start", [
    (0, "3,000 backward passes ran; the last one is shown."),
    (1, "3,000 backward passes ran; the last one differentiated"),
    (2500, "3,000 backward passes ran; the last 2,500 each differentiated"),
])
def test_pass_counts_have_thousands_separators(chained, start):
    assert passes_note(_tracer(3000, chained)).startswith(start)


def test_the_no_grad_option_is_named_as_the_cause(shell):
    # Review R2-F3: a --no-grad cell was told "the cell ran its dezero calls under no_grad()"
    said = tab_text(shell, "%%dezero -o t --no-grad\nx = Variable(np.array(2.0))\ny = x ** 2\n")
    assert "The cell ran under %%dezero --no-grad" in said and "Run it without --no-grad" in said, said
