"""What %%dezero says when a cell made no dezero call (QA 24, brief G2): a cell that only
reads an earlier cell's y names y and points to `%dezero y`; a cell that raised before any
call says so in the raising style; every option error of %%dezero says the cell was not run."""
import re

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from dezero_magic.trace import EMPTY
from dezero_magic.widgets.backward_tab import NO_BACKWARD_EARLIER, BackwardView

EARLIER = "x = Variable(np.array(2.0)); y = x ** 2; y.backward()"


def run(shell, cell):
    with capture_output():
        return shell.run_cell(cell)


@pytest.mark.parametrize("body", ["y", "print(y)", "y.grad", "z = y.data * 2"])
def test_a_cell_reading_an_earlier_y_names_it_and_the_line_magic(shell, body):
    run(shell, EARLIER)
    assert run(shell, "%%dezero -o t\n" + body).success
    trace = shell.user_ns["t"]
    said = trace.caption()
    assert said == trace.text() and said != EMPTY and "no variable of the cell has a creator" not in said
    assert "made no dezero call" in said and "y was computed in an earlier cell: %dezero y draws its graph" in said
    assert said in trace.html() and "INCOMPLETE" not in trace.html()


def test_the_last_expression_is_named_first(shell):
    run(shell, EARLIER + "\nw = y * 3")
    run(shell, "%%dezero -o t\nprint(y)\nw")
    assert "w and y were computed in earlier cells: %dezero w draws w's graph" in shell.user_ns["t"].caption()


def test_a_cell_reading_only_an_earlier_leaf_says_it_has_no_creator(shell):
    run(shell, EARLIER)
    run(shell, "%%dezero -o t\nx.grad")
    said = shell.user_ns["t"].caption()
    assert "made no dezero call" in said and "x was made in an earlier cell and has no creator" in said


@pytest.mark.parametrize("body", ["n = 20", "# a comment", "def f(a):\n    return a"])
def test_a_cell_without_variables_keeps_the_plain_wording(shell, body):
    run(shell, "%%dezero -o t\n" + body)
    assert shell.user_ns["t"].caption() == EMPTY


def test_the_backward_tab_does_not_ask_for_a_backward_that_ran(shell):
    run(shell, EARLIER)
    run(shell, "%%dezero -o t\ny")
    said = BackwardView(shell.user_ns["t"]).message.value
    assert "made no dezero call" in said and "Call the output" not in said
    assert NO_BACKWARD_EARLIER.split(";")[0] in said


def test_a_cell_that_raised_before_any_call_says_so_in_the_raising_style(shell):
    result = run(shell, "%%dezero -o t\nx = Variable(5)\ny = x ** 2")
    assert isinstance(result.error_in_exec, TypeError)
    trace = shell.user_ns["t"]
    assert trace.caption() == "The cell raised before any dezero call (see the error above)."
    style = re.search(r'class="dz-caption" style="([^"]*)"', trace.html()).group(1)
    assert "font-weight:bold" in style


@pytest.mark.parametrize("line", ["-b", "--rankdir XY", "--max-nodes -3", "-o 3x", "--nosuch",
                                  "-b y -b y", "-b 'y +'"])
def test_every_option_error_says_the_cell_was_not_run(shell, line):
    result = run(shell, f"%%dezero {line}\nran = 1")
    assert isinstance(result.error_in_exec, UsageError) and "ran" not in shell.user_ns
    said = str(result.error_in_exec)
    assert said.lower().count("the cell was not run") == 1, said


def test_the_line_magic_does_not_speak_of_a_cell(shell):
    result = run(shell, "%dezero --rankdir XY y")
    assert isinstance(result.error_in_exec, UsageError)
    assert "cell was not run" not in str(result.error_in_exec)


def test_a_tuple_reads_alike_for_b_and_the_line_magic(shell):
    run(shell, EARLIER + "\nz = (y, x)")
    cell = str(run(shell, "%%dezero -b z\nq = 1").error_in_exec)
    line = str(run(shell, "%dezero z").error_in_exec)
    assert cell.startswith("-b z: its value is a tuple, not a Variable. It holds 2 items")
    assert line.startswith("%dezero z: its value is a tuple, not a Variable. It holds 2 items")
    assert "of type tuple" not in cell


def test_b_on_a_plain_value_says_it_is_not_a_variable(shell):
    said = str(run(shell, "%%dezero -b q\nq = 1").error_in_exec)
    assert said.startswith("-b q: its value is an int, not a Variable, so it has no .backward()")
    assert "cell was not run" not in said  # (it ran: the -b came after it)


def test_the_memory_tab_of_a_cell_that_only_reads_y_says_what_the_caption_says(shell, displayed):
    # (it said "no variable of the cell has a creator" of a y made by Pow in an earlier cell)
    from dezero_magic.widgets.memory_tab import memory_view
    from widget_html import text_of
    shell.run_cell("x = Variable(np.array(2.0))\ny = x ** 2\ny.backward()")
    shell.run_cell("%%dezero\ny")
    trace = displayed[-1]
    view = memory_view(trace)
    said = " ".join(text_of(view.figures.value).split())
    assert "y was computed in an earlier cell: %dezero y draws its graph." in said, said
    assert "no variable of the cell has a creator" not in said


def test_leaves_only_and_several_names_are_worded_for_what_they_are(shell):
    # Review R1-F3/F4: a leaf-only cell was sent to "run that cell to step through it";
    # several names were "made in an earlier cell ... (a leaf)".
    run(shell, "x = Variable(np.array(2.0))\nw = Variable(np.array(3.0))\nv = x * w\nu = x + w")
    run(shell, "%%dezero -o t\nx.grad\nw.grad")
    t = shell.user_ns["t"]
    assert re.search(r"(x and w|w and x) were made in earlier cells and have no creator \(leaves\), so there is "
                     r"no graph behind them\.", t.caption()), t.caption()
    said = BackwardView(t).message.value
    assert "no graph behind them" in said and "run that cell" not in said, said
    run(shell, "%%dezero -o t\nv, u")
    t = shell.user_ns["t"]
    assert "v and u were computed in earlier cells: %dezero v draws v's graph." in t.caption(), t.caption()
    said = BackwardView(t).message.value
    assert "if v&#x27;s backward ran in an earlier cell, it was not watched" in said, said


def test_b_and_line_magic_on_none_say_none(shell):
    # Review R1-F6: "its value is a NoneType"
    run(shell, "def f(a):\n    a * 2\nz = f(1)")
    with pytest.raises(UsageError, match=r"%dezero z: its value is None \(a function without `return` gives None\)"):
        shell.run_line_magic("dezero", "z")
    result = shell.run_cell("%%dezero -b z\nq = 1")
    assert "-b z: its value is None (a function without `return` gives None), not a Variable" in \
        str(result.error_in_exec), result.error_in_exec


def test_last_expression_names_and_name_lists():
    from dezero_magic.cell_names import last_expression_names
    from dezero_magic.render.text import named

    assert last_expression_names("x = 1\nprint(y, z)") == ["print", "y", "z"]
    assert last_expression_names("y = x") == [] and last_expression_names("y = (") == []
    assert [named(["a"]), named(["a", "b"]), named("abc"), named("abcde")] == \
        ["a", "a and b", "a, b and c", "a, b, c and 2 more"]
