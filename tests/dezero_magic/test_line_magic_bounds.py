"""`%dezero VAR`: --max-nodes bounds what is drawn as the cell magic's budget
does, generations are the objects' own, and a Variable without data is
told as such (QA findings F4 and F5)."""
import re

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from student_code import STEP14

CHAIN = "x = Variable(np.array(2.0), name='x')\na = F.square(x)\na.name = 'a'\ny = F.exp(a)\ny.name = 'y'\n"


def nodes(graph):
    return len(graph.functions) + len(graph.variables)


def line_trace(shell, line):
    with capture_output():
        result = shell.run_cell(f"%dezero --static -o drawn {line}")
    assert result.success, result.error_in_exec
    return shell.user_ns["drawn"]


def cell_trace(shell, flags, cell):
    with capture_output():
        result = shell.run_cell(f"%%dezero --static -o drawn {flags}\n{cell}")
    assert result.success, result.error_in_exec
    return shell.user_ns["drawn"]


def by_op(graph):
    return {f.op: f for f in graph.functions.values()}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_max_nodes_draws_at_most_n_nodes_but_the_creator_whole(shell, n):
    shell.run_cell(CHAIN)
    g = line_trace(shell, f"--max-nodes {n} y").graph
    assert "Exp" in by_op(g)  # "its creator is always drawn whole", as the help says
    assert nodes(g) <= max(n, 3), (n, nodes(g))
    assert g.elided_functions == 2 - len(g.functions)
    # the same budget as the cell magic's for the same computation
    assert nodes(g) == nodes(cell_trace(shell, f"--max-nodes {n}", CHAIN).graph)


def test_the_help_says_what_the_budget_does():
    from dezero_magic.magic import DezeroMagics

    doc = " ".join(DezeroMagics.dezero_line.__doc__.split())
    assert "its creator is always drawn whole, with its inputs, even past N" in doc


@pytest.mark.parametrize("n", [3, 4])
def test_a_cut_graph_keeps_the_objects_own_generations(shell, n):
    shell.run_cell(CHAIN)
    assert shell.user_ns["y"].creator.generation == 1
    trace = line_trace(shell, f"--max-nodes {n} y")
    exp = by_op(trace.graph)["Exp"]
    assert exp.generation == 1
    assert "[gen 1] Exp(a) -> y" in trace.text() and "[gen 0] Exp" not in trace.text()
    svg = trace.svg()
    assert re.search(r"Exp\b[^<]*generation 1", svg) and "generation 0" not in svg.split("Exp", 1)[1]
    # as the cell magic shows it
    cell = cell_trace(shell, f"--max-nodes {n}", CHAIN)
    assert by_op(cell.graph)["Exp"].generation == 1
    ys = [v for v in trace.graph.variables.values() if v.label == "y"]
    assert ys and ys[0].generation == shell.user_ns["y"].generation == 2


@pytest.mark.parametrize("n", [10, 50])
def test_a_long_chain_is_cut_at_n_and_numbered_as_dezero_numbers_it(shell, n):
    shell.run_cell("x = Variable(np.array(0.5))\ny = x\nfor i in range(100):\n    y = F.sin(y)\n")
    g = line_trace(shell, f"--max-nodes {n} y").graph
    assert nodes(g) <= n
    assert g.elided_functions == 100 - len(g.functions)
    gens = sorted(f.generation for f in g.functions.values())
    assert gens == list(range(100 - len(gens), 100))  # the chain's last Sins, gens 0..99 in dezero


def test_a_graph_cut_by_the_default_budget_keeps_its_generations(shell):
    shell.run_cell("x = Variable(np.array(0.5))\ny = x\nfor i in range(3000):\n    y = F.sin(y)\n")
    trace = line_trace(shell, "y")
    last = max(trace.graph.functions.values(), key=lambda f: f.generation)
    assert last.generation == shell.user_ns["y"].creator.generation == 2999
    first = min(trace.graph.functions.values(), key=lambda f: f.generation)
    assert first.generation == 3000 - len(trace.graph.functions)
    assert f"[gen {first.generation}] Sin" in trace.text() and "[gen 0]" not in trace.text()


