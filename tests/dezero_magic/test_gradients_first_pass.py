"""A higher-order cell (book steps 33-36): the Gradients tab also checks the first
derivative, the grad y.backward(create_graph=True) made, not only gx's graph
(`dezero_magic.first_pass`); a wrong first backward FAILs and is named."""
import re

from IPython.utils.capture import capture_output

import dezero_magic.widgets as dzw
from dezero_magic.widgets import lifecycle
from widget_html import text_of

CUBE = """
class Cube(dezero.Function):
    def forward(self, x):
        return x ** 3
    def backward(self, gy):
        x, = self.inputs
        return 3 * x ** 2 * gy
"""
WRONG_CUBE = CUBE.replace("3 * x ** 2 * gy", "3 * x * gy")   # the student forgot the square
SECOND_ORDER = """
x = Variable(np.array(2.0))
y = Cube()(x)
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
gx.backward()
"""
NEWTON = """
def f(x):
    return x ** 4 - 2 * x ** 2
x = Variable(np.array(2.0))
for i in range(3):
    y = f(x)
    x.cleargrad()
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    gx2 = x.grad
    x.data = x.data - gx.data / gx2.data
"""
TITLE = "First derivative (y.backward(create_graph=True))"


def _page(shell, displayed, cell):
    assert shell.run_cell("%%dezero\n" + cell).success
    view = dzw.view_for(displayed[-1])
    return view, view.views["Gradients"]


def _text(page, press=False):
    if press:
        assert page.run is not None      # Cube is the user's class: it runs when they ask
        with capture_output() as out:
            page.run.click()
        assert out.stdout == "" and out.stderr == ""
    return " ".join(text_of(page.table.value).split())


def test_a_wrong_first_backward_fails_though_gxs_graph_passes(shell, displayed):
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, SECOND_ORDER)
    assert "waits for the button" in _text(page)
    text = _text(page, press=True)
    assert shell.user_ns["gx"].data == 6.0                     # the cell ran as typed
    assert TITLE in text and "FAIL: gx = 6, dy/dx = 12" in text
    assert "The first derivative FAILS the check: gx is not dy/dx" in text
    assert "All 3 checked leaf grads pass" not in text
    assert "Cube.backward — FAIL: at x = 2: gave 6, expected 12" in text and "Look at Cube.backward" in text
    assert page.first.passed is False
    assert re.search(r'font-weight:bold">FAIL: gx = 6', page.table.value)      # in the warning style
    lifecycle.close_view(view)


def test_a_right_cube_passes_both_parts(shell, displayed):
    shell.run_cell(CUBE)
    view, page = _page(shell, displayed, SECOND_ORDER)
    text = _text(page, press=True)
    assert shell.user_ns["gx"].data == 12.0
    assert "All 3 checked leaf grads pass." in text
    assert TITLE in text and "pass: gx = 12, dy/dx = 12" in text
    assert "FAIL" not in text and "Which backward" not in text and page.first.passed is True
    lifecycle.close_view(view)


def test_dezeros_own_functions_are_checked_without_a_button(shell, displayed):
    view, page = _page(shell, displayed, SECOND_ORDER.replace("Cube()(x)", "x ** 3"))
    assert page.run is None
    text = _text(page)
    assert "pass: gx = 12, dy/dx = 12" in text and "FAIL" not in text
    lifecycle.close_view(view)


def test_newtons_method_says_the_first_derivative_was_not_checked(shell, displayed):
    # The last pair of passes is the one that counts; x changed since (Newton's step): not compared there.
    view, page = _page(shell, displayed, NEWTON)
    text = _text(page)
    assert TITLE in text and page.first is not None and page.first.passed is None
    assert "The first derivative was not checked, because x changed after the backward" in text, text
    assert "pass" not in text.split(TITLE)[1]
    lifecycle.close_view(view)


def test_newtons_method_at_the_point_checks_the_last_pair(shell, displayed):
    cell = NEWTON.replace("    x.data = x.data - gx.data / gx2.data\n", "")
    view, page = _page(shell, displayed, cell)
    text = _text(page)
    # f'(2) = 4 * 8 - 4 * 2 = 24
    assert "pass: gx = 24, dy/dx = 24" in text and page.first.passed is True
    lifecycle.close_view(view)


def test_one_plain_backward_shows_no_first_derivative_part(shell, displayed):
    shell.run_cell(WRONG_CUBE)
    view, page = _page(shell, displayed, "x = Variable(np.array(2.0))\ny = Cube()(x)\ny.backward()")
    text = _text(page, press=True)
    assert "First derivative" not in text and page.first is None
    assert "Cube.backward — FAIL" in text     # the leaf check finds it, as before
    lifecycle.close_view(view)


def test_a_chain_of_passes_says_what_was_not_checked(shell, displayed):
    cell = ("x = Variable(np.array(1.0))\ny = F.sin(x)\ny.backward(create_graph=True)\n"
            "for i in range(3):\n    gx = x.grad\n    x.cleargrad()\n    gx.backward(create_graph=True)\n")
    view, page = _page(shell, displayed, cell)
    text = _text(page)
    assert "Only gx's graph was checked" in text and "not a chain of them" in text
    lifecycle.close_view(view)



