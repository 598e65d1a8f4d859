"""The Gradients tab names which backward is wrong when a leaf grad FAILs:
each function class's backward checked alone (`dezero_magic.which_backward`),
the student's classes only when they press the button, nothing of theirs changed."""
import copy
import gc

import numpy as np
from IPython.utils.capture import capture_output

import dezero_magic.widgets as dzw
from dezero_magic import numgrad, which_backward
from dezero_magic.replay import replay
from dezero_magic.widgets import gradients_tab, lifecycle
from student_code import STEP7, STEP7_RUN
from widget_html import text_of

WRONG_SQUARE = STEP7.replace("return 2 * x * gy", "return x * gy")   # the student forgot the 2

WRONG_CUBE = """
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        return x ** 2 * gy          # the 3 is missing
"""
CUBE_RUN = ("x = Variable(np.array([0.5, 1.0, 2.0]), name='x')\n"
            "y = F.sum(F.sin(Cube()(x)))\ny.backward()")


def _page(shell, displayed, cell):
    """The Gradients page of the view `%%dezero` + cell displays."""
    assert shell.run_cell("%%dezero\n" + cell).success
    view = dzw.view_for(displayed[-1])
    return view, view.views["Gradients"]


def _pressed(page):
    """Press the page's "check by running your forward again"; the table's text (spaces
    squeezed: tags become spaces), nothing printed."""
    assert page.run is not None
    with capture_output() as out:
        page.run.click()
    assert out.stdout == "" and out.stderr == ""
    return " ".join(text_of(page.table.value).split())


def test_a_students_square_without_its_2_is_named_and_exp_is_ok(shell, displayed):
    shell.run_cell(WRONG_SQUARE)
    view, page = _page(shell, displayed, STEP7_RUN)
    text = _pressed(page)
    assert "FAIL" in text and "Which backward is wrong" in text
    assert "Square.backward — FAIL: at x = 0.5: gave 0.5, expected 1 for gy = 1" in text
    assert "Exp.backward — ok (at a = 0.25)" in text
    assert "Look at Square.backward" in text and "(which one: Square.backward, see below)" in text
    assert "single functions' forward ran" in text     # counted with the passes of the graph
    which = page.check.which
    assert [c.name for c in which.wrong] == ["Square.backward"]
    lifecycle.close_view(view)


def test_a_wrong_dezero_function_subclass_is_named_beside_dezeros_own(shell, displayed):
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, CUBE_RUN)
    text = _pressed(page)
    assert "Cube.backward — FAIL: at x (shape (3,)" in text
    assert "Sin.backward — ok" in text and "Sum.backward — ok" in text
    cube = page.check.which.wrong[0]
    assert cube.rel_error is not None and abs(cube.rel_error - 2 / 3) < 1e-6   # x**2 for 3 * x**2
    lifecycle.close_view(view)


def test_all_correct_shows_no_which_section(shell, displayed):
    shell.run_cell(STEP7)
    view, page = _page(shell, displayed, STEP7_RUN)
    text = _pressed(page)
    assert "The 1 checked leaf grad passes" in text
    assert "Which backward" not in text and page.check.which is None
    assert "single functions' forward" not in text
    lifecycle.close_view(view)


FLAKY = """
class Flaky(Function):
    broken = False
    def forward(self, x):
        if Flaky.broken:
            raise RuntimeError("forward ran once too often")
        return x * 3.0
    def backward(self, gy):
        return 3.0 * gy
"""


def test_a_forward_that_raises_when_run_again_alone_is_could_not_check(shell, displayed, monkeypatch):
    # The leaf check must re-run the graph (and FAIL) first; the class breaks just before
    # its forward is run alone, as a forward with a call counter or a file it reads would.
    shell.run_cell(WRONG_SQUARE + FLAKY)
    real = numgrad.which_backward

    def broken_then_checked(funcs, trace):
        shell.user_ns["Flaky"].broken = True
        return real(funcs, trace)

    monkeypatch.setattr(numgrad, "which_backward", broken_then_checked)
    view, page = _page(shell, displayed, "x = Variable(np.array(0.5))\ny = Square()(Flaky()(x))\n"
                                         "y.grad = np.array(1.0)\ny.backward()")
    text = _pressed(page)
    assert "Flaky.backward — could not check: its forward raised RuntimeError: forward ran once too often " \
           "when run again alone" in text
    assert "Square.backward — FAIL" in text
    lifecycle.close_view(view)


def _state(obj):
    """Each attribute of obj: the object it is, and what it holds (a list's, dict's,
    set's items; an array's values), to tell a change in place from none."""
    def held(v):
        if isinstance(v, np.ndarray):
            return v.copy()
        return copy.copy(v) if isinstance(v, (list, dict, set)) else None
    return {k: (v, held(v)) for k, v in vars(obj).items()}


