"""Odd but legal `%%dezero` cells (issue 7, part 6).

What each does (and docs/RELIABILITY.md, "Odd cells", says why):

* `%%dezero` with nothing below: IPython's own usage error, which points to
  the line magic `%dezero VAR`; a body of blank lines or comments runs and
  says that nothing was recorded.
* no dezero operation, or only `no_grad` computation: the cell runs as a
  plain cell; the graph says nothing was recorded, or shows the no_grad
  calls with a note that they kept no graph.
* top-level `await`: runs on the kernel's own event loop, as a plain cell
  with `await` does (`dezero_magic.autoawait`), traced like any cell.
* functions and classes defined in the cell: defined in the user namespace
  as usual; the calls made in the cell are drawn.
* another cell magic on the line below (`%%time`, `%%capture`): that magic
  runs the rest of the cell, traced.
* `%%dezero?`: IPython's help with Usage, Options and Examples; nothing runs.
"""
import os
import re
import sys

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from dezero import Config, events
from dezero_magic.trace import EMPTY, Trace


def run(shell, cell):
    with capture_output() as cap:
        result = shell.run_cell(cell)
    return result, cap


def traces(cap):
    return [o for o in cap.outputs if "image/svg+xml" in o.data]


def test_an_empty_cell_points_to_the_line_magic(shell):
    result, cap = run(shell, "%%dezero\n")
    assert isinstance(result.error_in_exec, UsageError)
    assert "cell body is empty" in str(result.error_in_exec) and "%dezero" in str(result.error_in_exec)
    assert traces(cap) == [] and events.observers() == ()


@pytest.mark.parametrize("body", ["\n\n", "   \n# only a comment\n", "pass"])
def test_a_blank_or_comment_only_cell_runs_and_says_nothing_was_recorded(shell, body):
    result, cap = run(shell, "%%dezero -o t\n" + body)
    assert result.success
    [out] = traces(cap)
    assert out.data["text/plain"] == EMPTY
    assert shell.user_ns["t"].graph.functions == {}


def test_a_cell_without_dezero_runs_as_a_plain_cell(shell):
    result, cap = run(shell, "%%dezero -o t\nn = 20\nprint('n is', n)\nn + 1")
    assert result.success and result.result == 21 and shell.user_ns["n"] == 20
    assert "n is 20" in cap.stdout
    [out] = traces(cap)
    assert out.data["text/plain"] == EMPTY


def test_a_no_grad_only_cell_is_drawn_with_a_note(shell):
    result, cap = run(shell, "%%dezero -o t\nwith dezero.no_grad():\n"
                             "    x = Variable(np.array(1.0))\n    y = F.exp(x) * 2\ny.data")
    assert result.success and result.result == pytest.approx(2 * 2.718281828)
    assert shell.user_ns["y"].creator is None  # no_grad kept no graph, as without the magic
    trace = shell.user_ns["t"]
    assert sorted(f.op for f in trace.graph.functions.values()) == ["Exp", "Mul"]
    assert any("no_grad" in note for note in trace.graph.notes)
    assert Config.enable_backprop is True


def test_top_level_await_runs_and_is_traced(shell):
    result, cap = run(shell, "%%dezero -o t -b y\nimport asyncio\nawait asyncio.sleep(0)\n"
                             "x = Variable(np.array(2.0))\ny = F.exp(x)\nprint('awaited')\ny.data")
    assert result.success, result.error_in_exec
    assert result.result == pytest.approx(7.389056)
    assert "awaited" in cap.stdout
    assert float(shell.user_ns["x"].grad.data) == pytest.approx(7.389056)  # -b y ran
    [out] = traces(cap)
    assert "Exp" in out.data["text/plain"] and len(shell.user_ns["t"].graph.steps) == 1
    assert events.observers() == ()


def test_a_failing_await_cell_fails_with_its_own_traceback(shell):
    result, cap = run(shell, "%%dezero --retain-grad\nimport asyncio\nawait asyncio.sleep(0)\n"
                             "y = F.exp(Variable(np.array(1.0)))\nraise ValueError('after await')")
    assert isinstance(result.error_in_exec, ValueError)
    assert "after await" in cap.stdout and re.search(r"---->\s*5\b", cap.stdout)
    assert "INCOMPLETE" in traces(cap)[0].data["text/html"]
    assert events.observers() == () and Config.retain_grad is False


