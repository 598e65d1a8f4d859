"""A lecturer goes back: cells of notebooks 02 and 04 run again after later ones.

QA (lecturer): after the whole of nb02 had run, the step-15 cell ("the wrong order")
ran step 16's classes, printed x.grad = 64 in generation order, and the next cell
failed with a bare AssertionError; in nb04 a second run of the Mul cell made the
"back to the package's operator" cell keep the notebook's Mul. The cells are run
from their sources (notebooks/src, what the .ipynb files are built from) in
IPython's test shell with the extension loaded, one cell per run_cell as
JupyterLab runs them.
"""
import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
NB02 = NOTEBOOKS / "src" / "02_steps_11_16.py"
NB04 = NOTEBOOKS / "src" / "04_steps_19_24.py"


def code_cells(source):
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import build
    finally:
        sys.path.remove(str(NOTEBOOKS))
    return [text for kind, text in build.parse(source) if kind == "code"]


def cell_with(cells, part):
    """Index of the one code cell whose text starts with `part` (else: holds it)."""
    found = ([i for i, text in enumerate(cells) if text.startswith(part)]
             or [i for i, text in enumerate(cells) if part in text])
    assert len(found) == 1, (part, found)
    return found[0]


@pytest.fixture
def shell():
    """IPython's test shell; its namespace, the extension and dezero's operators put back after."""
    from IPython.testing.globalipapp import get_ipython, start_ipython

    import dezero.arithmetic

    ip = start_ipython() or get_ipython()
    loaded = "dezero_magic" in ip.extension_manager.loaded
    saved = dict(ip.user_ns)
    yield ip
    ip.user_ns.clear()
    ip.user_ns.update(saved)
    for unders in ("_", "__", "___"):  # (as tests/dezero_magic/conftest.py: IPython's again)
        ip.user_ns[unders] = getattr(ip.displayhook, unders)
    if not loaded and "dezero_magic" in ip.extension_manager.loaded:
        ip.run_line_magic("unload_ext", "dezero_magic")
    dezero.arithmetic.setup_variable()  # whatever a notebook cell left as Variable's operators
    assert sys.getprofile() is None


def run(ip, cell, what=""):
    result = ip.run_cell(cell, store_history=False)
    assert result.success, f"{what}: {result.error_before_exec or result.error_in_exec!r}\n{cell}"
    return result


def run_all(ip, cells):
    for number, cell in enumerate(cells):
        run(ip, cell, f"cell {number} in order")


# --- nb02 -----------------------------------------------------------------------------------

def nb02_marks(cells):
    return {
        "step13": cell_with(cells, 'print("step 13: x.grad ='),
        "step15": cell_with(cells, "%%dezero -o old"),
        "step16": cell_with(cells, "%%dezero -o new"),
        "orders": cell_with(cells, "from html import escape"),
    }


def order(ip, name):
    trace = ip.user_ns[name]
    return [trace.graph.functions[step.func].op for step in trace.graph.steps]


def check_nb02_cell(ip, cells, marks, number):
    """What the cell's prose says, for the cells whose output a later step could change."""
    ns = ip.user_ns
    if number == marks["step13"]:
        assert float(ns["x"].grad) == 1.0, "step 13's backward overwrites: 1, not 2"
    elif number == marks["step15"]:
        assert float(ns["x"].grad) == 96.0
        assert order(ip, "old") == ["D", "C", "A", "B", "A"]
    elif number == marks["step16"]:
        assert float(ns["x"].grad) == 64.0
        assert order(ip, "new") == ["D", "C", "B", "A"]


def test_nb02_step15_run_again_after_step16_shows_the_wrong_order_again(shell):
    cells = code_cells(NB02)
    marks = nb02_marks(cells)
    run_all(shell, cells)
    run(shell, cells[marks["step15"]], "the step-15 cell again")
    assert float(shell.user_ns["x"].grad) == 96.0        # was 64: step 16's classes ran
    assert order(shell, "old") == ["D", "C", "A", "B", "A"]
    run(shell, cells[marks["orders"]], "'the two orders' after it")   # was a bare AssertionError


def test_nb02_going_back_to_any_cell_and_on_from_there(shell):
    """Back to cell k after a full run, then on in order: every cell runs and says what it says."""
    cells = code_cells(NB02)
    marks = nb02_marks(cells)
    run_all(shell, cells)
    for k in range(len(cells)):
        for number in range(k, len(cells)):
            run(shell, cells[number], f"back to cell {k}, then cell {number}")
            check_nb02_cell(shell, cells, marks, number)


def test_nb02_each_cell_twice_and_the_demos_alone_in_any_order(shell):
    cells = code_cells(NB02)
    marks = nb02_marks(cells)
    run_all(shell, cells)
    for number in range(len(cells)):                     # twice in a row (after a typo fix)
        for _ in range(2):
            run(shell, cells[number], f"cell {number} twice")
            check_nb02_cell(shell, cells, marks, number)
    # the demos alone, backwards and forwards, after everything ran
    demos = [marks["step16"], marks["step15"], marks["step13"], marks["step15"], marks["step16"]]
    for number in demos:
        run(shell, cells[number], f"demo cell {number} alone")
        check_nb02_cell(shell, cells, marks, number)
        run(shell, cells[marks["orders"]], f"'the two orders' after cell {number}")
    # going back to the step-14 fix must not turn step 16's backward into the list one
    run(shell, cells[cell_with(cells, "def backward_step14")], "the step-14 fix again")
    run(shell, cells[marks["step16"]], "the step-16 cell after the step-14 fix")
    check_nb02_cell(shell, cells, marks, marks["step16"])


# --- nb04 -----------------------------------------------------------------------------------

def test_nb04_mul_cell_twice_still_restores_the_package_operator(shell):
    import dezero.arithmetic

    cells = code_cells(NB04)
    mul_cell = cell_with(cells, "class Mul(Function)")
    restore = cell_with(cells, "Variable.__mul__ = builtin_mul")
    run_all(shell, cells)
    run(shell, cells[mul_cell], "the Mul cell again")
    run(shell, cells[mul_cell], "the Mul cell a third time")
    assert shell.user_ns["Variable"].__mul__ is shell.user_ns["mul"]   # ours, for a moment
    run(shell, cells[mul_cell + 1], "the Mul demo")
    run(shell, cells[restore], "back to the package's operator")
    assert shell.user_ns["Variable"].__mul__ is dezero.arithmetic.mul
    for number in range(restore + 1, len(cells)):        # and the rest of the notebook as before
        run(shell, cells[number], f"cell {number} after it")


def test_nb04_every_cell_twice_in_order(shell):
    import dezero.arithmetic

    cells = code_cells(NB04)
    for number, cell in enumerate(cells):
        run(shell, cell, f"cell {number}")
        run(shell, cell, f"cell {number} again")
    assert shell.user_ns["Variable"].__mul__ is dezero.arithmetic.mul


# --- both -----------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [NB02, NB04], ids=["02", "04"])
def test_every_assert_in_a_cell_says_what_to_run_again(source):
    for cell in code_cells(source):
        # (a cell magic's first line is not Python)
        body = cell.split("\n", 1)[1] if cell.startswith("%%") else cell
        body = "\n".join("" if line.startswith("%") else line for line in body.split("\n"))
        for node in ast.walk(ast.parse(body)):
            if isinstance(node, ast.Assert):
                assert node.msg is not None, f"{source.name}: assert without a message:\n{ast.unparse(node)}"
                assert "re-run" in ast.literal_eval(node.msg), ast.unparse(node)
