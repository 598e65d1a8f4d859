"""Tracer + assemble, without IPython."""
import gc
import weakref

import numpy as np
import pytest

import dezero
import dezero.functions as F
from dezero import Config, Function, Variable, no_grad
from dezero.events import observers, observing
from dezero_magic.assemble import graph_from_tracer
from dezero_magic.records import VIDS
from dezero_magic.tracer import Tracer


def trace(fn, keep=5000, namespace=None, max_nodes=300):
    tracer = Tracer(keep=keep)
    with observing(tracer):
        ns = fn()
    graph, outs, leaves = graph_from_tracer(tracer, namespace if namespace is not None else ns, max_nodes)
    return tracer, graph, outs, leaves, ns


def test_forward_and_backward_are_recorded_in_generation_order():
    def cell():
        x = Variable(np.array(2.0))
        a = F.square(x)
        y = F.exp(a) + F.square(a)
        y.backward()
        return {"x": x, "a": a, "y": y}

    _, g, outs, leaves, ns = trace(cell)
    ops = [f.op for f in sorted(g.functions.values(), key=lambda f: f.order)]
    assert ops == ["Square", "Exp", "Square", "Add"]
    assert [g.functions[s.func].op for s in g.steps][0] == "Add"
    assert [g.functions[s.func].op for s in g.steps][-1] == "Square"
    assert g.functions[g.steps[-1].func].generation == 0
    labels = {v.label for v in g.variables.values()}
    assert {"x", "a", "y"} <= labels
    x = next(v for v in g.variables.values() if v.label == "x")
    expected = 2 * 2.0 * (np.exp(4.0) + 2 * 4.0)
    assert float(x.grad) == pytest.approx(expected, rel=1e-3)
    assert x.leaf and x.grad_absmax == pytest.approx(expected)
    # a got two grads (from Exp and Square): the second step adding to it is marked
    a_id = next(v.id for v in g.variables.values() if v.label == "a")
    assert any(a_id in s.accumulated for s in g.steps)
    # the queue after the first step holds both generation-1 functions
    assert {g.functions[f].op for f in g.steps[0].pending} == {"Exp", "Square"}
    assert g.steps[0].pending_total == 2
    assert outs[0]() is ns["y"]
    assert [r() for r in leaves.values()] == [ns["x"]]


def test_intermediate_grads_are_marked_freed_unless_retained():
    def cell():
        x = Variable(np.array(3.0))
        a = F.square(x)
        y = F.square(a)
        y.backward()
        return {"x": x, "a": a, "y": y}

    _, g, *_ = trace(cell)
    a = next(v for v in g.variables.values() if v.label == "a")
    assert a.grad_freed and a.grad is None and a.grad_nbytes == 0

    def retained():
        x = Variable(np.array(3.0))
        a = F.square(x)
        y = F.square(a)
        y.backward(retain_grad=True)
        return {"x": x, "a": a, "y": y}

    _, g, *_ = trace(retained)
    a = next(v for v in g.variables.values() if v.label == "a")
    assert not a.grad_freed and float(a.grad) == pytest.approx(18.0) and a.grad_nbytes == 8


def test_a_freed_grad_of_an_output_that_died_is_drawn_freed_not_as_its_last_total():
    # Step 35's ending: the first gx is rebound after gx.backward() freed its grad (QA: drawn "grad 1").
    def cell():
        x = Variable(np.array(1.0))
        y = F.tanh(x)
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
        return {"x": x, "y": y}          # the first gx dies here

    _, g, *_ = trace(cell)
    dead = [v for v in g.variables.values() if not v.alive and not v.leaf]
    assert dead and all(v.grad_freed and v.grad is None for v in dead), [(v.id, v.grad) for v in dead]


def test_config_retain_grad_keeps_intermediate_grads():
    def cell():
        x = Variable(np.array(3.0))
        a = F.square(x)
        y = F.square(a)
        y.backward()
        return {"x": x, "a": a}

    old = Config.retain_grad
    Config.retain_grad = True
    try:
        _, g, *_ = trace(cell)
    finally:
        Config.retain_grad = old
    a = next(v for v in g.variables.values() if v.label == "a")
    assert float(a.grad) == pytest.approx(18.0)


