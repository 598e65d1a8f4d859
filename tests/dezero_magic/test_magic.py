"""%%dezero and %dezero through a real InteractiveShell."""
import sys
import types

import numpy as np
import pytest
from IPython.core.error import UsageError

from dezero import Config, events
from dezero_magic.trace import Trace


def test_cell_runs_as_usual_and_the_graph_is_shown(shell, displayed, capsys):
    result = shell.run_cell("%%dezero -o t\nx = Variable(np.array(2.0))\ny = F.exp(F.square(x))\n"
                            "print('hello from the cell')\ny.data * 1")
    assert result.success
    assert result.result == pytest.approx(float(__import__("numpy").exp(4.0)))  # last expression
    assert "hello from the cell" in capsys.readouterr().out
    assert shell.user_ns["_"] == pytest.approx(54.598, rel=1e-3)
    [trace] = displayed
    assert trace is shell.user_ns["t"] and isinstance(trace, Trace)
    assert [f.op for f in trace.graph.functions.values()] == ["Square", "Exp"]
    assert {v.label for v in trace.graph.variables.values()} >= {"x", "y"}
    assert "<svg" in trace._repr_mimebundle_()["image/svg+xml"]


def test_backward_option_runs_backward_once(shell, displayed):
    shell.run_cell("%%dezero -b y\nx = Variable(np.array(3.0))\ny = x * x")
    assert float(shell.user_ns["x"].grad.data) == 6.0
    assert len(displayed[0].graph.steps) == 1
    # the cell's own backward wins: -b does not run a second one
    shell.run_cell("%%dezero -b y\nx = Variable(np.array(3.0))\ny = x * x\ny.backward()")
    assert float(shell.user_ns["x"].grad.data) == 6.0


def test_retain_grad_and_no_grad_are_set_for_the_cell_only(shell, displayed):
    shell.run_cell("%%dezero --retain-grad\nx = Variable(np.array(3.0))\na = x * x\ny = a * a\ny.backward()")
    assert float(shell.user_ns["a"].grad.data) == 18.0
    assert Config.retain_grad is False
    shell.run_cell("%%dezero --no-grad\nx = Variable(np.array(3.0))\ny = x * x")
    assert shell.user_ns["y"].creator is None
    assert Config.enable_backprop is True
    assert any("no_grad" in n for n in displayed[-1].graph.notes)


def test_failing_cell_counts_as_failed_and_shows_a_partial_graph(shell, displayed, capsys):
    result = shell.run_cell("%%dezero\nx = Variable(np.array(1.0))\ny = F.exp(x)\n1 / 0\nafter = 1")
    assert not result.success
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    out = capsys.readouterr()
    assert "ZeroDivisionError" in out.out + out.err
    assert "line 4" in out.out + out.err  # the cell's own line numbers (line 1 is %%dezero)
    assert "after" not in shell.user_ns
    [trace] = displayed
    assert not trace.graph.complete and [f.op for f in trace.graph.functions.values()] == ["Exp"]
    assert "INCOMPLETE" in trace.html()
    assert events.observers() == ()
    shell.run_cell("z = F.exp(Variable(np.array(1.0)))")  # a plain cell afterwards records nothing
    assert len(displayed) == 1 and events.observers() == ()


def test_keyboard_interrupt_restores_everything(shell, displayed):
    result = shell.run_cell("%%dezero --retain-grad --no-grad\nx = F.exp(Variable(np.array(1.0)))\n"
                            "raise KeyboardInterrupt")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert events.observers() == () and sys.getprofile() is None
    assert Config.retain_grad is False and Config.enable_backprop is True


@pytest.mark.parametrize("line", ["--max-nodes 0", "--rankdir XY", "-o 1abc", "-b y+)",
                                  "--no-such-option", "--max-nodes many", "--max-nodes 100000"])
def test_bad_options_raise_usage_error_and_do_not_run_the_cell(shell, line):
    result = shell.run_cell(f"%%dezero {line}\nran = True")
    assert isinstance(result.error_in_exec, UsageError)
    assert "ran" not in shell.user_ns


def test_backward_expression_that_fails_is_a_usage_error(shell, displayed):
    result = shell.run_cell("%%dezero -b nothing_here\nx = Variable(np.array(1.0))\ny = x + 1")
    assert isinstance(result.error_in_exec, UsageError)
    assert "nothing_here" in str(result.error_in_exec)
    assert "y" in shell.user_ns and len(displayed) == 1
    # The error is raised below the whole view: the graph says it too.
    assert displayed[-1].graph.notes[0].startswith("-b nothing_here: evaluating it raised NameError")
    assert "The backward pass did not run: no grads are drawn." in displayed[-1].graph.notes[0]
    result = shell.run_cell("%%dezero -b 3\nx = Variable(np.array(1.0))")
    assert "no .backward()" in str(result.error_in_exec)


