"""The widget view must not change what a %%dezero cell did: what it printed,
a model's state, the random numbers later cells draw, a list the user's code
appends to. Each cell runs plain and as %%dezero, displayed as a kernel
displays it (`_repr_mimebundle_`, which builds the view), its tabs opened;
the user's own code runs again only when they ask (a button, the switch)."""
import random

import numpy as np
from IPython.utils.capture import capture_output

import dezero_magic.widgets as dzw
from dezero_magic.widgets import lifecycle
from student_code import DIAMOND_RUN, STEP17
from widget_html import text_of

MY_SIN = """
import dezero.layers as L
from dezero import Function
calls = []
class MySin(Function):
    def forward(self, x):
        print('forward called with', x)
        calls.append('forward')
        return np.sin(x)
    def backward(self, gy):
        print('backward called')
        calls.append('backward')
        x, = self.inputs
        return gy * F.cos(x)
"""
MY_SIN_CELL = "x = Variable(np.array(1.0))\ny = MySin()(x)\ny.backward()"


def _displayed_and_opened(shell, displayed, cell, flags=""):
    """Run `%%dezero` + cell, display it as a kernel does, open every tab; (what was printed, view)."""
    with capture_output() as out:
        assert shell.run_cell(f"%%dezero {flags}\n{cell}").success
        trace = displayed[-1]
        trace._repr_mimebundle_()              # the kernel formats what the magic displayed
        view = dzw.view_for(trace)             # the same view, to open its tabs
        for index in range(len(view.titles)):
            view.selected_index = index
    return out.stdout + out.stderr, view


def _plain(shell, cell):
    with capture_output() as out:
        assert shell.run_cell(cell).success
    return out.stdout + out.stderr


def test_a_printing_function_subclass_prints_what_a_plain_cell_prints(shell, displayed):
    shell.run_cell(MY_SIN)
    plain = _plain(shell, MY_SIN_CELL)
    calls_plain = list(shell.user_ns["calls"])
    shell.user_ns["calls"].clear()
    printed, view = _displayed_and_opened(shell, displayed, MY_SIN_CELL)
    assert printed.count("forward called") == plain.count("forward called") == 1      # was 129
    assert printed.count("backward called") == plain.count("backward called") == 1
    assert shell.user_ns["calls"] == calls_plain == ["forward", "backward"]
    lifecycle.close_view(view)


def test_the_gradients_button_runs_their_forward_when_asked_and_hides_its_prints(shell, displayed):
    shell.run_cell(MY_SIN)
    _, view = _displayed_and_opened(shell, displayed, MY_SIN_CELL)
    page = view.views["Gradients"]
    # ("about": an estimate, the plot adds a few)
    assert page.run is not None and page.run.description.startswith("check by running your forward again (about ")
    offered = text_of(page.table.value) + " ".join(text_of(w.value) for w in page.children[2:])
    assert page.children[1] is page.run and page.run.style.font_size == "16px"   # its own row, projector type
    assert "MySin" in offered and "prints then is hidden" in offered and "a list it appends to" in offered
    before = len(shell.user_ns["calls"])
    with capture_output() as out:
        page.run.click()
    assert out.stdout == "" and out.stderr == ""
    ran = shell.user_ns["calls"][before:]
    assert ran and set(ran) == {"forward"}                     # their forward only, not their backward
    text = text_of(page.table.value)
    assert "The 1 checked leaf grad passes" in text
    assert f"your forward ran again in {len(ran)} passes of the graph (counted)" in text   # one MySin a pass
    assert f"what it printed ({len(ran)} lines) was hidden" in text
    assert page.plot is not None and page.run is None
    lifecycle.close_view(view)


def test_batchnorm_running_stats_are_those_of_a_plain_run(shell, displayed):
    shell.run_cell("import dezero.layers as L")
    cell = ("np.random.seed(0)\nbn = L.BatchNorm()\nx = Variable(np.random.randn(8, 3) * 2 + 5)\n"
            "y = F.sum(bn(x))\ny.backward()")
    _plain(shell, cell)
    plain = shell.user_ns["bn"].avg_mean.data.copy(), shell.user_ns["bn"].avg_var.data.copy()
    _, view = _displayed_and_opened(shell, displayed, cell)
    bn = shell.user_ns["bn"]
    np.testing.assert_array_equal(bn.avg_mean.data, plain[0])       # was [6.80 5.92 4.54]
    np.testing.assert_array_equal(bn.avg_var.data, plain[1])
    assert "checked leaf grad" in text_of(view.views["Gradients"].table.value)   # dezero's own: checked at once
    lifecycle.close_view(view)