def test_training_loop_keeps_only_the_last_graph():
    w = Variable(np.array(1.0))

    def cell():
        for _ in range(300):
            w.cleargrad()
            loss = F.square(w * 2.0 - 1.0)
            loss.backward()
            w.data -= 0.01 * w.grad.data
        return {"w": w, "loss": loss}

    tracer, g, *_ = trace(cell)
    assert len(g.functions) == 3                # Mul, Sub, Square of the last epoch
    assert len(tracer.kept_calls()) == 3
    assert g.elided_functions == 299 * 3
    assert g.elided_steps == 299 * 3 and len(g.steps) == 3
    assert tracer.recorded_variables() < 300                 # summaries of old epochs were pruned
    assert any("300 backward passes" in n for n in g.notes)


def test_keep_bounds_a_cell_without_backward():
    def cell():
        x = Variable(np.array(1.0))
        for _ in range(50):
            x = x + 1
        return {"x": x}

    tracer, g, *_ = trace(cell, keep=10)
    assert len(tracer.kept_calls()) == 10 and g.elided_functions == 40


def test_max_nodes_keeps_the_nodes_nearest_the_output():
    def cell():
        x = Variable(np.array(1.0))
        for _ in range(50):
            x = F.sin(x)
        return {"y": x}

    _, g, *_ = trace(cell, max_nodes=21)
    assert len(g.functions) + len(g.variables) <= 21
    assert g.elided_functions == 50 - len(g.functions)
    assert any(v.label == "y" for v in g.variables.values())


def test_summaries_keep_nothing_alive_and_do_not_change():
    tracer = Tracer()
    with observing(tracer):
        x = Variable(np.ones(1000))
        y = F.exp(x)
        y.backward()
    refs = [weakref.ref(x), weakref.ref(y)]
    del x, y
    gc.collect()
    assert all(r() is None for r in refs)
    g, outs, leaves = graph_from_tracer(tracer, {})
    assert all(not v.alive for v in g.variables.values())
    exp_out = next(v for v in g.variables.values() if not v.leaf)
    assert exp_out.value.startswith("(1000,) [2.718")
    assert leaves == {}


def test_no_grad_calls_are_drawn_and_noted():
    def cell():
        x = Variable(np.array(2.0))
        with no_grad():
            y = F.square(x) * 3
        return {"x": x, "y": y}

    _, g, *_ = trace(cell)
    assert [f.op for f in g.functions.values()] == ["Square", "Mul"]
    assert [f.generation for f in g.functions.values()] == [0, 1]
    assert any("no_grad" in n for n in g.notes)
    assert all(f.kept_nbytes == 0 for f in g.functions.values())


def test_backward_internal_calls_are_not_part_of_the_graph():
    def cell():
        x = Variable(np.array(2.0))
        y = F.sin(x) * x
        y.backward()
        return {"x": x, "y": y}

    tracer, g, *_ = trace(cell)
    assert [f.op for f in g.functions.values()] == ["Sin", "Mul"]
    assert tracer.forward_calls == 2          # the backward's own Cos, Mul... are not even heard


def test_create_graph_records_the_derivative_graph():
    def cell():
        x = Variable(np.array(2.0))
        y = x ** 4
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        return {"x": x, "gx": gx}

    _, g, *_ = trace(cell)
    x = next(v for v in g.variables.values() if v.label == "x")
    assert float(x.grad) == pytest.approx(12 * 2.0 ** 2)
    assert len(g.functions) > 1


def test_a_failing_backward_gives_an_incomplete_graph_and_no_listener():
    class Bad(dezero_function()):
        def forward(self, x):
            return x

        def backward(self, gy):
            raise RuntimeError("boom")

    tracer = Tracer()
    with pytest.raises(RuntimeError):
        with observing(tracer):
            x = Variable(np.array(1.0))
            y = Bad()(F.square(x))
            y.backward()
    assert observers() == ()
    g, *_ = graph_from_tracer(tracer, {"x": x}, complete=False)
    assert not g.complete and len(g.functions) == 2


def dezero_function():
    from dezero import Function

    return Function


# -- identity, bounds and cost (the flat records) -------------------------