def test_await_support_leaves_other_cells_alone_and_goes_with_unload(shell):
    transforms = shell.input_transformer_manager.line_transforms
    assert sum(getattr(t, "from_dezero_magic", False) for t in transforms) == 1
    plain = "%%dezero\nx = 1\n"
    assert shell.transform_cell(plain).startswith("get_ipython().run_cell_magic('dezero'")
    assert shell.transform_cell("%%dezerox\nawait f()\n").startswith("get_ipython().run_cell_magic('dezerox'")
    shell.run_line_magic("unload_ext", "dezero_magic")
    try:
        assert not any(getattr(t, "from_dezero_magic", False) for t in transforms)
    finally:
        shell.run_line_magic("load_ext", "dezero_magic")


def test_await_with_autoawait_off_fails_as_a_plain_cell_would(shell):
    shell.run_line_magic("autoawait", "False")
    try:
        result, cap = run(shell, "%%dezero\nimport asyncio\nawait asyncio.sleep(0)")
        assert result.error_in_exec is not None or result.error_before_exec is not None
        assert "await" in cap.stdout + cap.stderr
    finally:
        shell.run_line_magic("autoawait", "True")
    assert events.observers() == ()


def test_functions_and_classes_defined_in_the_cell(shell):
    cell = ("%%dezero -o t\n"
            "from dezero import Function\n"
            "class Cube(Function):\n"
            "    def forward(self, x):\n        return x ** 3\n"
            "    def backward(self, gy):\n        return 3 * self.inputs[0] ** 2 * gy\n"
            "def f(x):\n    return Cube()(F.sin(x))\n"
            "x = Variable(np.array(0.5))\ny = f(x)\ny.backward()")
    result, cap = run(shell, cell)
    assert result.success
    assert [f.op for f in shell.user_ns["t"].graph.functions.values()] == ["Sin", "Cube"]
    # defined for later cells, as in a plain cell
    result = shell.run_cell("float(f(Variable(np.array(0.0))).data), Cube.__name__")
    assert result.result == (0.0, "Cube")
    assert float(shell.user_ns["x"].grad.data) == pytest.approx(3 * 0.479426 ** 2 * 0.877583, rel=1e-4)


def test_time_on_the_next_line_runs_the_inner_magic_traced(shell):
    result, cap = run(shell, "%%dezero -o t -b y\n%%time\nx = Variable(np.array(3.0))\ny = x * x")
    assert result.success, result.error_in_exec
    assert "Wall time" in cap.stdout
    assert float(shell.user_ns["x"].grad.data) == 6.0
    assert [f.op for f in shell.user_ns["t"].graph.functions.values()] == ["Mul"]


def test_time_with_a_failing_body_fails_the_cell(shell):
    result, cap = run(shell, "%%dezero\n%%time\ny = F.exp(Variable(np.array(1.0)))\n1 / 0")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert events.observers() == () and "ZeroDivisionError" in cap.stdout


def test_capture_on_the_next_line(shell):
    result, cap = run(shell, "%%dezero -o t\n%%capture inner\nprint('hidden')\ny = F.exp(Variable(np.array(1.0)))")
    assert result.success and "hidden" not in cap.stdout
    assert "hidden" in shell.user_ns["inner"].stdout
    assert [f.op for f in shell.user_ns["t"].graph.functions.values()] == ["Exp"]


def test_dezero_with_a_question_mark_shows_the_help(shell):
    result, cap = run(shell, "%%dezero?")
    assert result.success
    for word in ("%%dezero [-b EXPR]", "Examples:", "--retain-grad", "--max-nodes", "-b EXPR"):
        assert word in cap.stdout
    assert traces(cap) == [] and events.observers() == ()


# -- in a real kernel -------------------------------------------------------

KERNEL_CELLS = [
    "%load_ext dezero_magic\nimport numpy as np\nimport dezero.functions as F\nfrom dezero import Variable",
    "%%dezero -b y\nimport asyncio\nawait asyncio.sleep(0.01)\nx = Variable(np.array(2.0))\ny = F.exp(x)\n"
    "float(x.grad.data) if x.grad is not None else 'later'",
    "%%dezero\nawait asyncio.sleep(0)\nraise KeyError('after await')",
    "%%dezero\n%%time\nz = F.sin(Variable(np.array(1.0)))",
    "float(x.grad.data), round(float(z.data), 4)",
]


