"""Truncated BPTT (book steps 59-60): after loss.unchain_backward() the hidden state
carried into the next window and the running loss have no creator, so the next backward
stops there and they keep their grads, as leaves do. The graph must not draw them
"grad freed" (retain_grad=False frees only the outputs of popped functions), must list
them with the leaves, check their grads, and say where the graph was cut (QA N22-2)."""
import gc

import pytest

from dezero_magic.memory import DEFAULT, mode_figures
from dezero_magic.numgrad import check_gradients
from widget_html import run_traced

WINDOWS = """
np.random.seed(0)
rnn = L.RNN(2)
loss = 0
hs = []
for i, x in enumerate(np.random.rand(4, 1, 1)):
    h = rnn(x)
    hs.append(h)
    loss += F.sum(h)
    if i == 1:
        rnn.cleargrads()
        loss.backward()
        loss.unchain_backward()
rnn.cleargrads()
loss.backward()
"""


@pytest.fixture
def layers(shell):
    shell.run_cell("import dezero.layers as L")
    return shell


def _cut_notes(t):
    return [n for n in t.graph.notes if n.startswith("unchain_backward() cut the graph at ")]


def test_the_cut_hidden_state_is_a_leaf_that_keeps_its_grad(layers, displayed):
    t = run_traced(layers, WINDOWS)
    h1 = layers.user_ns["hs"][1]
    assert h1.creator is None and h1.grad is not None
    node = next(v for v in t.graph.variables.values() if v.label == "hs[1]")
    assert node.leaf and not node.grad_freed and node.grad is not None
    text = t.text()
    assert "hs[1] = " in text.split("grads of the leaves:")[1].split("intermediate grads")[0]
    assert "hs[1]" not in text.split("intermediate grads freed after use")[1].split("\n")[0]
    d = {f.mode: f for f in mode_figures(t.graph)}[DEFAULT]
    assert node.id in d.grads_kept and node.id not in d.grads_freed
    (note,) = _cut_notes(t)
    # hs[1] and the running loss of the first window (unnamed: its id)
    assert note.startswith("unchain_backward() cut the graph at hs[1] and v") and "(book step 59)" in note
    assert "backward stopped there; they are leaves of this pass and keep their grads." in note
    check = check_gradients(t)
    assert check.available, check.reason
    leaf = next(leaf for leaf in check.leaves if leaf.label == "hs[1]")
    assert leaf.passed


def test_cut_variables_nothing_holds_are_not_drawn_as_freed(layers, displayed):
    # as in the book's loop: the carried h and the loss are rebound, nothing holds them after the cell
    t = run_traced(layers, WINDOWS.replace("    hs.append(h)\n", "") + "loss.unchain_backward()\n")
    gc.collect()
    (note,) = _cut_notes(t)
    cut = [v for v in t.graph.variables.values() if not v.alive and v.leaf and v.id in note]
    assert len(cut) == 2
    for node in cut:
        assert not node.grad_freed and node.grad is not None
    assert not any(v.id in t.text().split("intermediate grads freed after use")[1].split("\n")[0].split(", ")
                   for v in cut)
    d = {f.mode: f for f in mode_figures(t.graph)}[DEFAULT]
    assert not {v.id for v in cut} & set(d.grads_freed)


def test_no_cut_is_told_where_none_was_made(layers, displayed):
    # an input made under no_grad, an earlier cell's leaf, and a graph never unchained
    layers.run_cell("a0 = Variable(np.array(2.0))")
    t = run_traced(layers, "with dezero.no_grad():\n    b = a0 * 3\ny = F.sum(b * a0)\ny.backward()\n"
                           "z = F.sum(y * b)\nz.backward()\n")
    assert not _cut_notes(t)
    assert not any(v.leaf for v in t.graph.variables.values() if v.label == "y")
    t = run_traced(layers, WINDOWS.replace("        loss.unchain_backward()\n", ""))
    assert not _cut_notes(t)
