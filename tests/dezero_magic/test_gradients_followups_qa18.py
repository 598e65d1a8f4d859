"""Gradients check follow-ups (QA session 18): float16 graphs compared at
their own precision, unnamed leaves called as the other tabs call them, the
re-runs never handing a forward the user's own array, the public pass count,
and the empty cell's caption saying only what is known."""
import re

import numpy as np
import pytest

import dezero_magic.widgets as dzw
from dezero_magic import forward_faults, reevaluate
from dezero_magic.grad_tolerance import Tolerance, rounded, tolerance
from dezero_magic.trace import EMPTY
from dezero_magic.widgets import lifecycle
from student_code import SHORT_CLASSES
from widget_html import text_of

QA_FLOAT16 = "x = Variable(np.array([1.0, 2.0], dtype=np.float16))\ny = F.sum(F.exp(x) * 2)"


def _squeezed(html):
    return " ".join(text_of(html).split())


def _gradients(shell, cell, flags="-b y"):
    """The Gradients page's table text, its check (the button pressed where the graph has the user's code)."""
    assert shell.run_cell(f"%%dezero {flags} -o tt\n" + cell).success
    view = dzw.view_for(shell.user_ns["tt"])
    page = view.views["Gradients"]
    if page.run is not None:
        page.run.click()
    text, check = _squeezed(page.table.value), page.check
    lifecycle.close_view(view)
    return text, check


def _row(text, label):
    match = re.search(rf"(?:^|\s){re.escape(label)} (.*?) (pass|FAIL|not checked)", text)
    assert match, text
    return match.group(2)


# --- 1. float16 -------------------------------------------------------------

def test_qa_float16_cell_is_checked_at_float16_precision(shell):
    text, check = _gradients(shell, QA_FLOAT16)
    # (QA: "re-running the graph's forward does not reproduce the output: the data changed ...": false)
    assert "not available" not in text and "changed since the graph was recorded" not in text, text
    assert _row(text, "x") == "pass" and _row(text, "unnamed (v2)") == "pass"
    assert "All 2 checked leaf grads pass." in text
    assert "compared at float16 precision" in text and "rtol 0.0156" in text
    assert "computed in float64" in text
    assert check.tolerance.dtype == "float16"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float32_and_float64_keep_dezeros_tolerances(shell, dtype):
    text, check = _gradients(shell, QA_FLOAT16.replace("float16", dtype))
    assert "All 2 checked leaf grads pass." in text
    assert "Pass: equal within rtol 1e-4, atol 1e-5." in text and "precision" not in text
    assert check.tolerance == Tolerance()


WRONG_FLOAT16 = """
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x = self.inputs[0].data
        return 2.9 * x ** 2 * gy      # 3 * x ** 2: off by 3%, twice float16's tolerance
x = Variable(np.array([1.0, 1.5, 2.0], dtype=np.float16))
y = F.sum(Cube()(x))
"""


def test_float16_tolerance_still_fails_a_wrong_backward(shell):
    text, _ = _gradients(shell, WRONG_FLOAT16)
    assert _row(text, "x") == "FAIL", text
    assert "compared at float16 precision" in text


@pytest.mark.filterwarnings("ignore:overflow encountered in exp")   # the cell's own exp, as a user sees it
def test_float16_output_that_overflowed_is_not_said_to_have_changed(shell):
    # exp(12) = 162754.8 is past float16's largest, 65504: the recorded y is inf, the float64 re-run is not
    text, _ = _gradients(shell, "x = Variable(np.array([1.0, 12.0], dtype=np.float16))\ny = F.sum(F.exp(x))")
    assert "changed since the graph was recorded" not in text and "not available" not in text, text
    assert "f is NaN/Inf at this point" in text


def test_tolerance_is_that_of_the_lowest_precision():
    class V:
        def __init__(self, data, grad=None):
            self.data, self.grad = data, grad
    y32 = V(np.ones(2, np.float32))
    assert tolerance(y32, [V(np.ones(2, np.float32))]) == Tolerance()
    assert tolerance(V(1.0), [V(np.ones(2))]) == Tolerance()     # a Python float: float64
    low = tolerance(y32, [V(np.ones(2, np.float32), V(np.ones(2, np.float16)))])   # a float16 grad
    # a student's grad is an ndarray itself (whose .data is a raw buffer)
    assert tolerance(y32, [V(np.ones(2, np.float32), np.ones(2, np.float16))]) == low
    assert low.dtype == "float16" and low.rtol == pytest.approx(16 * 2.0 ** -10)
    # the absolute part scales with the leaf's largest numerical grad (a float16 grad errs by eps of it)
    assert low.for_grads(np.array([100.0, 0.0, np.inf])).atol == pytest.approx(100 * 4 * 2.0 ** -10)
    # review: a factor-2 error on an entry 100 times below the largest fails (16 eps of it had passed)
    grads = low.for_grads(np.array([1000.0, 10.0]))
    assert list(grads.close(np.array([1000.0, 20.0]), np.array([1000.0, 10.0]))) == [True, False]
    assert rounded(np.array([70000.0]), np.array([np.inf], np.float16))[0] == np.inf