@pytest.mark.parametrize("name, why", [("y", "already holds a Variable"), ("np", "already holds a module"),
                                       ("_oh", "belongs to IPython"), ("Out", "belongs to IPython"),
                                       ("_i3", "belongs to IPython"), ("__builtins__", "belongs to IPython"),
                                       ("z", "the cell assigns z"), ("print", "Python builtin")])
def test_output_name_never_replaces_what_the_user_has(shell, displayed, name, why):
    shell.run_cell("x = Variable(np.array(2.0))\ny = F.exp(x)")
    result = shell.run_cell(f"%%dezero -o {name}\nz = y * 2\nran = True")
    assert isinstance(result.error_in_exec, UsageError) and why in str(result.error_in_exec)
    assert "ran" not in shell.user_ns and type(shell.user_ns["y"]).__name__ == "Variable"
    line = shell.run_cell(f"%dezero -o {name} y")
    assert name == "z" or isinstance(line.error_in_exec, UsageError)


def test_the_name_suggested_for_output_is_free(shell, displayed):
    # The cell assigns t and trace, the namespace holds tr: the suggestion is none of them.
    shell.run_cell("tr = 1")
    result = shell.run_cell("%%dezero -o t\nt = Variable(np.array(2.0))\ntrace = F.exp(t)")
    message = str(result.error_in_exec)
    assert "the cell assigns t" in message and message.endswith("e.g. -o t2. The cell was not run.")
    assert "t" not in shell.user_ns


def test_output_name_may_be_reused_for_a_trace(shell, displayed):
    for _ in range(2):  # re-running the cell replaces its own trace
        assert shell.run_cell("%%dezero -o t\nx = Variable(np.array(2.0))\ny = F.exp(x)").success
    assert displayed[-1] is shell.user_ns["t"]


@pytest.mark.parametrize("expr", ['"F.sum(y * 2)"', "'y'", "y"])
def test_backward_expression_may_be_quoted(shell, displayed, expr):
    result = shell.run_cell(f"%%dezero -b {expr}\nx = Variable(np.array([1.0, 2.0]))\ny = F.exp(x)")
    assert result.success, result.error_in_exec
    assert shell.user_ns["x"].grad is not None


def test_line_magic_draws_an_earlier_variable(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0))\ny = F.sin(x) * x\ny.backward()")
    result = shell.run_cell("%dezero -o t y")
    assert result.success
    trace = displayed[0]
    assert sorted(f.op for f in trace.graph.functions.values()) == ["Mul", "Sin"]
    assert trace.output_refs[0]() is shell.user_ns["y"]
    x_node = next(v for v in trace.graph.variables.values() if v.label == "x")
    assert trace.leaf_refs[x_node.id]() is shell.user_ns["x"]
    assert "its value is an int, not a Variable" in str(shell.run_cell("%dezero 3").error_in_exec)
    assert "its value is a float," in str(shell.run_cell("%dezero 2.5").error_in_exec)
    assert isinstance(shell.run_cell("%dezero undefined_name").error_in_exec, UsageError)
    assert not any("no creator" in n for n in trace.graph.notes)


def test_line_magic_says_why_a_variable_has_no_graph(shell, displayed):
    shell.run_cell("x = Variable(np.array([[0.2, 0.8]]))\nacc = F.accuracy(x, np.array([1]))")
    assert shell.run_cell("%dezero acc").success
    [note] = displayed[-1].graph.notes
    assert note.startswith("acc has no creator, so there is no graph behind it")
    assert "F.accuracy" in note and not displayed[-1].graph.functions


