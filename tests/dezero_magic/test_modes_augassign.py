"""`%%dezero --modes` re-runs get the names a cell may read before binding them.

QA: `count += 1` (or `losses += [1]`) on a name of an earlier cell made every
mode row say "the re-run raised NameError": the augmented assignment counted
as a plain store, so the re-runs' namespace lost the name instead of getting
its value from before the cell. The same held for a name bound only on some
paths (one `if` branch, a `try` body, a `case`, a `suppress` block) and for a
name a def or comprehension binds as its own local.
"""
import pytest

from dezero_magic.cell_names import read_first
from dezero_magic.modes import results_text

# `note` is a bound method, shared with the re-runs (not copied): what each run saw lands in `seen`
SETUP = ("count = 0\n_count = 0\nlosses = []\nx = Variable(np.array(2.0))\nscale = 2.0\n"
         "xs = [Variable(np.array(1.0))]\nreset = False\ntext = 'abc'\nmode = 'other'\n"
         "seen = []\nnote = seen.append\nfrom contextlib import suppress\n")
BACKWARD = "y = F.square(x) * scale\ny.backward()\n"


def modes_of(shell, body):
    assert shell.run_cell(SETUP).success
    result = shell.run_cell("%%dezero --modes -o _t\n" + body)
    assert result.success, result.error_in_exec
    results = shell.user_ns["_t"].mode_results
    assert results and all(r.ok for r in results), [r.error for r in results]
    assert "the re-run raised" not in results_text(results)
    return shell.user_ns


@pytest.mark.parametrize("body, name, value", [
    ("count += 1\nnote(count)\n", "count", 1),
    ("losses += [1]\nnote(list(losses))\n", "losses", [1]),
    ("_count += 1\nnote(_count)\n", "_count", 1),
    ("def bump():\n    global count\n    count += 1\nbump()\nnote(count)\n", "count", 1),
], ids=["name", "list", "underscore_name", "global_in_a_def"])
def test_an_augmented_assignment_to_an_earlier_name_is_rerun_from_its_value_before(
        shell, body, name, value):
    ns = modes_of(shell, body + BACKWARD)
    assert ns[name] == value                      # the cell's own run, once
    assert ns["seen"] == [value] * 4              # own run and three re-runs, each from the value before
    assert float(ns["x"].grad.data) == pytest.approx(8.0)   # one backward's worth on the user's x


@pytest.mark.parametrize("body", [
    "if reset:\n    scale = 1.0\n",
    "try:\n    scale = float(text)\nexcept ValueError:\n    pass\n",
    "with suppress(ValueError):\n    scale = float(text)\n",
    "match mode:\n    case 'unit':\n        scale = 1.0\n",
], ids=["if_one_branch", "try_body", "with_suppress", "match_one_case"])
def test_a_name_bound_on_one_path_only_is_given_to_the_reruns(shell, body):
    ns = modes_of(shell, body + "note(scale)\n" + BACKWARD)
    assert ns["seen"] == [2.0] * 4 and ns["scale"] == 2.0


@pytest.mark.parametrize("body", [
    "n = sum(1 for x in xs)\n",
    "def reset():\n    x = None\nreset()\n",
], ids=["comprehension_variable", "local_of_a_def"])
def test_a_name_local_to_a_comprehension_or_def_is_not_bound_at_the_top(shell, body):
    ns = modes_of(shell, body + "note(float(x.data))\n" + BACKWARD)
    assert ns["seen"] == [2.0] * 4


@pytest.mark.parametrize("code, read, bound", [
    ("count += 1", {"count"}, set()),
    ("if flag:\n    c = 0\nc += 1", {"flag", "c"}, set()),
    ("try:\n    c = load()\nexcept Exception:\n    pass\nc", {"load", "Exception", "c"}, set()),
    ("a and (n := 1)\nn", {"a", "n"}, set()),
    # a student's Function: its parameter and local are not the earlier cells' x and y
    ("class Sq(Function):\n    def forward(self, x):\n        y = x ** 2\n        return y",
     {"Function"}, {"x", "y"}),
])
def test_read_first_follows_the_paths_and_scopes(code, read, bound):
    found = set(read_first(code))
    assert read <= found and not (bound & found), found