def test_the_graph_records_the_earlier_pass_and_where_it_started(shell, displayed):
    # (not the notes' wording: first_pass reads these fields)
    shell.run_cell(WRONG_CUBE)
    assert shell.run_cell("%%dezero\n" + SECOND_ORDER.replace("y = Cube()(x)\n", "a = x * 1.0\ny = Cube()(a)\n")).success
    graph = displayed[-1].graph
    assert graph.differentiated_passes == 1 and graph.variables[graph.differentiated_from].label == "y"
    assert shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\ny = x ** 3\ny.backward()\ny.backward()").success
    assert displayed[-1].graph.differentiated_passes == 0 and displayed[-1].graph.differentiated_from == ""


def test_a_students_right_second_derivative_is_checked_on_gx_not_failed_against_y(shell, displayed):
    # Their graph has two ends, y and gx; the check took y (made first) and failed a right
    # Cube at x = 3 (x.grad 18 = d(gx)/dx against dy/dx = 27).
    from student_code_higher import STEP33

    shell.run_cell(STEP33 + CUBE.replace("dezero.Function", "Function").replace("x ** 2", "x * x"))
    view, page = _page(shell, displayed, SECOND_ORDER.replace("2.0", "3.0"))
    assert float(shell.user_ns["gx"].data) == 27.0 and float(shell.user_ns["x"].grad.data) == 18.0
    text = _text(page, press=True)
    assert "Grads of gx with respect to the leaf variables" in text, text
    assert re.search(r"x 3 18 18 \S+ pass", text) and "FAIL" not in text, text
    lifecycle.close_view(view)


def test_step_36_checks_gx_the_grad_y_left_not_z_where_the_last_pass_started(shell, displayed):
    # z = gx ** 3 + y is no grad: the grad y.backward(create_graph=True) left on x is gx = 4 = dy/dx.
    view, page = _page(shell, displayed, "x = Variable(np.array(2.0))\ny = x ** 2\ny.backward(create_graph=True)\n"
                                         "gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()")
    text = _text(page)
    assert "pass: gx = 4, dy/dx = 4" in text and page.first.passed is True, text
    assert "z differs" not in text and "Only z's graph" not in text
    lifecycle.close_view(view)


def test_a_grad_is_compared_with_the_derivative_for_its_own_leaf(shell, displayed):
    # Cube.backward forgot the 3: gx = x.grad = 8, dy/dx = 24; dy/dw is 8 too and must not make it pass.
    shell.run_cell(WRONG_CUBE.replace("3 * x * gy", "x ** 2 * gy"))
    view, page = _page(shell, displayed, "x = Variable(np.array(2.0))\nw = Variable(np.array(2.0))\n"
                                         "y = Cube()(x) * w\ny.backward(create_graph=True)\ngx = x.grad\n"
                                         "x.cleargrad()\nw.cleargrad()\ngx.backward()")
    text = _text(page, press=True)
    assert "FAIL: gx = 8, dy/dx = 24" in text and page.first.passed is False, text
    assert "Look at Cube.backward" in text
    lifecycle.close_view(view)



def test_the_first_derivative_is_checked_with_the_cell_not_when_the_tab_opens(shell, displayed, monkeypatch):
    # After Run All a later cell has rebound x, y and gx: the tab, opened then, still has a verdict.
    from dezero_magic.widgets import gradients_tab

    monkeypatch.setattr(gradients_tab, "EARLY_S", 60.0)    # the early check surely runs (a busy machine)
    assert shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\ny = x ** 4 - 2 * x ** 2\n"
                          "y.backward(create_graph=True)\ngx = x.grad\nx.cleargrad()\ngx.backward()").success
    trace = displayed[-1]
    view = dzw.view_for(trace)          # as displayed: the early checks run
    shell.run_cell("x = y = gx = None")
    text = _text(view.views["Gradients"])
    assert "pass: gx = 24, dy/dx = 24" in text and "no longer exists" not in text, text
    lifecycle.close_view(view)


def test_a_first_derivative_near_0_says_its_pass_is_owed_to_atol(shell, displayed):
    # (QA Q21-7 for this block) "pass ... (relative error 2.5e-01)" read as a pass of a wrong grad.
    view, page = _page(shell, displayed, "x = Variable(np.array(1.0001))\ny = (x - 1) ** 3\n"
                                         "y.backward(create_graph=True)\ngx = x.grad\nx.cleargrad()\ngx.backward()")
    text = _text(page)
    assert page.first.passed and page.first.within_atol is not None, text
    assert re.search(r"pass: gx = \S+, dy/dx = \S+ \(relative error \S+\), a difference of \S+ within atol "
                     r"1e-5: a grad near 0\.", text), text
    lifecycle.close_view(view)
