"""A %%dezero body indented as a whole (pasted from inside a def or a loop)
runs as a plain cell runs it: IPython dedents a cell by its lines' common
indentation, and the nested run's extra first line must not stop that."""
import contextlib
import io
import re

from dezero_magic.nested_run import LINE_ONE, cell_source
from dezero_magic.trace import Trace

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(shell, cell):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = shell.run_cell(cell)
    return result, ANSI.sub("", out.getvalue())


def test_an_indented_one_line_body_runs_and_is_drawn(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0))")
    plain, _ = _run(shell, "    y = x * 3\n")
    assert plain.success
    result, text = _run(shell, "%%dezero\n    y = x * 3\n")
    assert result.success, text
    assert float(shell.user_ns["y"].data) == 6.0
    traces = [t for t in displayed if isinstance(t, Trace)]
    assert traces and [f.op for f in traces[0].graph.functions.values()] == ["Mul"]


def test_an_indented_body_with_backward_gets_its_grads(shell, displayed):
    result, text = _run(shell, "%%dezero\n\n    x = Variable(np.array(2.0))\n    y = x ** 3\n"
                               "    if True:\n        y.backward()\n")
    assert result.success, text
    assert float(shell.user_ns["x"].grad.data) == 12.0


def test_an_error_in_an_indented_body_is_counted_from_the_magic_line(shell, displayed):
    plain, plain_text = _run(shell, "  a = 1\n  b = 1 / 0\n")
    assert isinstance(plain.error_in_exec, ZeroDivisionError) and "line 2" in plain_text
    result, text = _run(shell, "%%dezero\n  a = 1\n  b = 1 / 0\n")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "line 3" in text and "IndentationError" not in text, text


def test_a_body_indented_unevenly_keeps_plain_behaviour(shell, displayed):
    # The common margin (2) goes; the inner block keeps its own indentation.
    body = "  total = 0\n  for i in range(3):\n      total += i\n"
    result, text = _run(shell, "%%dezero\n" + body)
    assert result.success, text
    assert shell.user_ns["total"] == 3
    # A body whose first line is indented deeper than the next fails, in both.
    bad = "    p = 1\n  q = 2\n"
    plain, _ = _run(shell, bad)
    traced, _ = _run(shell, "%%dezero\n" + bad)
    assert type(plain.error_before_exec or plain.error_in_exec) is IndentationError
    assert type(traced.error_before_exec or traced.error_in_exec) is IndentationError


def test_cell_source_adds_the_margin_only_when_every_line_has_it():
    assert cell_source("y = 1\n") == LINE_ONE + "y = 1\n"
    assert cell_source("    y = 1\n\n    z = 2\n") == "    " + LINE_ONE + "    y = 1\n\n    z = 2\n"
    assert cell_source("\t\ty = 1\n") == "\t\t" + LINE_ONE + "\t\ty = 1\n"
    assert cell_source("  y = 1\nz = 2\n") == LINE_ONE + "  y = 1\nz = 2\n"
    assert cell_source("%%time\n  y = 1\n") == "%%time\n  y = 1\n"  # another magic stays on line 1