def _assert_unchanged(obj, state):
    assert vars(obj).keys() == state.keys()
    for k, (v, held) in state.items():
        now = vars(obj)[k]
        assert now is v, k     # the same input/output/grad/list objects...
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(now, held)
        elif isinstance(v, list):   # ... holding the same items (an append, a replaced item: changed)
            assert len(now) == len(held) and all(a is b for a, b in zip(now, held)), k
        elif isinstance(v, dict):
            assert now.keys() == held.keys() and all(now[j] is held[j] for j in held), k
        elif isinstance(v, set):
            assert now == held, k


def test_the_users_objects_are_unchanged_by_the_check(shell, displayed):
    shell.run_cell(WRONG_SQUARE)
    view, page = _page(shell, displayed, STEP7_RUN)
    ns = shell.user_ns
    objects = [ns[k] for k in ("A", "B", "C", "x", "a", "b", "y")]
    before = [_state(o) for o in objects]
    _pressed(page)
    assert page.check.which is not None
    for o, state in zip(objects, before):
        _assert_unchanged(o, state)
    lifecycle.close_view(view)


# A wrong backward whose Function keeps lists and a dict counter, in forward and backward alike.
KEEPER = """
class Keeper(dezero.Function):
    def __init__(self):
        self.shapes, self.gys, self.calls = [], [], {"forward": 0, "backward": 0}
    def forward(self, x):
        self.shapes.append(x.shape)
        self.calls["forward"] += 1
        return x ** 3
    def backward(self, gy):
        self.gys.append(gy)
        self.calls["backward"] += 1
        x, = self.inputs
        return x ** 2 * gy          # the 3 is missing
"""


def test_lists_and_dicts_a_forward_or_backward_fills_stay_the_users(shell, displayed):
    shell.run_cell(KEEPER)
    view, page = _page(shell, displayed, "x = Variable(np.array(0.5), name='x')\nk = Keeper()\n"
                                         "y = F.sin(k(x))\ny.backward()")
    k = shell.user_ns["k"]
    assert k.calls == {"forward": 1, "backward": 1} and len(k.shapes) == len(k.gys) == 1
    state = _state(k)
    text = _pressed(page)     # the leaf check, its plot, and each backward alone
    assert "Keeper.backward — FAIL" in text and page.plot is not None
    _assert_unchanged(k, state)
    assert replay(displayed[-1], run_own_code=True).ran_own_code   # the Backward tab's book replay, as its switch asks
    _assert_unchanged(k, state)
    assert k.calls == {"forward": 1, "backward": 1}
    lifecycle.close_view(view)


def test_a_dezero_subclass_keeps_its_inputs_outputs_and_grads(shell, displayed):
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, "x = Variable(np.array([0.5, 1.0, 2.0]), name='x')\n"
                                         "f = Cube()\nc = f(x)\ny = F.sum(F.sin(c))\ny.backward()")
    f, x = shell.user_ns["f"], shell.user_ns["x"]
    attrs, grad, data = dict(vars(f)), x.grad, x.data.copy()
    grad_data = grad.data.copy()
    _pressed(page)
    assert page.check.which.wrong
    assert vars(f).keys() == attrs.keys() and all(vars(f)[k] is v for k, v in attrs.items())
    assert x.grad is grad and x.grad.creator is None
    np.testing.assert_array_equal(x.grad.data, grad_data)
    np.testing.assert_array_equal(x.data, data)
    lifecycle.close_view(view)


SWAPPED = """
class Twice(dezero.Function):
    def forward(self, x):
        return 2.0 * x
    def backward(self, gy):
        return 2.0 * gy[::-1]       # the grads of the entries swapped: gy = ones would hide it
"""


def test_random_gy_catches_a_grad_that_ones_would_hide(shell, displayed):
    shell.run_cell(SWAPPED)
    view, page = _page(shell, displayed, "x = Variable(np.array([1.0, 2.0, 3.0]), name='x')\n"
                                         "w = Variable(np.array([1.0, 5.0, 2.0]))\n"
                                         "y = F.sum(Twice()(x) * w)\ny.backward()")
    text = _pressed(page)
    assert "Twice.backward — FAIL" in text and "seeded random numbers in [0.5, 1.5]" in text
    assert "Mul.backward — ok" in text
    lifecycle.close_view(view)


