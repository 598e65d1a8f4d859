"""A create_graph backward's seed: `y.backward(create_graph=True)` puts ones in
y.grad, a Variable that enters the grads' graph as a leaf (gx = y.grad * cos(x),
book steps 33-36). It was drawn as an anonymous `v3` with a grad; it is drawn
`y.grad`, and its grad, added up over the later passes, is not told as a slip."""
import numpy as np

import dezero.functions as F
from dezero import Variable
from dezero.events import observing
from dezero_magic.assemble import graph_from_tracer
from dezero_magic.tracer import Tracer

SECOND = """%%dezero -o t
x = Variable(np.array(2.0))
y = F.sin(x)
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
gx.backward()
"""

THIRD = """%%dezero -o t
x = Variable(np.array(2.0))
y = x ** 4
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
gx.backward(create_graph=True)
gx2 = x.grad
x.cleargrad()
gx2.backward()
"""


def _by_label(graph):
    return {v.label: v for v in graph.variables.values()}


def test_the_second_order_seed_is_drawn_as_y_grad(shell, displayed):
    shell.run_cell("import numpy as np\nimport dezero.functions as F\nfrom dezero import Variable")
    assert shell.run_cell(SECOND).success
    graph = shell.user_ns["t"].graph
    nodes = _by_label(graph)
    seed = nodes["y.grad"]
    assert seed.leaf and seed.value.startswith("1")
    assert float(seed.grad) == np.round(np.cos(2.0), 4)   # d(gy * cos x)/d gy at gy = 1
    mul = next(f for f in graph.functions.values() if f.op == "Mul")
    assert seed.id in mul.inputs
    assert not any(v.label.startswith("v") and v.leaf for v in graph.variables.values())


def test_the_third_order_seeds_are_named_and_their_summed_grads_not_told(shell, displayed):
    shell.run_cell("import numpy as np\nimport dezero.functions as F\nfrom dezero import Variable")
    assert shell.run_cell(THIRD).success
    trace = shell.user_ns["t"]
    nodes = _by_label(trace.graph)
    assert {"y.grad", "gx.grad"} <= set(nodes)
    assert not any("also holds an earlier backward" in n for n in trace.graph.notes), trace.graph.notes


def test_a_seed_the_user_named_keeps_its_name_and_a_plain_backward_names_none():
    x = Variable(np.array(2.0))
    tracer = Tracer()
    with observing(tracer):
        y = F.sin(x)
        y.grad = Variable(np.array(3.0), name="g")
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
    graph = graph_from_tracer(tracer, {"x": x, "y": y, "gx": gx})[0]
    assert "g" in _by_label(graph) and "y.grad" not in _by_label(graph)
    tracer = Tracer()
    with observing(tracer):
        z = F.sin(x)
        z.backward()
    assert tracer.seeds_of == {}