def test_a_reused_address_is_a_new_variable_not_the_dead_one():
    # Constants made by as_variable die with their Function; their addresses
    # are reused at once. Every Add must get its own constant node.
    def cell():
        x = Variable(np.array(1.0))
        for _ in range(40):
            y = x + 1.0          # the previous y, its Add and its constant die here
        return {"x": x, "y": y}

    tracer, g, *_ = trace(cell)
    assert len(g.functions) == 40
    ins = [tuple(f.inputs) for f in g.functions.values()]
    assert all(i[0] == ins[0][0] for i in ins)          # one x for all of them
    constants = {i[1] for i in ins}
    assert len(constants) == 40                         # never merged with a dead one
    x = g.variables[ins[0][0]]
    assert x.label == "x" and x.alive


def test_a_leaf_stays_one_node_while_its_consumers_come_and_go():
    w = Variable(np.array(2.0))

    def cell(backward):
        F.exp(w)                 # a result dropped at once: its Exp dies, w does not
        for _ in range(5):
            y = F.sin(w)         # each y (and its Sin) dies at the next iteration
        z = w * y
        if backward:
            z.backward()
        return {"w": w, "y": y, "z": z}

    _, g, *_ = trace(lambda: cell(False))
    ws = [v for v in g.variables.values() if v.label == "w"]
    assert len(ws) == 1 and ws[0].alive
    assert sum(ws[0].id in f.inputs for f in g.functions.values()) == 7   # Exp, 5 Sin, Mul
    _, g, *_ = trace(lambda: cell(True))
    (w_node,) = [v for v in g.variables.values() if v.label == "w"]
    assert sorted(f.op for f in g.functions.values()) == ["Mul", "Sin"]   # the last backward's graph
    assert float(w_node.grad) == pytest.approx(np.sin(2.0) + 2.0 * np.cos(2.0), rel=1e-3)


def test_the_same_input_twice_is_one_node():
    def cell():
        x = Variable(np.array(3.0))
        y = x * x
        y.backward()
        return {"x": x, "y": y}

    _, g, *_ = trace(cell)
    (mul,) = g.functions.values()
    assert mul.inputs[0] == mul.inputs[1]
    assert float(g.variables[mul.inputs[0]].grad) == pytest.approx(6.0)


def test_a_long_cell_without_backward_keeps_a_bounded_window():
    tracer = Tracer(keep=100)
    with observing(tracer):
        y = Variable(np.array(0.5))
        for _ in range(5000):
            y = y * 1.0
    assert len(tracer.calls) < 4 * 100 and len(tracer.kept_calls()) == 100
    assert tracer.recorded_variables() < 8 * 100
    g, outs, _ = graph_from_tracer(tracer, {"y": y}, max_nodes=30)
    assert g.elided_functions == 5000 - len(g.functions)
    assert outs[0]() is y
    last = max(g.functions.values(), key=lambda f: f.order)
    assert g.variables[last.outputs[0]].label == "y"


def test_records_are_untracked_by_the_garbage_collector():
    # The point of the flat records: a long cell gives the collector nothing to walk.
    tracer = Tracer()
    with observing(tracer):
        x = Variable(np.arange(3.0))
        y = x
        for _ in range(50):
            y = F.sin(y) * 2.0
        y.sum().backward()
    for _ in range(3):
        # A collection untracks a tuple once the tuples inside it are: records
        # nest three deep (step, grads, shape), so three passes at most.
        gc.collect()
    assert not any(gc.is_tracked(c) for c in tracer.calls)
    assert not any(gc.is_tracked(s) for s in tracer.last_pass.steps)
    assert not any(gc.is_tracked(i) for i in tracer.variables.first_seen.values())


def test_values_are_those_of_the_forward_pass_and_survive_the_objects():
    tracer = Tracer()
    with observing(tracer):
        x = Variable(np.array([1.0, 2.0]))
        y = x * 3.0
    x.data[0] = 100.0                # changed after the call: the record is not
    del y
    g, *_ = graph_from_tracer(tracer, {"x": x})
    (mul,) = g.functions.values()
    assert g.variables[mul.inputs[0]].value == "[1 2]"
    out = g.variables[mul.outputs[0]]
    assert out.value == "[3 6]" and not out.alive and out.shape == (2,) and out.dtype == "float64"


