"""Computed memory figures per mode, checked against bytes counted by hand."""
from dezero_magic.graph import FuncNode, Graph, VarNode
from dezero_magic.memory import (DEFAULT, NO_GRAD, NO_WEAKREFS, RETAIN, dead_outputs, held_outside,
                                 human_bytes, mode_figures)
from widget_html import run_traced, var_id

# x: 10 float64 (80 B); a = exp(x) and b = square(a): 80 B each; y = sum(b): 8 B.
# After backward, exp(x) once more, result dropped: that output (80 B) dies
# at once (functions hold their outputs through weak references).
CELL = """
x = Variable(np.ones(10), name="x")
a = F.exp(x)
y = F.sum(F.square(a))
y.backward()
F.exp(x)
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
    dead = dead_outputs(g)
    assert len(dead) == 1 and g.variables[dead[0]].nbytes == 80
    assert [g.variables[v].nbytes for v in held_outside(g)] == [8]  # y only: x and a are kept by functions
    d = _figures(t)[DEFAULT]
    assert d.kept_bytes == 240          # x, a, square(a)
    assert d.data_bytes == 8            # y
    assert d.grad_bytes == 80           # x.grad only; the other grads were freed
    assert d.grads_kept == [x]
    assert len(d.grads_freed) == 3      # a, square(a), y
    assert d.released == dead


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
    assert n.data_bytes == 8
    assert n.grad_bytes == 8            # y.grad = ones; no creator, so backward stops there
    assert set(_ids(t, "x", "a")) <= set(n.released)
    assert any("lower bound" in note for note in n.notes)


def test_weakrefs_off_keeps_the_dropped_output_in_a_cycle(shell):
    t = run_traced(shell, CELL)
    w = _figures(t)[NO_WEAKREFS]
    assert w.cycle_kept == dead_outputs(t.graph)
    assert w.data_bytes == 8 + 80
    assert w.kept_bytes == 240
    assert w.released == []


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
