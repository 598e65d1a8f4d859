"""Labels from the user namespace (dezero_magic.naming)."""
import numpy as np

import dezero.functions as F
from dezero import Parameter, Variable
from dezero.layers import Linear
from dezero.models import MLP
from dezero_magic.naming import label_for, namespace_names
from widget_html import run_traced


def _label(obj, namespace):
    return label_for(obj, None, namespace_names(namespace))


def test_a_layer_path_beats_an_earlier_loop_variable():
    # QA: `p` left over from `for p in model.params()` in an earlier cell came first
    # in the namespace, and model.l1.b was drawn as a bare `b`.
    model = MLP((3, 1))
    b = model.l1.b
    assert _label(b, {"p": b, "model": model}) == "model.l1.b"
    assert _label(b, {"params": list(model.params()), "model": model}) == "model.l1.b"
    assert _label(b, {"model": model, "p": b}) == "model.l1.b"   # model first: as before
    assert _label(model.l0.W, {"p": b, "model": model}) == "model.l0.W"


def test_a_name_the_user_gave_wins_over_the_path():
    model = MLP((3, 1))
    model.l1.b.name = "bias1"
    assert _label(model.l1.b, {"p": model.l1.b, "model": model}) == "bias1"


def test_an_unnamed_parameter_keeps_a_plain_name():
    # Only a Parameter named as its attribute (W, b) gives way to its path.
    layer = Linear(2, in_size=3)
    layer.extra = Parameter(np.ones(2))
    assert _label(layer.extra, {"scale": layer.extra, "layer": layer}) == "scale"
    assert _label(layer.extra, {"layer": layer}) == "layer.extra"


def test_a_shared_parameter_keeps_the_first_path():
    shared = Linear(2, in_size=3)
    a, b = MLP((3, 1)), MLP((3, 1))
    a.l0 = shared
    b.l0 = shared
    assert _label(shared.W, {"p": shared.W, "a": a, "b": b}) == "a.l0.W"


def test_a_variable_wrapping_a_named_array_takes_its_name():
    # Step 43 on: F.linear(x, W, b) with x an ndarray wraps it in a Variable whose data IS x.
    x = np.random.rand(4, 1)
    y = F.linear(x, Variable(np.ones((1, 2))))
    wrapper = y.creator.inputs[0]
    assert wrapper.data is x and wrapper.name is None
    names = namespace_names({"x": x, "y": y})
    assert label_for(wrapper, None, names) == "x"
    # Its own namespace name or a recorded name come first.
    assert label_for(wrapper, None, namespace_names({"x": x, "xv": wrapper})) == "xv"
    assert label_for(wrapper, "first", names) == "first"
    # Not a function's output that merely shares an array: only creator-less Variables.
    assert label_for(y, None, namespace_names({"arr": y.data})) == ""


def test_an_unnamed_variable_of_an_unnamed_array_stays_unnamed():
    assert _label(Variable(np.ones(2)), {"x": np.ones(2)}) == ""
    assert label_for(None, None, {}) == ""


def test_a_data_property_that_raises_counts_as_absent():
    class Odd:
        name = None
        creator = None

        @property
        def data(self):
            raise RuntimeError("no data")

    assert _label(Odd(), {"x": np.ones(2)}) == ""


def test_the_drawn_graph_names_numpy_inputs_and_layer_paths(shell):
    shell.run_cell("p = None\nfrom dezero.models import MLP")
    t = run_traced(shell, """
np.random.seed(0)
x = np.random.rand(10, 1)
y = np.sin(2 * np.pi * x)
model = MLP((4, 1))
for i in range(2):
    loss = F.mean_squared_error(y, model(x))
    model.cleargrads()
    loss.backward()
    for p in model.params():
        p.data -= 0.2 * p.grad.data
""")
    assert shell.user_ns["p"] is shell.user_ns["model"].l1.b
    labels = {v.label for v in t.graph.variables.values() if v.leaf}
    assert labels == {"x", "y", "model.l0.W", "model.l0.b", "model.l1.W", "model.l1.b"}