def test_gys_are_derived_from_earlier_steps():
    def cell():
        x = Variable(np.array(2.0))
        a = F.square(x)
        b = F.exp(a)
        y = b * 3.0
        y.backward()
        return {"x": x, "y": y}

    _, g, *_ = trace(cell)
    ops = [g.functions[s.func].op for s in g.steps]
    assert ops == ["Mul", "Exp", "Square"]
    by_op = {g.functions[s.func].op: s for s in g.steps}
    assert by_op["Mul"].gys == {g.functions[by_op["Mul"].func].outputs[0]: "1"}
    assert float(next(iter(by_op["Exp"].gys.values()))) == pytest.approx(3.0)
    assert float(next(iter(by_op["Square"].gys.values()))) == pytest.approx(3 * np.exp(4.0), rel=1e-3)


@pytest.mark.parametrize("raises", [None, RuntimeError, KeyboardInterrupt])
def test_paced_collector_restores_the_thresholds(raises):
    from dezero_magic.gcpace import paced_collector

    before, enabled = gc.get_threshold(), gc.isenabled()
    try:
        with paced_collector(10):
            assert gc.get_threshold()[0] == before[0] * 10
            if raises is not None:
                raise raises("stop")
    except (RuntimeError, KeyboardInterrupt):
        pass
    assert gc.get_threshold() == before and gc.isenabled() == enabled


def test_paced_collector_leaves_thresholds_the_code_set_itself():
    from dezero_magic.gcpace import paced_collector

    before = gc.get_threshold()
    try:
        with paced_collector(10):
            gc.set_threshold(1234, 5, 6)
        assert gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*before)


@pytest.mark.parametrize("body", ["x = F.exp(Variable(np.array(1.0)))\n",
                                  "x = F.exp(Variable(np.array(1.0)))\n1 / 0\n"])
def test_a_dezero_cell_leaves_the_collector_as_it_found_it(shell, body):
    before, enabled = gc.get_threshold(), gc.isenabled()
    shell.run_cell("%%dezero --static\n" + body)
    assert gc.get_threshold() == before and gc.isenabled() == enabled


def test_every_drawn_edge_has_its_variable_at_the_window_edge():
    # The first kept call's input was made by a call that left the window.
    for keep, n in ((10, 95), (10, 3000)):
        tracer = Tracer(keep=keep)
        with observing(tracer):
            y = Variable(np.array(0.5))
            for _ in range(n):
                y = F.sin(y)
        g, *_ = graph_from_tracer(tracer, {"y": y}, max_nodes=1000)
        assert len(g.functions) == keep
        for f in g.functions.values():
            assert all(v in g.variables for v in f.inputs + f.outputs)
        first = min(g.functions.values(), key=lambda f: f.order)
        boundary = g.variables[first.inputs[0]]
        assert not boundary.leaf and boundary.value and boundary.alive


def test_a_second_pass_gets_back_calls_the_first_one_dropped():
    def cell():
        x = Variable(np.array(0.5))
        t = F.square(x)
        a = F.exp(t)
        b = F.sin(t)           # not popped by a's pass: dropped when it ends
        a.backward()
        x.cleargrad()
        b.backward()           # pops Sin again
        return {"x": x, "t": t, "a": a, "b": b}

    _, g, *_ = trace(cell)
    assert sorted(f.op for f in g.functions.values()) == ["Sin", "Square"]
    assert [g.functions[s.func].op for s in g.steps] == ["Sin", "Square"]
    x = next(v for v in g.variables.values() if v.label == "x")
    assert float(x.grad) == pytest.approx(np.cos(0.25) * 2 * 0.5, rel=1e-3)


def test_summaries_are_atoms_and_read_back_as_snapshots():
    from dezero_magic.preview import format_snapshot, from_summary, summarise

    strided = np.arange(40.0).reshape(5, 8)[:, ::2]          # not contiguous
    s = summarise(strided)
    gc.collect()
    gc.collect()
    assert not gc.is_tracked(s)                                # atoms only: the GC let it go
    snap = from_summary(s, live=strided)
    assert snap.shape == (5, 4) and snap.nbytes == 160 and snap.absmax == 38.0
    assert format_snapshot(snap) == "(5, 4) [0 2 4 6 …]"
    gone = from_summary(s)          # the array died: its first 16 elements are what is known
    assert gone.absmax == 30.0 and format_snapshot(gone) == "(5, 4) [0 2 4 6 …]"
    big = np.r_[np.ones(20), np.nan]
    assert from_summary(summarise(big), live=big).nonfinite
    assert format_snapshot(from_summary(summarise(np.array(["ab", "c"])))) == "[ab c]"
    assert format_snapshot(from_summary(summarise(np.array([1, None], dtype=object)))) == "object"