def test_await_and_time_in_a_kernel(tmp_path):
    """The cases that only a running event loop shows (ipykernel runs cells on one)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in KERNEL_CELLS])
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + old
    try:
        nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120, startup_timeout=120,
                                allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ["PATH"] = old
    cells = notebook.cells
    kinds = [o.output_type for o in cells[1].outputs]
    assert kinds == ["execute_result", "display_data"], cells[1].outputs
    assert cells[1].outputs[0].data["text/plain"] == "'later'"  # -b runs after the cell
    assert "Exp" in cells[1].outputs[1].data["text/plain"]
    [error] = [o for o in cells[2].outputs if o.output_type == "error"]
    assert error.ename == "KeyError"
    assert f"In[{cells[2].execution_count}]" in re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    stdout = "".join(o.get("text", "") for o in cells[3].outputs if o.output_type == "stream")
    assert "Wall time" in stdout
    assert any("Sin" in o.data.get("text/plain", "") for o in cells[3].outputs if "data" in o)
    assert cells[4].outputs[0].data["text/plain"] == "(7.38905609893065, 0.8415)"


@pytest.mark.parametrize("last", ["y;", "y ;  # hidden", "y"])
def test_a_trailing_semicolon_hides_out_as_in_a_plain_cell(shell, last):
    def run_stored(cell):  # as a notebook runs cells: IPython reads `;` from the history
        with capture_output() as cap:
            result = shell.run_cell(cell, store_history=True)
        return result, cap

    body = f"x = Variable(np.array(2.0))\ny = F.exp(x)\n{last}"
    plain, plain_cap = run_stored(body)
    magic, magic_cap = run_stored("%%dezero --static\n" + body)
    assert (magic.result is None) == (plain.result is None) == (";" in last)
    assert ("Out[" in magic_cap.stdout) == ("Out[" in plain_cap.stdout) == (";" not in last)
    assert "quiet" not in vars(shell.displayhook)  # IPython's own check is back


def test_an_earlier_cells_graph_is_never_shown_as_this_ones(shell):
    run(shell, '%%dezero --static\nx = Variable(np.array(2.0), name="x")\ny = F.exp(x)\ny.backward()')
    failed, cap = run(shell, '%%dezero --static\nx = Variable(np.array(3.0), name="x")\nundefined_name\n'
                             'y = F.sin(x)')
    assert not failed.success
    [out] = traces(cap)
    text = out.data["text/plain"]
    assert "Exp" not in text and "0 functions, 1 variable" in text   # only the x this cell made
    _, cap = run(shell, "%%dezero --static\ndef f(v):\n    return y * x")
    [out] = traces(cap)
    assert out.data["text/plain"] == EMPTY


def test_a_recursion_that_fits_a_plain_cell_fits_a_dezero_cell(shell, displayed):
    # The magic runs the cell a few frames deeper (step 7's recursive backward
    # on a long chain raised RecursionError only under %%dezero).
    import sys

    shell.run_cell("import sys\ndef down(n):\n    return 0 if n == 0 else 1 + down(n - 1)\n"
                   "def room():\n    f, n = sys._getframe(), 0\n    while f is not None:\n"
                   "        n, f = n + 1, f.f_back\n    return sys.getrecursionlimit() - n")
    assert shell.run_cell("_plain = room()").success
    limit = sys.getrecursionlimit()
    deep = shell.user_ns["_plain"] - 30  # (C calls count too: some margin)
    assert shell.run_cell(f"down({deep})").success
    result = shell.run_cell(f"%%dezero\n_magic = room()\n_r = down({deep})")
    assert result.success, result.error_in_exec
    assert shell.user_ns["_magic"] >= shell.user_ns["_plain"]
    assert sys.getrecursionlimit() == limit
    # a limit the cell sets itself stays
    shell.run_cell(f"%%dezero\nsys.setrecursionlimit({limit + 7})")
    assert sys.getrecursionlimit() == limit + 7
    sys.setrecursionlimit(limit)
