"""The %%dezero line: -o refuses a name a match/case binds (QA finding F11),
and an unquoted -b expression or a comment after the options gets a hint
(F13). The cell is not run in either case."""
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from dezero_magic.cell_names import assigned_in


@pytest.mark.parametrize("code, names", [
    ("match 5:\n    case tq: pass", {"tq"}),
    ("match [1, 2, 3]:\n    case [first, *rest]: pass", {"first", "rest"}),
    ("match {'k': 1, 'j': 2}:\n    case {'k': v, **others}: pass", {"v", "others"}),
    ("match 5:\n    case int() as n: pass", {"n"}),
    ("match 5:\n    case (1 | 2) as small: pass\n    case [_, *_]: pass", {"small"}),
])
def test_match_patterns_bind_names(code, names):
    assert assigned_in(code) == names


def run(shell, cell):
    with capture_output() as cap:
        result = shell.run_cell(cell)
    return result, cap


@pytest.mark.parametrize("body", [
    "match 5:\n    case tq: pass",
    "match [1, 2]:\n    case [a, *tq]: pass",
    "match {'k': 1}:\n    case {**tq}: pass",
    "match 5:\n    case int() as tq: pass",
])
def test_output_name_a_match_case_binds_is_refused(shell, displayed, body):
    result, _ = run(shell, f"%%dezero -o tq\n{body}")
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    assert "the cell assigns tq" in str(result.error_in_exec)
    assert "tq" not in shell.user_ns and not displayed  # refused before the cell ran


@pytest.mark.parametrize("line, hint", [
    ("-b F.sum(y * 2)", 'quote an expression that has spaces: -b "F.sum(y * 2)"'),
    ("-b y  # comment", "a comment cannot follow the options on the %%dezero line"),
    ("--backward F.sum(y * 2) -v", 'quote an expression that has spaces'),
])
def test_an_unquoted_expression_or_a_comment_gets_a_hint_and_the_cell_does_not_run(shell, displayed,
                                                                                    line, hint):
    result, _ = run(shell, f"%%dezero {line}\nran_it = True\nx = Variable(np.array(2.0))\ny = F.exp(x)")
    error = result.error_in_exec
    assert isinstance(error, UsageError), error
    assert "unrecognized arguments" in str(error) and hint in str(error)
    assert "The cell was not run." in str(error)
    assert "ran_it" not in shell.user_ns and not displayed
    if "*" not in line:  # only a comment was left over: the -b expression was fine
        assert "quote" not in str(error)


def test_the_quoted_expression_still_works_and_other_errors_keep_their_message(shell, displayed):
    result, _ = run(shell, '%%dezero -b "F.sum(y * 2)"\nx = Variable(np.array([1.0, 2.0]))\ny = F.exp(x)')
    assert result.success, result.error_in_exec
    assert shell.user_ns["x"].grad is not None
    result, _ = run(shell, "%%dezero --no-such-option\nz = 1")
    assert isinstance(result.error_in_exec, UsageError)
    assert "quote" not in str(result.error_in_exec) and "z" not in shell.user_ns


def test_line_magic_qa_round(shell, tmp_path):
    # QA round 2026-12-07 on the line magic and the Trace object.
    import pickle

    from IPython.utils.capture import capture_output

    from dezero_magic.render.export import write_svg

    shell.run_cell("x = Variable(np.array(2.0), name='x')\ny = F.exp(x)\ny.data = None\n"
                   "b = Variable(np.ones(3), name='b')\nw = Variable(np.ones((2, 3)), name='w')\n"
                   "z = F.sum(w + b)\nz.backward()\ng = x * x\ng.backward()")
    with capture_output():
        shell.run_cell("%dezero -o t y")
    # dezero's own Exp did return its array: the data was set to None afterwards
    assert not [n for n in shell.user_ns["t"].graph.notes if "forget `return`" in n]
    with capture_output():
        shell.run_cell("%dezero -v -o t z")
    assert 'b: (3,) float64' in shell.user_ns["t"].dot()            # a 1-d shape as Python writes it
    assert "shape (3,) float64" in shell.user_ns["t"].svg()
    with capture_output():
        shell.run_cell('%dezero -o t "z * 2"')                       # quoted, as -b takes it
    assert [f.op for f in shell.user_ns["t"].graph.functions.values()][-1] == "Mul"
    t = pickle.loads(pickle.dumps(shell.user_ns["t"]))               # %store / pickle: the graph travels
    assert t.text() == shell.user_ns["t"].text() and t.output_refs == {}
    with capture_output():
        shell.run_cell("%dezero -o t x.grad")
    assert any("create_graph=True" in n for n in shell.user_ns["t"].graph.notes)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        write_svg(shell.user_ns["z"], to_file=str(tmp_path) + "/")


def test_the_line_magic_labels_an_unnamed_output_and_tells_a_parameter(shell):
    from IPython.utils.capture import capture_output

    shell.run_cell("from dezero.models import MLP\nx = Variable(np.array(2.0), name='x')\ny = x ** 3\n"
                   "y.backward(create_graph=True)\nmodel = MLP((3, 1))\nmodel(np.ones((1, 2)))")
    with capture_output():
        shell.run_cell("%dezero -o t x.grad")
    labels = [v.label for v in shell.user_ns["t"].graph.variables.values()]
    assert "x.grad" in labels and not any(label.startswith("v") and label[1:].isdigit() for label in labels)
    with capture_output():
        shell.run_cell("%dezero -o t model.l0.W")
    assert any(n.startswith("model.l0.W is a parameter") for n in shell.user_ns["t"].graph.notes)