def test_steps_beyond_the_cap_are_counted_not_heard_and_captioned():
    tracer = Tracer(max_steps=10)
    heard = []
    original = tracer.on_backward_step
    tracer.on_backward_step = lambda *a: heard.append(1) or original(*a)
    with observing(tracer):
        x = Variable(np.array(0.5))
        y = x
        for _ in range(50):
            y = F.sin(y)
        y.backward()
    assert len(heard) == 10                      # the engine stopped telling after the cap
    g, *_ = graph_from_tracer(tracer, {"x": x, "y": y})
    assert len(g.steps) <= 10 and g.unrecorded_steps == 40 and g.elided_steps == 0
    from dezero_magic.trace import Trace
    caption = Trace(g).caption()
    assert "10 of 50 backward steps drawn (40 farthest from the output not recorded)" in caption
    assert "earlier" not in caption
    # The pass keeps the calls it was heard popping (the ones nearest the output).
    assert len(g.functions) == 10 and g.elided_functions == 40
    assert {s.func for s in g.steps} == set(g.functions)
    assert x.grad is not None                    # the user's backward ran in full


def test_a_window_smaller_than_the_cell_draws_its_last_calls_with_their_values():
    # Calls are noted raw and resolved only for the window shown (the last
    # `keep`); the input at the window's edge takes its producer's value.
    tracer = Tracer(keep=10, max_steps=10)
    with observing(tracer):
        x = Variable(np.array(0.5))
        y = x
        values = []
        for _ in range(50):
            values.append(float(y.data))
            y = F.sin(y)
        y.backward()
    g, *_ = graph_from_tracer(tracer, {"x": x, "y": y})
    gens = sorted(f.generation for f in g.functions.values())
    assert gens == list(range(40, 50))                 # the last ten Sins, nothing older
    assert all(f.order >= 0 for f in g.functions.values())
    first = min(g.functions.values(), key=lambda f: f.generation)
    edge = g.variables[first.inputs[0]]
    assert float(edge.value) == pytest.approx(values[40], rel=1e-3)
    assert g.elided_functions == 40


def test_a_leaf_changed_between_uses_shows_the_value_of_its_latest_use():
    tracer = Tracer()
    with observing(tracer):
        w = Variable(np.array([1.0, 2.0]))
        y = w * 2.0
        w.data[...] = [7.0, 8.0]          # in place, in the same cell, before anything is resolved
        z = w * 3.0
        w.data[...] = [0.0, 0.0]          # after its last use: not what any call used
    g, *_ = graph_from_tracer(tracer, {"w": w, "y": y, "z": z})
    (w_node,) = [v for v in g.variables.values() if v.label == "w"]
    assert w_node.value == "[7 8]"        # its latest use (z's); y's own value shows the earlier one
    values = {f.order: g.variables[f.outputs[0]].value for f in g.functions.values()}
    assert values == {0: "[2 4]", 1: "[21 24]"}


def test_a_parameter_updated_each_epoch_shows_the_value_the_last_pass_used():
    # The lecture case: the graph of the last pass must not show the initial weight.
    tracer = Tracer()
    with observing(tracer):
        w = Variable(np.array(1.0), name="w")
        for _ in range(3):
            loss = w * 2.0
            w.cleargrad()
            loss.backward()
            w.data -= 0.25 * w.grad.data   # in place, as dezero's optimizers do
    g, *_ = graph_from_tracer(tracer, {"w": w, "loss": loss})
    (w_node,) = [v for v in g.variables.values() if v.label == "w"]
    (loss_node,) = [v for v in g.variables.values() if v.label == "loss"]
    assert (w_node.value, loss_node.value) == ("0", "0")   # 1 - 0.5 - 0.5, times 2
    assert float(w.data) == -0.5                           # the value after the cell is not drawn


