"""Computed memory figures per mode, checked against bytes counted by hand."""
from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.memory import (DEFAULT, NO_GRAD, NO_WEAKREFS, RETAIN, dead_outputs, held_outside,
                                 human_bytes, mode_figures)
from widget_html import run_traced, var_id

# x: 10 float64 (80 B); a = exp(x) and b = square(a): 80 B each; y = sum(b): 8 B.
CELL = """
x = Variable(np.ones(10), name="x")
a = F.exp(x)
y = F.sum(F.square(a))
y.backward()
print("done")
"""
# The same forward with exp(x) once more, its result dropped: that output
# (80 B) dies at once (functions hold their outputs through weak references).
# No backward: a pass drops the calls it did not pop, and calls after it are
# not drawn, so a dropped output is drawn only in a cell without one.
DROPPED = """
x = Variable(np.ones(10), name="x")
a = F.exp(x)
F.exp(x)
y = F.sum(F.square(a))
print("done")
"""


def _figures(trace):
    return {f.mode: f for f in mode_figures(trace.graph)}


def _ids(trace, *labels):
    return [var_id(trace, label) for label in labels]


def test_default_mode_matches_hand_counted_bytes(shell):
    t = run_traced(shell, CELL)
    g = t.graph
    (x,) = _ids(t, "x")
    assert [g.variables[v].nbytes for v in held_outside(g)] == [8]  # y only: x and a are kept by functions
    d = _figures(t)[DEFAULT]
    assert d.kept_bytes == 240          # x, a, square(a)
    assert d.data_bytes == 8            # y
    assert d.grad_bytes == 80           # x.grad only; the other grads were freed
    assert d.grads_kept == [x]
    assert len(d.grads_freed) == 3      # a, square(a), y
    assert d.released == []


def test_a_dropped_output_is_released(shell):
    g = run_traced(shell, DROPPED).graph
    dead = dead_outputs(g)
    assert len(dead) == 1 and g.variables[dead[0]].nbytes == 80
    d = {f.mode: f for f in mode_figures(g)}[DEFAULT]
    assert d.released == dead and d.kept_bytes == 240 and d.data_bytes == 8


def test_retain_grad_keeps_every_grad(shell):
    t = run_traced(shell, CELL)
    r = _figures(t)[RETAIN]
    assert r.grad_bytes == 80 + 80 + 80 + 8
    assert r.grads_freed == []
    assert r.kept_bytes == 240 and r.data_bytes == 8


def test_no_grad_keeps_no_inputs_and_only_the_seed_grad(shell):
    t = run_traced(shell, CELL)
    n = _figures(t)[NO_GRAD]
    assert n.kept_bytes == 0 and n.kept_inputs == []
    # x and a: no function keeps them, their names do (QA: it read 8 B, y alone); y; square(a) is freed
    assert n.data_bytes == 80 + 80 + 8
    assert n.grad_bytes == 8            # y.grad = ones; no creator, so backward stops there
    assert set(_ids(t, "x", "a")) <= set(n.released)
    assert any("lower bound" in note for note in n.notes)


def test_weakrefs_off_keeps_the_dropped_output_in_a_cycle(shell):
    t = run_traced(shell, DROPPED)
    w = _figures(t)[NO_WEAKREFS]
    assert w.cycle_kept == dead_outputs(t.graph) != []
    assert w.data_bytes == 8 + 80
    assert w.kept_bytes == 240
    assert w.released == []


# Step 59's truncated backprop: h_carried is cut from its creator by
# unchain_backward(), so the second backward gives it a grad that
# retain_grad=False does not free (only the outputs of popped functions).
UNCHAINED = """
np.random.seed(0)
rnn, fc = L.RNN(3, in_size=1), L.Linear(1, in_size=3)
loss = 0
for i, x in enumerate(np.random.rand(4, 1, 1)):
    h = rnn(x)
    loss += F.sum(fc(h) ** 2)
    if i == 1:
        h_carried = h
        loss.backward()
        loss.unchain_backward()
        loss = 0
loss.backward()
"""