def test_relu_at_its_kink_is_not_blamed(shell, displayed):
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, "x = Variable(np.array([-1.0, 0.0, 2.0]), name='x')\n"
                                         "y = F.sum(Cube()(F.relu(x)))\ny.backward()")
    _pressed(page)
    verdicts = {c.name: c.verdict for c in page.check.which.classes}
    assert verdicts["Cube.backward"] == "FAIL" and verdicts["ReLU.backward"] == "ok"
    lifecycle.close_view(view)


def test_all_backwards_right_alone_points_at_how_the_grads_were_added(shell, displayed):
    # The book's step 14 bug: x.grad = gx overwrites where x is used twice; each backward is right.
    from student_code import STEP14
    shell.run_cell(STEP14 + "\nACCUMULATE = False\n")
    view, page = _page(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()")
    text = _pressed(page)
    assert "Add.backward — ok" in text and "Each backward is right on its own" in text
    assert "book step 14" in text
    lifecycle.close_view(view)


def test_classes_beyond_the_limit_are_named_as_not_checked(shell, displayed, monkeypatch):
    monkeypatch.setattr(which_backward, "MAX_CLASSES", 1)
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, CUBE_RUN)
    text = _pressed(page)
    assert "Cube.backward — FAIL" in text                  # the user's class comes first
    assert "Sin.backward — could not check: only the first 1 classes" in text
    lifecycle.close_view(view)


def test_the_forward_calls_are_bounded(shell, displayed, monkeypatch):
    monkeypatch.setattr(which_backward, "MAX_CALLS", 5)
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, "x = Variable(np.linspace(0.5, 2.0, 40), name='x')\n"
                                         "y = F.sum(F.exp(F.sin(Cube()(x))))\ny.backward()")
    _pressed(page)
    which = page.check.which
    assert which.forward_calls <= 5
    assert any("budget" in c.detail for c in which.classes if not c.verdict)
    lifecycle.close_view(view)


def test_a_backward_returning_the_users_variables_is_read(shell, displayed):
    # A dezero Function's backward returns Variables (their .data is compared)
    shell.run_cell(WRONG_CUBE.replace("x ** 2 * gy", "dezero.Variable(x.data ** 2) * gy"))
    view, page = _page(shell, displayed, CUBE_RUN)
    text = _pressed(page)
    assert "Cube.backward — FAIL" in text
    lifecycle.close_view(view)


# The student's own dezero package (book step 23 on): their Cube in dezero/functions.py counts as
# dezero's own, so its forward runs in the cell's early check, and its backward is wrong.
PACKAGED_CUBE = """
class Cube(dezero.Function):
    __module__ = "dezero.functions"
    forwards = 0
    def forward(self, x):
        Cube.forwards += 1
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        return x ** 2 * gy          # the 3 is missing
"""


def test_the_early_check_leaves_which_backward_for_the_tab(shell, displayed, monkeypatch):
    # which_backward is bounded by calls, not time: the early check (at display) must not run it
    monkeypatch.setattr(gradients_tab, "EARLY_S", 60.0)    # the leaf check surely runs early
    shell.run_cell(PACKAGED_CUBE)
    cube = shell.user_ns["Cube"]
    assert shell.run_cell("%%dezero\n" + CUBE_RUN).success
    assert cube.forwards == 1
    view = dzw.view_for(displayed[-1])      # as displayed: the early check runs
    check, _ = displayed[-1].early_gradients
    assert [leaf.passed for leaf in check.leaves if leaf.label == "x"] == [False]
    assert check.which is None and check.which_pending
    assert cube.forwards == 1 + check.runs      # the leaf check's passes of the graph: none of Cube alone
    before = cube.forwards
    page = view.views["Gradients"]  # opened: now each backward alone
    text = " ".join(text_of(page.table.value).split())
    assert "Which backward is wrong" in text and "Cube.backward — FAIL" in text
    assert not page.check.which_pending
    assert before < cube.forwards <= before + page.check.which.forward_calls    # (Sin's and Sum's too)
    lifecycle.close_view(view)


def test_which_backward_left_for_a_tab_opened_after_the_graph_went_says_why(shell, displayed, monkeypatch):
    monkeypatch.setattr(gradients_tab, "EARLY_S", 60.0)
    shell.run_cell(PACKAGED_CUBE)
    assert shell.run_cell("%%dezero\n" + CUBE_RUN).success
    view = dzw.view_for(displayed[-1])
    assert displayed[-1].early_gradients[0].which_pending
    shell.run_cell("del y")           # a later cell, before the tab is opened
    gc.collect()
    text = " ".join(text_of(view.views["Gradients"].table.value).split())
    assert "Cube" not in text.split("Which backward is wrong")[1]
    assert "Not checked: the output of the last backward no longer exists" in text
    lifecycle.close_view(view)