@pytest.mark.parametrize("retain", [False, True])
def test_the_outputs_seed_grad_is_marked_freed_as_dezero_frees_it(retain):
    def cell():
        x = Variable(np.array(2.0))
        a = F.square(x)
        y = F.exp(a)
        y.backward(retain_grad=retain)
        return {"x": x, "a": a, "y": y}

    _, g, _, _, ns = trace(cell)
    nodes = {v.label: v for v in g.variables.values()}
    assert (ns["y"].grad is None) == (not retain)
    assert nodes["y"].grad_freed == nodes["a"].grad_freed == (not retain)
    assert nodes["y"].grad == (None if not retain else "1")
    assert not nodes["x"].grad_freed


class _Broken(dezero.Function):
    """A Function whose backward raises (module level: the tracer may meet it again)."""

    def forward(self, x):
        return x * 2

    def backward(self, gy):
        raise ValueError("boom in backward")


@pytest.mark.parametrize("last", [True, False])
def test_a_backward_that_raises_is_named_not_counted_as_unrecorded(last):
    tracer = Tracer()
    with observing(tracer):
        x = Variable(np.array(2.0))
        y = _Broken()(F.square(x)) if last else F.exp(_Broken()(F.square(x)))
        with pytest.raises(ValueError):
            y.backward()
    g, *_ = graph_from_tracer(tracer, {"x": x, "y": y}, complete=False)
    assert g.unrecorded_steps == 0
    assert len(g.steps) == (0 if last else 1)   # Exp's step ran; _Broken's raised
    (note,) = [n for n in g.notes if "raised" in n]
    broken = next(f for f in g.functions.values() if f.op == "_Broken")
    assert f"The backward of _Broken ({broken.id}) raised" in note


def _ops(g):
    return [f.op for f in sorted(g.functions.values(), key=lambda f: f.order)]


def test_a_second_order_derivative_keeps_the_graph_of_y_with_the_graph_of_its_grad():
    # Steps 33-36: gx.backward() runs through the graph y.backward(create_graph=True)
    # built; y's own graph is the other half of the picture and stays drawn.
    def cell():
        x = Variable(np.array(2.0), name="x")
        y = x ** 4 - 2 * x ** 2
        y.name = "y"
        y.backward(create_graph=True)
        gx = x.grad
        gx.name = "gx"
        x.cleargrad()
        gx.backward()
        return {"x": x, "y": y, "gx": gx}

    tracer, g, *_ = trace(cell)
    labels = {v.label for v in g.variables.values()}
    assert {"x", "y", "gx"} <= labels
    assert _ops(g)[:4] == ["Pow", "Pow", "Mul", "Sub"]   # y = x**4 - 2 * x**2, as it ran
    assert g.elided_functions == 0
    assert tracer.last_pass.differentiates
    assert [g.functions[s.func].op for s in g.steps][0] == "Add"   # the steps are gx's pass
    assert any("both graphs are drawn" in n for n in g.notes)
    x = next(v for v in g.variables.values() if v.label == "x")
    assert float(x.grad) == pytest.approx(12 * 2.0 ** 2 - 4)


def test_newtons_loop_with_create_graph_twice_keeps_only_the_last_iteration():
    # Both passes use create_graph, but iteration i+1's first pass runs through
    # y's new graph, not through what iteration i built: the old ones go.
    def cell():
        x = Variable(np.array(2.0), name="x")
        for _ in range(5):
            y = x ** 4 - 2 * x ** 2
            x.cleargrad()
            y.backward(create_graph=True)
            gx = x.grad
            x.cleargrad()
            gx.backward(create_graph=True)
            gx2 = x.grad
            x.data -= gx.data / gx2.data
        return {"x": x, "y": y, "gx": gx}

    tracer, g, *_ = trace(cell)
    assert tracer.backward_passes == 10
    assert _ops(g).count("Sub") == 1          # one y graph, the last iteration's
    assert g.elided_functions > 0
    assert tracer.last_pass.differentiates    # the last pass still shows both halves