def test_a_fault_of_ours_does_not_mask_the_cell(shell, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("tracer bug")

    monkeypatch.setattr("dezero_magic.cellrun.build_trace", broken)
    result = shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\nx.data + 1")
    assert result.success and result.result == 3.0
    assert "could not show the graph" in capsys.readouterr().out


def test_script_names_are_inert(shell, displayed):
    shell.run_cell("%%dezero\nx = Variable(np.array(2.0), name='<script>alert(1)</script>')\ny = x * 2")
    bundle = displayed[0]._repr_mimebundle_()
    assert "<script" not in bundle["text/html"] and "<script" not in bundle["image/svg+xml"]
    assert "&lt;script&gt;" in bundle["text/html"]


def test_modes_unavailable_is_a_usage_error(shell, monkeypatch):
    monkeypatch.setitem(sys.modules, "dezero_magic.modes", None)  # import of it fails
    monkeypatch.setattr("dezero_magic.magic._modes_available", lambda: False)
    result = shell.run_cell("%%dezero --modes\nran = True")
    assert "--modes is unavailable" in str(result.error_in_exec) and "ran" not in shell.user_ns


def test_modes_calls_measure_modes_with_a_body_runner(shell, displayed, monkeypatch):
    module = types.ModuleType("dezero_magic.modes")
    runs = []

    def measure_modes(run_body):
        run_body()
        run_body()
        return [{"mode": "a"}, {"mode": "b"}]

    module.measure_modes = measure_modes
    monkeypatch.setitem(sys.modules, "dezero_magic.modes", module)
    shell.user_ns["ran"] = runs.append  # (shared with the re-runs; a list itself is copied for each)
    shell.run_cell("%%dezero --modes\nran(1)\nprint('quiet please')\ny = Variable(np.array(1.0)) * 2")
    assert runs == [1, 1, 1]  # the cell itself, then twice by measure_modes
    assert displayed[0].mode_results == [{"mode": "a"}, {"mode": "b"}]


def test_unload_removes_the_magics(shell):
    shell.run_line_magic("unload_ext", "dezero_magic")
    result = shell.run_cell("%%dezero\nx = 1")
    assert result.error_in_exec is not None or result.error_before_exec is not None
    assert "dezero" not in shell.magics_manager.magics["cell"]
    assert "dezero" not in shell.magics_manager.magics["line"]
    shell.run_line_magic("load_ext", "dezero_magic")


def test_help_documents_usage_options_and_examples(shell):
    doc = shell.magics_manager.magics["cell"]["dezero"].__doc__
    for word in ("Examples:", "--retain-grad", "--max-nodes", "--rankdir", "--modes", "-b"):
        assert word in doc
    # the usage line (IPython's, once) names the magic as typed, not the Python method behind it
    assert "  %%dezero [-b EXPR]" in doc and "dezero_cell" not in doc
    line_doc = shell.magics_manager.magics["line"]["dezero"].__doc__
    assert "  %dezero [-v]" in line_doc and "dezero_line" not in line_doc


def test_a_call_that_raised_is_named_with_its_inputs(shell, displayed):
    # Step 41's shape error: the MatMul never returned, so it is not drawn;
    # the note names it and its inputs, the cause.
    result = shell.run_cell("%%dezero\nx = Variable(np.ones((2, 3)), name='x')\nW = Variable(np.ones((4, 5)))\n"
                            "h = F.sin(x)\ny = F.matmul(h, W)")
    assert not result.success and isinstance(result.error_in_exec, ValueError)
    notes = displayed[-1].graph.notes
    assert any(n.startswith("The cell raised in MatMul(h shape (2, 3), W shape (4, 5)), which is not drawn")
               for n in notes), notes
    # an error outside any Function: no such note
    shell.run_cell("%%dezero\nx = Variable(np.ones(2))\ny = F.sin(x)\n1 / 0")
    assert not any("The cell raised in" in n for n in displayed[-1].graph.notes)


def test_the_books_float_of_a_1x1_array_under_numpy_2_gets_a_hint(shell, displayed):
    # Step 59's prediction loop: float(y.data) with y.data of shape (1, 1)
    # raised only a deprecation warning before NumPy 2.
    try:
        float(np.ones((1, 1)))
        pytest.skip("this NumPy still converts a (1, 1) array with float()")
    except TypeError:
        pass
    result = shell.run_cell("%%dezero\nx = Variable(np.ones((1, 1)))\ny = F.sin(x)\nfloat(y.data)")
    assert not result.success and isinstance(result.error_in_exec, TypeError)
    notes = " ".join(displayed[-1].graph.notes)
    assert "NumPy raised this, not dezero" in notes and "y.data.item()" in notes
    # any other TypeError: no such note
    shell.run_cell("%%dezero\nx = Variable(np.ones(2))\ny = F.sin(x)\nlen(3)")
    assert not any("NumPy raised this" in n for n in displayed[-1].graph.notes)


def test_messages_read_as_english(shell, displayed):
    shell.run_cell("arr = np.ones(3)")
    result = shell.run_cell("%%dezero -o arr\nz = 1")
    assert "arr already holds an ndarray," in str(result.error_in_exec)
    assert shell.run_cell("%%dezero -o _t\nfrom dezero import no_grad\nx = Variable(np.array(2.0))\n"
                          "with no_grad():\n    y = F.exp(x)").success
    assert "1 call ran with backprop disabled" in " ".join(shell.user_ns["_t"].graph.notes)


@pytest.mark.parametrize("body", ["class t:\n    pass", "def t():\n    pass", "import math as t"])
def test_output_name_a_cell_defines_as_a_class_def_or_import_is_refused(shell, displayed, body):
    result = shell.run_cell(f"%%dezero -o t\n{body}")
    assert isinstance(result.error_in_exec, UsageError) and "the cell assigns t" in str(result.error_in_exec)


def test_a_b_backward_that_raises_shows_the_users_traceback_and_fails_the_cell(shell, displayed):
    # A student debugging their own backward (steps 6-7) needs its line, as when
    # the cell calls y.backward() itself; it was a one-line UsageError.
    from IPython.utils.capture import capture_output

    shell.run_cell("class Buggy(dezero.Function):\n    def forward(self, x):\n        return x ** 2\n"
                   "    def backward(self, gy):\n        return 2 * self.inputs[0].data * gy * undefined_name")
    with capture_output() as cap:
        result = shell.run_cell("%%dezero -b y\nx = Variable(np.array(3.0))\ny = Buggy()(x)")
    assert not result.success and isinstance(result.error_in_exec, NameError)
    shown = cap.stdout + cap.stderr
    assert "undefined_name" in shown and "backward" in shown and "-b y: y.backward() raised" in shown
    assert "cellrun.py" not in shown and "UsageError" not in shown
    assert displayed and not displayed[-1].graph.complete  # the graph, marked incomplete
    # a wrong option is still the option's error
    result = shell.run_cell("%%dezero -b nothing_here\nx = Variable(np.array(3.0))")
    assert isinstance(result.error_in_exec, UsageError) and "evaluating it raised NameError" in str(
        result.error_in_exec)


def test_b_on_a_students_variable_before_step_7_says_what_is_missing(shell, displayed):
    shell.run_cell("class Variable:\n    def __init__(self, data):\n        self.data = data\n        self.grad = None")
    result = shell.run_cell("%%dezero -b y\ny = Variable(np.array(2.0))")
    message = str(result.error_in_exec)
    assert isinstance(result.error_in_exec, UsageError) and "has no backward() method yet (book step 7" in message
    assert "give an expression whose value is a Variable" not in message
    shell.run_cell("from dezero import Variable")
    result = shell.run_cell("%%dezero -b z\nz = 3")
    assert "its value is an int, not a Variable, so it has no .backward()" in str(result.error_in_exec)


def test_parameters_an_optimizer_changed_after_the_drawn_forward_are_told(shell, displayed):
    # print(W) after training differed from the W drawn, and nothing said why.
    shell.run_cell("%%dezero\nW = Variable(np.array(1.0), name='W')\nxs = np.array(2.0)\n"
                   "for i in range(3):\n    loss = F.square(W * xs - 1.0)\n    W.cleargrad()\n"
                   "    loss.backward()\n    W.data -= 0.1 * W.grad.data")
    graph = displayed[-1].graph
    W = [v for v in graph.variables.values() if v.label == "W"][0]
    now = float(shell.user_ns["W"].data)
    assert W.value != f"{now:.4g}"
    note = [n for n in graph.notes if n.startswith("Values shown are those the drawn forward used")]
    assert note and f"W is now {now:.4g}" in note[0], graph.notes
    assert W.changed_since and not any(v.changed_since for v in graph.variables.values() if v is not W)
    shell.run_cell("%%dezero\nx = Variable(np.array(2.0), name='x')\ny = x * x\ny.backward()")
    assert not any("Values shown are" in n for n in displayed[-1].graph.notes)


def test_grads_shown_in_a_cell_without_backward_are_said_to_be_earlier(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0), name='x')\ny = x ** 2\ny.backward()")
    shell.run_cell("%%dezero\nz = x ** 3")
    notes = displayed[-1].graph.notes
    assert any(n.startswith("The grads shown (x) are from an earlier backward") for n in notes), notes
    shell.run_cell("%%dezero\nx.cleargrad()\nz = x ** 3\nz.backward()")
    assert not any("from an earlier backward" in n for n in displayed[-1].graph.notes)


def test_a_b_the_cell_made_unneeded_is_said_on_the_graph(shell, displayed):
    shell.run_cell("%%dezero -b loss\nx = Variable(np.array(1.0))\nfor _ in range(3):\n"
                   "    y = x * 2\n    x.cleargrad()\n    y.backward()\nloss = x * 3")
    assert "-b loss was not called: the cell ran a backward pass itself" in displayed[-1].graph.notes[0]
    shell.run_cell("%%dezero -b loss\nx = Variable(np.array(1.0))\nloss = x * 3")
    assert not any("-b loss" in n for n in displayed[-1].graph.notes)


def test_a_function_object_called_twice_is_drawn_as_two_calls(shell, displayed):
    shell.run_cell("%%dezero\nx = Variable(np.array(3.0))\nf = F.Square()\ny = f(f(x))\ny.backward()")
    trace = displayed[-1]
    assert [f.op for f in trace.graph.functions.values()] == ["Square", "Square"]
    assert len(trace.graph.steps) == 2 and "not drawn" not in trace.text()
    assert shell.user_ns["x"].grad.data == 108.0