def test_students_cut_graph_keeps_the_whole_graphs_numbers(shell):
    """Students' classes without `generation` are numbered from the links;
    cutting the drawing must not renumber them from 0."""
    shell.run_cell(STEP14 + "\nACCUMULATE = True\n")
    cell = "x = Variable(np.array(0.5))\ny = x\nfor i in range(30):\n    y = square(y)\n"
    whole = cell_trace(shell, "", cell).graph
    cut = cell_trace(shell, "--max-nodes 7", cell).graph
    assert nodes(cut) <= 7 and cut.elided_functions == 30 - len(cut.functions)
    assert sorted(f.generation for f in whole.functions.values()) == list(range(30))
    assert sorted(f.generation for f in cut.functions.values()) == list(range(30 - len(cut.functions), 30))
    # the output's own end of the graph is drawn, not the leaf x the cell names first
    assert any(v.label == "y" for v in cut.variables.values())
    assert not any(v.label == "x" for v in cut.variables.values())


def usage_error(shell, line):
    with capture_output():
        result = shell.run_cell(line)
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    return str(result.error_in_exec)


def test_a_variable_without_data_is_told_so_not_called_a_non_variable(shell):
    shell.run_cell("v = Variable(None)")
    message = usage_error(shell, "%dezero v")
    assert "not a Variable" not in message
    assert "v holds no data (Variable(None)" in message


def test_a_lazy_layers_weight_is_told_to_be_created_on_the_first_call(shell):
    shell.run_cell("import dezero.layers as L\nlin = L.Linear(3)")
    message = usage_error(shell, "%dezero lin.W")
    assert "not a Variable" not in message and "Parameter" not in message
    assert "lin.W has no data yet (a Linear layer creates W on its first call" in message
    # once called, W has data and is drawn (a leaf: no graph behind it)
    shell.run_cell("out = lin(np.ones((2, 4)))")
    assert line_trace(shell, "lin.W").graph.variables


@pytest.mark.parametrize("noun, said", [
    ("MLP", "an MLP"), ("RNN", "an RNN"), ("LSTM", "an LSTM"), ("SGD", "an SGD"), ("GRU", "a GRU"),
    ("Linear", "a Linear"), ("Adam", "an Adam"), ("int", "an int"), ("float", "a float"),
    ("ndarray", "an ndarray"), ("MomentumSGD", "a MomentumSGD"), ("NoneType", "a NoneType"),
    ("Uniform", "a Uniform"), ("EOFError", "an EOFError"),
])
def test_the_article_goes_by_the_sound_of_the_class_name(noun, said):
    from dezero_magic.magic import _a

    assert _a(noun) == said


def test_a_model_is_an_mlp(shell):
    shell.run_cell("import dezero.models as M\nmodel = M.MLP((3, 1))")
    assert "its value is an MLP, not a Variable" in usage_error(shell, "%dezero model")


def test_a_leading_minus_gets_a_hint(shell):
    from IPython.core.error import UsageError

    shell.run_cell("y = Variable(np.array(2.0))")
    with pytest.raises(UsageError, match=re.escape("goes after --: %dezero -- -y")):
        shell.run_line_magic("dezero", "-y")


@pytest.mark.parametrize("line, run", [("%%dezero -h\nran = 1", "The cell was not run"),
                                       ("%%dezero --retain-grad --help\nran = 1", "The cell was not run"),
                                       ("%dezero -h", "Nothing was drawn"), ("%dezero --help y", "Nothing was drawn")])
def test_h_prints_the_help_and_runs_nothing(shell, displayed, capsys, line, run):
    # A lecturer types -h as for any command line tool: the help, not an error.
    shell.run_cell("y = Variable(np.array(2.0))")
    result = shell.run_cell(line)
    out = capsys.readouterr().out
    assert result.success and "ran" not in shell.user_ns and not displayed
    assert "--max-nodes N" in out and "Examples:" in out and f"({run}: -h shows this help" in out
    # QA 19: the usage once, plainly (no reST "Usage::" copy of it, no "--rankdir <{auto,LR,TB}>")
    assert "Usage::" not in out and "Examples::" not in out and "<{" not in out and "--rankdir auto|LR|TB" in out
    assert not out.startswith("::")


def test_h_inside_an_expression_is_no_help_request(shell, displayed):
    shell.run_cell("h = Variable(np.array(2.0))")
    shell.run_line_magic("dezero", "-- -h")
    assert [f.op for f in displayed[-1].graph.functions.values()] == ["Neg"]