def test_tanh_higher_derivatives_say_how_many_graphs_are_drawn():
    # Step 35: each pass differentiates the grads the pass before built, so
    # more than two graphs are drawn and "both" would be wrong.
    def cell():
        x = Variable(np.array(1.0), name="x")
        y = F.tanh(x)
        x.cleargrad()
        y.backward(create_graph=True)
        for _ in range(3):
            gx = x.grad
            x.cleargrad()
            gx.backward(create_graph=True)
        return {"x": x, "y": y, "gx": gx}

    tracer, g, *_ = trace(cell)
    assert tracer.backward_passes == 4
    assert tracer.last_pass.differentiates == 3
    note = next(n for n in g.notes if "backward passes ran" in n)
    assert "the last 3 each differentiated" in note and "every grads' graph" in note
    assert "both" not in note


def test_layer_parameters_are_labelled_by_where_they_live():
    # Every Linear names its weight W: in an MLP the two Ws must read apart.
    from dezero.models import MLP

    def cell():
        model = MLP((5, 3))
        x = Variable(np.random.default_rng(0).normal(size=(4, 2)), name="x")
        y = F.sum(model(x))
        y.backward()
        return {"model": model, "x": x, "y": y}

    _, g, *_ = trace(cell)
    labels = {v.label for v in g.variables.values() if v.leaf}
    assert {"model.l0.W", "model.l0.b", "model.l1.W", "model.l1.b", "x"} <= labels, labels
    assert "W" not in labels


def test_a_name_the_user_gave_a_parameter_is_kept():
    from dezero import Parameter
    import dezero.layers as L

    def cell():
        layer = L.Linear(2)
        layer.W = Parameter(np.ones((3, 2)), name="weights")
        x = Variable(np.ones((1, 3)), name="x")
        y = F.sum(layer(x))
        return {"layer": layer, "x": x, "y": y}

    _, g, *_ = trace(cell)
    labels = {v.label for v in g.variables.values() if v.leaf}
    assert "weights" in labels and "layer.b" in labels, labels


def test_a_graph_cut_by_max_nodes_says_how_to_draw_more():
    def cell():
        x = Variable(np.array(0.5))
        y = x
        for _ in range(30):
            y = F.sin(y)
        y.backward()
        return {"x": x, "y": y}

    _, g, *_ = trace(cell, max_nodes=10)
    assert g.elided_functions > 0
    assert any("--max-nodes 10" in n and "larger --max-nodes" in n for n in g.notes)
    _, whole, *_ = trace(cell, max_nodes=300)
    assert not any("--max-nodes" in n for n in whole.notes)


def test_an_evaluation_after_the_last_backward_is_counted_not_drawn():
    # Book step 50: train, then evaluate under no_grad in the same cell. The
    # graph is the last training pass; the evaluation would bury it.
    def cell():
        x = Variable(np.array([[1.0, 2.0]]), name="x")
        W = Variable(np.ones((2, 3)), name="W")
        for _ in range(3):
            loss = F.sum(F.sigmoid(F.matmul(x, W)))
            W.cleargrad()
            loss.backward()
            W.data -= 0.1 * W.grad.data
        with no_grad():
            for _ in range(4):
                y = F.sigmoid(F.matmul(x, W))
        return {"x": x, "W": W, "loss": loss, "y": y}

    tracer, g, *_ = trace(cell)
    assert _ops(g) == ["MatMul", "Sigmoid", "Sum"]
    assert not any(f.no_grad for f in g.functions.values())
    assert any(n.startswith("8 function calls made after the last backward") for n in g.notes)
    assert g.elided_functions == 2 * 3 + 8


@pytest.mark.parametrize("after", [10, 1300, 6000])
@pytest.mark.parametrize("no_grad_eval", [True, False])
def test_calls_after_the_last_backward_never_push_its_graph_out(after, no_grad_eval):
    # Step 59 predicts 1,000 points after training: its graph was drawn empty
    # (the window held the evaluation only) and the note counted 1,200 calls.
    import dezero
    import dezero.functions as F
    from dezero import Variable
    from dezero.events import observing
    from dezero_magic.assemble import graph_from_tracer

    tracer = Tracer(keep=1200, max_steps=1200)
    with observing(tracer):
        x = Variable(np.ones(3), name="x")
        h = x
        for _ in range(5):
            h = F.tanh(h)
        y = F.sum(h)
        y.backward()
        with dezero.using_config("enable_backprop", not no_grad_eval):
            for _ in range(after):
                F.tanh(x)
    graph, _, _ = graph_from_tracer(tracer, {"x": x, "y": y})
    assert sorted(f.op for f in graph.functions.values()) == ["Sum"] + ["Tanh"] * 5
    assert len(graph.steps) == 6 and graph.elided_functions == after
    assert any(n.startswith(f"{after:,} function calls made after the last backward") for n in graph.notes)
    # bounded: cut in batches back to the graph and `keep` calls after it
    assert len(tracer.calls) <= 4 * tracer.keep + 6 and tracer.recorded_variables() < 8 * tracer.keep


