"""QA N22-4: a cell that trains, then evaluates (book steps 50/51), rebinds
x, t, y, loss after its last backward; the drawn graph (that backward's)
keeps the names they had when it began, instead of v35938, f23956 ..."""
import gc

from widget_html import run_traced

from dezero_magic.numgrad import check_gradients

SETUP = ("from dezero import optimizers, DataLoader\nfrom dezero.models import MLP\n"
         "np.random.seed(0)\n"
         "class Data:\n"
         "    def __init__(self, n):\n"
         "        self.x = np.random.randn(n, 2)\n"
         "        self.t = (self.x[:, 0] > 0).astype(int)\n"
         "    def __getitem__(self, i):\n"
         "        return self.x[i], self.t[i]\n"
         "    def __len__(self):\n"
         "        return len(self.x)\n"
         "train_loader = DataLoader(Data(8), 4)\ntest_loader = DataLoader(Data(8), 4, shuffle=False)\n"
         "model = MLP((5, 2))\n")

TRAIN_THEN_EVALUATE = """optimizer = optimizers.SGD(0.1).setup(model)
for epoch in range(2):
    for x, t in train_loader:
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
    with dezero.no_grad():
        for x, t in test_loader:
            y = model(x)
            loss = F.softmax_cross_entropy(y, t)
"""


def _labels(trace):
    return {v.label for v in trace.graph.variables.values()}


def _function_of(trace, op):
    return next(f for f in trace.graph.functions.values() if f.op == op)


def test_a_training_graph_keeps_its_names_after_an_evaluation_loop(shell):
    shell.run_cell(SETUP, store_history=False)
    t = run_traced(shell, TRAIN_THEN_EVALUATE)
    graph = t.graph
    loss_fn = _function_of(t, "SoftmaxCrossEntropy")
    y_id, t_id = loss_fn.inputs
    (loss_id,) = loss_fn.outputs
    assert graph.variables[loss_id].label == "loss"
    assert graph.variables[y_id].label == "y"
    assert graph.variables[t_id].label == "t"
    first = next(f for f in graph.functions.values() if f.op == "Linear" and "model.l0.W" in
                 [graph.variables[v].label for v in f.inputs])
    assert graph.variables[first.inputs[0]].label == "x"
    # the names are not the evaluation's: those objects are not drawn, and nothing dead is called by them
    assert not any(v.alive for v in graph.variables.values() if v.label in ("x", "t", "y", "loss"))
    assert "loss" in t.svg() and "(v" not in t.text().split("SoftmaxCrossEntropy")[1].split("\n")[0]


def test_a_name_that_still_refers_to_its_object_wins(shell):
    # y keeps the drawn y; z is bound to another variable after the backward (also drawn? no: made
    # after the pass); x.name wins over the name x had
    t = run_traced(shell, "x = Variable(np.array(2.0), name='x0')\nz = x * 3\ny = z ** 2\ny.backward()\n"
                          "w = z\nz = y + 1\n")
    labels = _labels(t)
    assert {"x0", "y"} <= labels and "x" not in labels
    z_node = t.graph.variables[_function_of(t, "Mul").outputs[0]]
    assert z_node.label == "w"  # alive, and w refers to it now: the namespace wins over the name at backward


def test_a_rebound_variable_gets_the_name_it_had_at_the_backward(shell):
    t = run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 2\nz = y * 3\nz.backward()\n"
                          "for i in range(2):\n    y = Variable(np.array(1.0))\n    z = y * 2\n")
    square = _function_of(t, "Pow")
    assert t.graph.variables[square.outputs[0]].label == "y"
    assert t.graph.variables[square.inputs[0]].label == "x"
    mul = next(f for f in t.graph.functions.values() if f.op == "Mul" and square.outputs[0] in f.inputs)
    assert t.graph.variables[mul.outputs[0]].label == "z"


def test_only_names_the_cell_binds(shell):
    # `u` is bound by an earlier cell and dropped by a def, not by this cell's code: the leaf it held
    # dies unnamed, as before; the def's local `h` names nothing either
    shell.run_cell("u = Variable(np.array(3.0))", store_history=False)
    t = run_traced(shell, "def f(a):\n    h = a * 2\n    return h\n"
                          "def drop():\n    global u\n    u = None\n"
                          "f(u).backward()\ndrop()\n")
    mul = _function_of(t, "Mul")
    assert t.graph.variables[mul.outputs[0]].label == ""
    assert t.graph.variables[mul.inputs[0]].label == ""


def test_the_check_says_the_update_first(shell):
    # the training loss is gone, but the optimizer moved the parameters: that is why no check runs
    shell.run_cell(SETUP, store_history=False)
    t = run_traced(shell, TRAIN_THEN_EVALUATE)
    gc.collect()
    check = check_gradients(t)
    assert not check.available
    assert check.reason.startswith("Numerical gradients are not available because model.l"), check.reason
    assert "changed after the drawn forward used" in check.reason and "no longer exists" not in check.reason


def test_a_gone_output_without_an_update_still_says_gone(shell):
    shell.run_cell(SETUP, store_history=False)
    t = run_traced(shell, "for x, t in train_loader:\n    y = model(x)\n    loss = F.softmax_cross_entropy(y, t)\n"
                          "    model.cleargrads()\n    loss.backward()\n"
                          "with dezero.no_grad():\n    loss = F.softmax_cross_entropy(model(x), t)\n")
    gc.collect()
    check = check_gradients(t)
    assert "the output of the last backward no longer exists" in check.reason


def test_a_name_at_backward_that_is_another_nodes_own_name_is_not_used(shell):
    # QA W22: x named 'y' and the product once bound to y were both labelled y
    cell = ("%%dezero -o _t\nw = Variable(np.array(5.0), name='y')\nx = Variable(np.array(2.0))\n"
            "y = x * w\ny.backward()\ny = 1.0\n")
    assert shell.run_cell(cell).success
    labels = [v.label for v in shell.user_ns["_t"].graph.variables.values() if v.label]
    assert labels.count("y") == 1, labels