def test_an_unchained_variable_keeps_its_grad_as_the_graph_shows(shell):
    shell.run_cell("import dezero.layers as L")
    t = run_traced(shell, UNCHAINED)
    assert shell.user_ns["h_carried"].grad is not None
    node = t.graph.variables[var_id(t, "h_carried")]
    # a leaf of the pass since unchain_backward cut it (QA N22-2)
    assert node.leaf and not node.grad_freed and node.grad_nbytes == 24
    d = _figures(t)[DEFAULT]
    assert node.id in d.grads_kept and node.id not in d.grads_freed
    assert d.grads_freed == [v.id for v in t.graph.variables.values() if v.grad_freed]
    assert d.grad_bytes == sum(t.graph.variables[v].grad_nbytes for v in d.grads_kept)


def test_recorded_under_retain_grad_predicts_what_the_default_frees(shell):
    t = run_traced(shell, CELL.replace("y.backward()", "y.backward(retain_grad=True)"))
    assert not any(v.grad_freed for v in t.graph.variables.values())
    d = _figures(t)[DEFAULT]
    assert d.grads_kept == _ids(t, "x") and len(d.grads_freed) == 3 and d.grad_bytes == 80


def test_recorded_under_no_grad_predicts_the_graph_modes():
    # y = square(x) run under no_grad; the user holds x (24 B) and y (24 B).
    g = Graph(variables={
        "v0": VarNode("v0", "x", nbytes=24, alive=True, leaf=True),
        "v1": VarNode("v1", "y", nbytes=24, alive=True, leaf=False),
    }, functions={"f0": FuncNode("f0", "Square", inputs=["v0"], outputs=["v1"], no_grad=True)})
    figs = {f.mode: f for f in mode_figures(g)}
    assert figs[NO_GRAD].data_bytes == 48 and figs[NO_GRAD].kept_bytes == 0
    # A no_grad call makes no graph, so no mode can make one from it.
    assert figs[DEFAULT].kept_bytes == 0 and figs[DEFAULT].data_bytes == 48


def test_graph_made_calls_predict_kept_inputs():
    g = Graph(variables={
        "v0": VarNode("v0", "x", nbytes=24, alive=True, leaf=True),
        "v1": VarNode("v1", "", nbytes=24, alive=True, leaf=False),
        "v2": VarNode("v2", "y", nbytes=8, alive=True, leaf=False),
    }, functions={
        "f0": FuncNode("f0", "Square", inputs=["v0"], outputs=["v1"], kept_nbytes=24),
        "f1": FuncNode("f1", "Sum", inputs=["v1"], outputs=["v2"], kept_nbytes=24),
    })
    figs = {f.mode: f for f in mode_figures(g)}
    assert figs[DEFAULT].kept_bytes == 48 and figs[DEFAULT].data_bytes == 8
    assert figs[NO_GRAD].kept_bytes == 0 and figs[NO_GRAD].released == ["v0", "v1"]


def test_human_bytes():
    assert human_bytes(800) == "800 B"
    assert human_bytes(80_000) == "78.1 KiB"
    assert human_bytes(3 * 1024 ** 2) == "3.0 MiB"


def test_grads_that_are_one_array_are_said_to_count_more_than_once(shell):
    # QA: Add hands its gy to a, b (and it is y's): retain_grad's computed grads read 32 MB, measured 24.
    t = run_traced(shell, "x = Variable(np.ones(10))\na = F.exp(x)\nb = F.exp(x)\ny = a + b\ny.backward()")
    r = _figures(t)[RETAIN]
    assert any("counted more than once" in note for note in r.notes)
    assert not any("counted more than once" in note for note in _figures(t)[NO_GRAD].notes)
    t = run_traced(shell, "x = Variable(np.ones(10))\ny = F.exp(x) * 2\ny.backward()")
    assert not any("counted more than once" in note for note in _figures(t)[RETAIN].notes)


def test_no_double_count_note_beside_no_grads_and_one_call_is_singular(shell):
    # QA Q24-F2: a cell without backward read "grads may read higher than measured" over "no grads"
    t = run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 2 + 3 * x")
    notes = _figures(t)[RETAIN].notes
    assert "No backward pass was recorded: no grads." in notes
    assert not any("counted more than once" in note for note in notes), notes
    # QA Q24-F1: "1 earlier function calls are not included"
    t = run_traced(shell, "x = Variable(np.array(3.0))\ny = x ** 2\ny.backward()\ny = x ** 3\ny.backward()")
    notes = " ".join(_figures(t)[DEFAULT].notes)
    assert "1 function call not drawn is not included." in notes, notes