def test_a_variable_without_data_is_recorded_not_a_tracer_crash():
    # Variable(None) is legal (book step 2); as an input it made the hot path
    # unpack None and the tracer removed itself.
    class Fill(Function):
        def forward(self, x):
            return np.zeros(2) if x is None else x

    tracer = Tracer()
    with observing(tracer):
        x = Variable(None)
        y = Fill()(x)
        Fill()(y)
    assert tracer.error is None and len(tracer.kept_calls()) == 2
    from dezero_magic.preview import format_snapshot, from_summary
    summary = tracer.var_info(tracer.kept_calls()[0][VIDS])[0]
    assert format_snapshot(from_summary(summary)) == "None"


def test_paced_collector_paces_only_once_asked_and_never_after_the_block():
    from dezero_magic.gcpace import paced_collector

    before = gc.get_threshold()
    with paced_collector(10, now=False) as pacer:
        assert gc.get_threshold() == before and not pacer.paced
        pacer.pace()
        pacer.pace()
        assert gc.get_threshold()[0] == before[0] * 10
    assert gc.get_threshold() == before
    pacer.pace()  # a tracer read after the cell (its window cut) must not pace for good
    assert gc.get_threshold() == before


STEP16_CLASSES = """
class Var:
    def __init__(self, data):
        self.data, self.grad, self.creator = data, None, None

class Sq:
    def __call__(self, x):
        y = Var(x.data ** 2)
        y.creator = self
        self.inputs, self.outputs = [x], [y]  # strong refs both ways: a cycle
        return y

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy

def sq(x):
    return Sq()(x)
"""


@pytest.mark.parametrize("students, n_ops, paced", [(False, 300, True), (True, 300, False), (True, 20000, True)])
def test_the_collector_is_paced_for_dezero_cells_and_long_cells_only(shell, monkeypatch, students, n_ops, paced):
    # Step 17's lesson measures the memory that step 16's cycles hold until a
    # collection: a short cell where students' classes may run keeps the
    # collector as it is; dezero's graphs hold no cycles, and a long cell
    # (thousands of calls) gets fewer, larger young collections.
    if students:
        shell.run_cell(STEP16_CLASSES)
    seen = []
    real = gc.set_threshold
    monkeypatch.setattr(gc, "set_threshold", lambda *t: (seen.append(t), real(*t)))
    before = gc.get_threshold()
    own = "s = sq(Var(np.array(2.0)))\n" if students else ""  # (the watch is on where they may run)
    shell.run_cell(f"%%dezero --static\n{own}y = Variable(np.array(1.0))\nfor _ in range({n_ops}):\n"
                   f"    y = y * 1.0\nz = Variable(np.array(2.0))\nfor _ in range({n_ops}):\n    w = F.exp(z)")
    assert bool(seen) == paced
    assert gc.get_threshold() == before




def test_a_step_16_cycle_demo_measures_the_memory_it_does_plain(shell):
    # Functions that hold their outputs strongly (the book's step 16): each
    # iteration leaves a cycle that only the collector frees.
    cell = ("import tracemalloc\ntracemalloc.start()\nfor i in range(100):\n"
            "    x = Var(np.random.randn(10000))\n    y = sq(sq(sq(x)))\n"
            "peak = tracemalloc.get_traced_memory()[1]\ntracemalloc.stop()\n")
    shell.run_cell(STEP16_CLASSES)
    shell.run_cell(cell)
    plain = shell.user_ns["peak"]
    shell.run_cell("%%dezero --static\n" + cell)
    assert shell.user_ns["peak"] < 1.5 * plain