# --- 2. unnamed leaves --------------------------------------------------------

def test_unnamed_leaf_is_called_as_the_other_tabs_call_it(shell):
    text, _ = _gradients(shell, "x = Variable(np.array(2.0), name='x')\ny = x * 3.0", flags="-b y")
    assert "unnamed (v1)" in text and "(no name)" not in text, text


# --- 3. the user's arrays are never handed to a forward ------------------------

# Writes into its int input only where x moved past 2: never at the recorded
# x = 2, so the first (watched) pass sees no change; the stepped and plotted
# passes do, and were given the user's own k.
BUMP_BODY = """
    def forward(self, x, k):
        k[x > 2.0] += 1
        return x * k
"""
DEZERO_BUMP = ("class Bump(dezero.Function):" + BUMP_BODY + """
    def backward(self, gy):
        return gy * self.inputs[1].data, None
x = Variable(np.array([2.0]))
k = Variable(np.array([3]))
y = Bump()(x, k)
y.backward()
""")
STUDENT_BUMP = ("class Bump(Function):" + BUMP_BODY + """
    def backward(self, gy):
        return gy * self.inputs[1].data, np.zeros_like(self.inputs[1].data)
x = Variable(np.array([2.0]))
k = Variable(np.array([3]))
y = Bump()(x, k)
y.backward()
""")


@pytest.mark.parametrize("cell", [DEZERO_BUMP, STUDENT_BUMP], ids=["dezero-subclass", "students-class"])
def test_an_in_place_forward_leaves_the_users_int_leaf_alone(shell, cell):
    if cell is STUDENT_BUMP:
        assert shell.run_cell(SHORT_CLASSES).success
    passes = reevaluate.passes()
    _gradients(shell, cell, flags="")
    assert reevaluate.passes() - passes > 3                 # the check and its plot ran
    k = shell.user_ns["k"]
    assert k.data.tolist() == [3] and k.data.dtype.kind == "i"


def test_each_pass_copies_the_users_array_once_and_the_callers_not_at_all():
    class Leaf:
        creator = None

        def __init__(self, data):
            self.data = data

    log = []

    class Seen:   # (the log is no attribute: a re-run calls forward on a copy, its lists copied too)
        def __init__(self, inputs, outputs):
            self.inputs, self.outputs = inputs, outputs

        def forward(self, *xs):
            log.append(xs)
            return xs[0] + xs[1]

    x, k, mid, out = Leaf(np.array([1.0])), Leaf(np.array([2])), Leaf(None), Leaf(None)
    given = {id(x): np.array([5.0])}
    funcs = [Seen([x, k], [mid]), Seen([mid, k], [out])]
    vals = reevaluate.evaluate_all(funcs, given)
    (x1, k1), (_, k2) = log
    assert x1 is given[id(x)]                   # the caller's own copy: passed as it is
    assert k1 is k2 and k1 is not k.data        # the user's array: one copy, shared within the pass
    assert vals[id(out)].tolist() == [9.0] and id(k) not in vals
    reevaluate.evaluate_all(funcs, given)
    assert log[2][1] is not k1                  # a fresh copy the next pass


# --- 4. counting a pass --------------------------------------------------------

def test_watched_pass_counts_itself_through_reevaluate(monkeypatch):
    counted = []
    monkeypatch.setattr(reevaluate, "count_pass", lambda: counted.append(1))
    forward_faults.watched_pass([], {})
    assert counted == [1]


def test_count_pass_adds_one():
    before = reevaluate.passes()
    reevaluate.count_pass()
    assert reevaluate.passes() == before + 1


# --- 5. the empty cell's caption -----------------------------------------------

def test_empty_caption_does_not_say_no_function_was_called(shell):
    # The student's Square ran inside f, and its output died there: nothing was recorded
    assert shell.run_cell(SHORT_CLASSES + "\nclass Square(Function):\n    def forward(self, x):\n"
                                          "        return x ** 2\n").success
    assert shell.run_cell("%%dezero -o tt\ndef f(x):\n    return Square()(x)\n"
                          "v = f(Variable(np.array(1.0))).data").success
    trace = shell.user_ns["tt"]
    assert trace.caption() == EMPTY and trace.text() == EMPTY
    assert "no Function was called" not in EMPTY.replace("\n", " ")
    assert "No dezero computation was recorded in this cell" in EMPTY
