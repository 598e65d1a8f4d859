"""plt.plot(v) in a %%dezero cell fails as in a plain cell: the same error
(a dezero Variable is not a NumPy array: pass v.data), the cell's variables
kept, and no GetItem nodes in the graph (matplotlib had walked the Variable
element by element, recording a GetItem for each, before NumPy failed with
"setting an array element with a sequence")."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from dezero.functions.numpy_functions import NOT_AN_ARRAY  # noqa: E402

CELL = ("x = Variable(np.linspace(0, 1, 5))\ny = x * 2\n"
        "import matplotlib.pyplot as plt\nplt.plot(x, y)\n")


def _run(shell, cell):
    with capture_output() as cap:
        result = shell.run_cell(cell)
    return result, cap


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_of_a_variable_fails_in_a_dezero_cell_as_in_a_plain_cell(shell, displayed):
    plain, _ = _run(shell, CELL)
    assert type(plain.error_in_exec).__name__ == "VariableTypeError"
    assert str(plain.error_in_exec) == NOT_AN_ARRAY
    for name in ("x", "y"):
        shell.user_ns.pop(name)

    traced, cap = _run(shell, "%%dezero -o t\n" + CELL)
    assert type(traced.error_in_exec) is type(plain.error_in_exec)
    assert str(traced.error_in_exec) == NOT_AN_ARRAY
    assert "a Variable is not a NumPy array" in cap.stdout + cap.stderr   # shown, as a plain cell shows it
    assert "could not show the graph" not in cap.stdout
    assert shell.user_ns["x"].shape == (5,) and shell.user_ns["y"].data[-1] == 2.0   # the cell's variables kept
    graph = shell.user_ns["t"].graph
    assert [f.op for f in graph.functions.values()] == ["Mul"]   # (was Mul and a GetItem per element walked)


def test_the_arrays_plot_in_a_dezero_cell(shell, displayed):
    result, _ = _run(shell, "%%dezero -o t\n" + CELL.replace("plt.plot(x, y)", "lines = plt.plot(x.data, y.data)"))
    assert result.success
    assert list(shell.user_ns["lines"][0].get_ydata()) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert [f.op for f in shell.user_ns["t"].graph.functions.values()] == ["Mul"]