def test_random_state_after_the_view_is_that_of_a_plain_run(shell, displayed):
    # dropout draws its mask in the cell; a student's noisy Function would draw again when re-run
    shell.run_cell("import random\nfrom dezero import Function\nclass Noisy(Function):\n"
                   "    def forward(self, x):\n        return x + 0 * np.random.randn() + 0 * random.random()\n"
                   "    def backward(self, gy):\n        return gy\n")
    cell = ("np.random.seed(3)\nrandom.seed(3)\nx = Variable(np.random.randn(5))\n"
            "y = F.sum(Noisy()(F.dropout(x, 0.5)) * x)\ny.backward()")
    _plain(shell, cell)
    after_plain = np.random.get_state()[1].copy(), random.getstate()
    _, view = _displayed_and_opened(shell, displayed, cell)
    np.testing.assert_array_equal(np.random.get_state()[1], after_plain[0])
    assert random.getstate() == after_plain[1]
    view.views["Gradients"].run.click()                          # asked: their forward draws, then restored
    view.views["Backward"].mode.value = "book"
    np.testing.assert_array_equal(np.random.get_state()[1], after_plain[0])
    assert random.getstate() == after_plain[1]
    lifecycle.close_view(view)


def test_a_students_backward_runs_again_only_when_the_switch_asks(shell, displayed):
    appending = STEP17.replace("    def backward(self, gy):\n        return 2 * self.inputs[0].data * gy",
                               "    def backward(self, gy):\n        print('Square.backward')\n"
                               "        log.append(1)\n        return 2 * self.inputs[0].data * gy")
    assert appending != STEP17
    shell.run_cell("log = []\n" + appending + "GENERATIONS = True\n")
    plain = _plain(shell, DIAMOND_RUN)
    shell.user_ns["log"].clear()
    printed, view = _displayed_and_opened(shell, displayed, DIAMOND_RUN)
    assert printed.count("Square.backward") == plain.count("Square.backward") == 3     # was 3 times more
    assert len(shell.user_ns["log"]) == 3                                           # was 9
    back = view.views["Backward"]
    said = text_of(back.comparison.value)
    assert "calls the backward methods of your own classes (" in said and "Square" in said
    assert "what they print is hidden, but other effects of your code (a list it appends to, say) happen" in said
    with capture_output() as out:
        back.mode.value = "book"                                   # the user asks for the replay
    assert out.stdout == ""
    assert len(shell.user_ns["log"]) > 3                           # their code ran again, as said
    comparison = text_of(back.comparison.value)
    assert "96" in comparison and "64" in comparison                # the step-15 lesson, replayed
    assert "the backward of your own classes ran again" in comparison and "a list it appends to" in comparison
    lifecycle.close_view(view)


def test_dezeros_own_graph_is_still_replayed_and_checked_with_the_cell(shell, displayed):
    # the tour's cells: nothing of the user's runs, so nothing waits for a click
    _, view = _displayed_and_opened(shell, displayed, "x = Variable(np.array(2.0), name='x')\na = F.square(x)\n"
                                                      "y = F.square(a) + F.square(a)\ny.backward()")
    trace = displayed[-1]
    assert trace.early_replay is not None and trace.early_replay.book_grads is not None
    page = view.views["Gradients"]
    assert page.run is None and "The 1 checked leaf grad passes" in text_of(page.table.value)
    lifecycle.close_view(view)


def test_the_offer_and_its_answer_leave_no_widget_models_open(shell, displayed):
    from ipywidgets.widgets.widget import _instances

    shell.run_cell(MY_SIN)
    assert shell.run_cell("%%dezero\n" + MY_SIN_CELL).success
    before = set(_instances)
    view = dzw.view_for(displayed[-1])
    view.selected_index = list(view.titles).index("Gradients")
    view.views["Gradients"].run.click()             # the offer's widgets are replaced, and closed
    lifecycle.close_view(view)
    assert not set(_instances) - before, "the Gradients offer left widget models open"


def test_a_gone_graph_is_said_to_be_gone_without_a_claim_that_code_ran(shell, displayed):
    # A later cell rebinds y before the button is pressed. The offer holds no
    # reference (step 17's lesson: y is freed when rebound), so it says so upfront,
    # and after: it said "ran again in 0 passes ... other effects happened again".
    import gc

    shell.run_cell(MY_SIN)
    _, view = _displayed_and_opened(shell, displayed, MY_SIN_CELL)
    page = view.views["Gradients"]
    beside = " ".join(text_of(w.value) for w in page.children[2:])
    assert "It needs y to still exist: press it before a later cell rebinds y." in beside
    shell.run_cell("y = None")
    gc.collect()
    page.run.click()
    text = text_of(page.table.value)
    assert "no longer exists" in text and "run the cell again to check it" in text
    assert "ran again in" not in text and "happened again" not in text and "gx = x.grad`)" not in text
    lifecycle.close_view(view)
