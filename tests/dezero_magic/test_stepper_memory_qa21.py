"""QA session 21: the Backward tab when a cut graph draws none of the last pass's steps
(book step 35, iters = 6), and the Memory tab's list of freed variables (book steps 38-39)."""
import re

from dezero_magic.graph import Graph
from dezero_magic.node_budget import MOST
from dezero_magic.undrawn_steps import more_nodes_advice, outside_message, text_note
from dezero_magic.widgets.backward_tab import BackwardView
from dezero_magic.widgets.memory_tab import memory_view
from widget_html import run_traced, text_of

# Book step 35: tanh's 7th derivative. Over 1,000 nodes: the 300 drawn are the grad graph
# the last pass built, which holds none of the functions that pass popped.
STEP_35 = """
x = Variable(np.array(1.0))
y = F.tanh(x)
x.name = 'x'
y.name = 'y'
y.backward(create_graph=True)
iters = 6
for i in range(iters):
    gx = x.grad
    x.cleargrad()
    gx.backward(create_graph=True)
gx = x.grad
gx.name = 'gx' + str(iters + 1)
print(gx)
"""


def test_step_35_backward_tab_says_the_steps_lie_outside_the_drawn_nodes(shell, displayed):
    trace = run_traced(shell, STEP_35)
    g = trace.graph
    assert not g.steps and g.pass_steps == 339    # (the text's "0 of 339 backward steps drawn")
    assert g.cut and g.max_nodes is None           # cut by the default budget
    said = text_of(BackwardView(trace).message.value)
    assert "No backward pass was recorded" not in said
    assert "its last pass took 339 steps" in said
    assert "only the 300 nearest the output are drawn" in said
    assert "--max-nodes 2000" in said
    # the text summary says the same, and that the leaves' grads listed may lack the last pass's
    text = trace.text()
    assert "0 of 339 backward steps drawn" in text
    assert re.search(r"note: none of the last backward's 339 steps is drawn .* grads it left on its leaves "
                     r"may not be shown here; give --max-nodes 2000", text)
    # control: a cell with no backward still says none was recorded
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 2")
    assert "No backward pass was recorded" in text_of(BackwardView(trace).message.value)
    assert "none of the last backward" not in trace.text()


def test_step_35_with_the_suggested_max_nodes_has_steps(shell, displayed):
    trace = run_traced(shell, STEP_35, "--max-nodes 2000")
    assert trace.graph.steps and outside_message(trace.graph) is None and text_note(trace.graph) is None
    assert "none of the last backward" not in trace.text()


def _cut(max_nodes, pass_steps=12):
    return Graph(pass_steps=pass_steps, cut=True, max_nodes=max_nodes)


def test_advice_follows_the_max_nodes_given():
    assert "--max-nodes 2000" in outside_message(_cut(None))
    said = outside_message(_cut(1500))
    assert "cut at --max-nodes 1500" in said and "--max-nodes 3000" in said
    assert f"--max-nodes {MOST:,} is the most" in more_nodes_advice(_cut(MOST))
    # not cut (the tracer let the calls go): the steps are still said to have run, no --max-nodes advice
    plain = outside_message(Graph(pass_steps=5))
    assert "its last pass took 5 steps" in plain and "--max-nodes" not in plain
    assert outside_message(Graph()) is None


# Book step 38: x is rebound in the cell, so the first x (a leaf) is freed; no function made it.
STEP_38 = """
x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
y = F.transpose(x)
y.backward()
print(x.grad)
x = Variable(np.random.rand(2, 3))
y = x.transpose()
y = x.T
print(y.shape)
"""


def test_a_freed_leaf_is_not_listed_as_an_output(shell, displayed):
    trace = run_traced(shell, STEP_38)
    leaf = next(v.id for v in trace.graph.variables.values() if v.leaf)
    assert not trace.graph.variables[leaf].alive
    text = text_of(memory_view(trace).figures.value)
    outputs = re.search(r"Outputs already freed \(functions hold them by weak reference\):\s+([^:]*?)\s+Other", text)
    assert outputs and outputs.group(1) == "y", text
    assert re.search(rf"Other variables freed \(nothing held them any more\):\s+x\s", text)
    # control: only an output freed (the dropped exp(x)), no line for other variables
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = F.exp(x)\nF.exp(x)\ny.backward()")
    text = text_of(memory_view(trace).figures.value)
    assert "Outputs already freed" in text and "Other variables freed" not in text


def test_a_cut_graph_is_not_said_to_draw_every_grads_graph(shell, displayed):
    # (session 21, F2's finding) the passes note had claimed every grads' graph drawn
    [note] = [n for n in run_traced(shell, STEP_35).graph.notes if "backward passes ran" in n]
    assert "every grads' graph" not in note and "the nodes nearest the output are drawn" in note
