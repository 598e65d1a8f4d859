"""The %%dezero line's slips (QA robust 4): an option given twice, an
unknown option or a long dash pasted from a slide, `%dezero y.grad` on a
freed grad. Each is refused before the cell runs, saying what to do."""
import pytest
from IPython.core.error import UsageError

BODY = "\nran_it = True\nx = Variable(np.array(2.0))\ny = F.exp(x)"


def _refused(shell, displayed, line):
    result = shell.run_cell(f"%%dezero {line}{BODY}")
    error = result.error_in_exec
    assert isinstance(error, UsageError), error
    assert "ran_it" not in shell.user_ns and not displayed  # the cell did not run
    return str(error)


@pytest.mark.parametrize("line, named", [("-b y -b x", "-b"), ("--backward y -b x", "-b"),
                                         ("-o t1 --output t2", "-o"), ("--max-nodes 5 --max-nodes=9", "--max-nodes"),
                                         ("--rankdir LR --rankdir TB", "--rankdir")])
def test_an_option_given_twice_is_refused(shell, displayed, line, named):
    said = _refused(shell, displayed, line)
    assert said.startswith(f"{named} is given 2 times on the %%dezero line; give it once (the cell was not run)")


def test_one_of_each_runs(shell, displayed):
    assert shell.run_cell(f"%%dezero -b y -o t1 --max-nodes 50 --rankdir LR{BODY}").success
    assert shell.user_ns["ran_it"] is True


@pytest.mark.parametrize("line", ["--bogus", "-x", "-b y --nosuch 3"])
def test_an_unknown_option_says_the_cell_did_not_run_and_where_the_options_are(shell, displayed, line):
    said = _refused(shell, displayed, line)
    assert "unrecognized arguments" in said and "%%dezero -h lists the options" in said
    assert said.endswith("The cell was not run.")


@pytest.mark.parametrize("dash", ["\u2014", "\u2013", "\u2212"])
def test_a_long_dash_from_a_slide_is_named(shell, displayed, dash):
    said = _refused(shell, displayed, f"{dash}b y")
    assert f"{dash}b starts with a long dash (pasted from a slide?): type the option with a plain hyphen, -b" in said


def test_a_freed_grad_says_why_it_is_none(shell, displayed):
    assert shell.run_cell("x = Variable(np.array(2.0))\ny = F.exp(x)\ny.backward()").success
    with pytest.raises(UsageError, match=r"^%dezero y\.grad: it is None: no grad is stored there\. Either no "
                                         r"backward has run .*a backward keeps the leaves' grads only, unless "
                                         r"it ran with retain_grad=True"):
        shell.run_line_magic("dezero", "y.grad")
    shell.run_line_magic("dezero", "x.grad")  # a leaf's grad is kept: drawn
    assert displayed
