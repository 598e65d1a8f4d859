"""What is drawn when --max-nodes is not given (`dezero_magic.node_budget`):
a lecture graph whole, a huge one as the part nearest the output, and the
caption counts what was left out exactly."""
from IPython.utils.capture import capture_output

from dezero_magic import node_budget
from dezero_magic.node_budget import NEAREST, WHOLE_UP_TO
from student_code import STEP17

# Step 27: the Taylor series of sin, to the threshold the book draws.
TAYLOR = """\
import math
def my_sin(x, threshold=0.0001):
    y = 0
    for i in range(100000):
        c = (-1) ** i / math.factorial(2 * i + 1)
        t = c * x ** (2 * i + 1)
        y = y + t
        if abs(t.data) < threshold:
            break
    return y
x = Variable(np.array(np.pi / 4))
y = my_sin(x, threshold=1e-150)
y.backward()
"""


def chain(n):
    return f"x = Variable(np.array(0.5))\ny = x\nfor i in range({n}):\n    y = F.sin(y)\ny.backward()\n"


def traced(shell, cell, flags=""):
    with capture_output():
        result = shell.run_cell(f"%%dezero --static -o drawn {flags}\n" + cell)
    assert result.success, result.error_in_exec
    return shell.user_ns["drawn"]


def nodes(graph):
    return len(graph.functions) + len(graph.variables)


def test_the_book_step_27_taylor_graph_is_drawn_whole(shell):
    trace = traced(shell, TAYLOR)
    g = trace.graph
    # 46 terms: Pow, Mul (by c) and Add each, minus the first Add (y = 0 + t
    # is an Add of the constant 0) -- 141 functions, every one drawn.
    assert len(g.functions) == 141 and NEAREST < nodes(g) <= WHOLE_UP_TO
    assert g.elided_functions == 0
    assert not any("more than" in n or "cut" in n for n in g.notes)
    assert "not drawn" not in trace.caption()
    assert len(g.steps) == 141  # the whole backward can be stepped through


def test_a_graph_over_the_budget_shows_the_part_nearest_the_output_and_says_so(shell):
    trace = traced(shell, chain(700))  # 1,401 nodes
    g = trace.graph
    assert nodes(g) <= NEAREST
    assert g.elided_functions == 700 - len(g.functions)
    note = [n for n in g.notes if "more than 1,000 nodes" in n]
    assert note and "--max-nodes" in note[0]
    # the drawn part is the end of the chain: y itself is drawn
    assert any(v.label == "y" for v in g.variables.values())


def test_just_under_the_budget_is_whole_and_an_explicit_max_nodes_still_cuts(shell):
    n = (WHOLE_UP_TO - 1) // 2  # a chain of n Sins has 2n + 1 nodes
    assert nodes(traced(shell, chain(n)).graph) == 2 * n + 1
    g = traced(shell, chain(n), "--max-nodes 100").graph
    assert nodes(g) <= 100 and any("--max-nodes 100" in note for note in g.notes)


def test_the_line_magic_follows_the_same_budget_and_counts_what_it_left_out(shell):
    with capture_output():
        shell.run_cell(chain(700).replace("y.backward()\n", ""))
        shell.run_cell("%dezero --static -o whole_or_not y")
    g = shell.user_ns["whole_or_not"].graph
    assert nodes(g) <= NEAREST + 2  # (the walk draws the last creator whole)
    # every function behind the cut is counted, not only the ones at its edge
    assert g.elided_functions == 700 - len(g.functions)
    with capture_output():
        shell.run_cell("y_small = F.sin(F.sin(Variable(np.array(1.0))))")
        shell.run_cell("%dezero --static -o small y_small")
    assert len(shell.user_ns["small"].graph.functions) == 2


def test_students_classes_are_drawn_whole_up_to_the_budget(shell):
    code = STEP17 + "GENERATIONS = True\nx = Variable(np.array(1.0))\ny = x\nfor i in range(300):\n" \
                    "    y = square(y)\ny.grad = np.array(1.0)\n"
    g = traced(shell, code).graph
    assert len(g.functions) == 300 and g.elided_functions == 0


def test_the_help_says_the_default_and_the_window_can_tell_whether_a_graph_fits():
    from dezero_magic.magic import DezeroMagics

    said = " ".join(node_budget.describe_default().split())
    for magic in (DezeroMagics.dezero_cell, DezeroMagics.dezero_line):
        assert said in " ".join(magic.__doc__.split())
    # the tracer keeps enough calls to tell whether a graph fits WHOLE_UP_TO
    assert node_budget.window(None) * 2 > WHOLE_UP_TO
    assert node_budget.window(5000) == 20000


def test_every_long_edge_of_the_taylor_graph_goes_around_the_nodes(shell):
    # x feeds a Pow in every term: the lane budget was spent per edge (not per
    # shared lane), and the longest edges ran straight through the nodes between.
    trace = traced(shell, TAYLOR)
    g, lay = trace.graph, trace.layout
    x = next(v.id for v in g.variables.values() if v.label == "x")
    long_edges = [(x, f.id) for f in g.functions.values() if x in f.inputs
                  and abs(lay.layers[f.id] - lay.layers[x]) > 1]
    assert len(long_edges) > 20
    assert all((a, b, 0) in lay.waypoints for a, b in long_edges)


def test_a_drawing_of_megabytes_is_told_to_weigh_on_the_notebook(shell, displayed, monkeypatch):
    from dezero_magic import node_budget

    monkeypatch.setattr(node_budget, "HEAVY_CHARS", 10_000)
    shell.run_cell("%%dezero --max-nodes 5000\nx = Variable(np.array(1.0))\ny = x\nfor _ in range(100):\n"
                   "    y = F.sin(y)")
    assert any("MB of SVG (--max-nodes 5000)" in n for n in displayed[-1].graph.notes)
    shell.run_cell("%%dezero\nx = Variable(np.array(1.0))\ny = x\nfor _ in range(100):\n    y = F.sin(y)")
    assert not any("MB of SVG" in n for n in displayed[-1].graph.notes)  # the default draws <= 1,000 nodes


def test_a_max_nodes_that_would_stall_the_browser_is_refused_with_what_to_do(shell, displayed):
    from IPython.core.error import UsageError
    from dezero_magic import node_budget

    shell.run_cell("y = Variable(np.array(1.0)) * 2")
    for line in ("%%dezero --max-nodes 100000\nran = 1", "%dezero --max-nodes 100000 y"):
        result = shell.run_cell(line)
        assert isinstance(result.error_in_exec, UsageError)
        message = str(result.error_in_exec)
        assert f"at most {node_budget.MOST:,} nodes" in message and f"--max-nodes {node_budget.MOST} or less" in message
        assert "get_dot_graph" in message
    assert "ran" not in shell.user_ns
    # the ceiling itself is drawn
    result = shell.run_cell(f"%%dezero --max-nodes {node_budget.MOST}\nran = F.sin(Variable(np.array(1.0)))")
    assert result.success and displayed
