"""QA L22-A: after Run All, notebook 04's Mul cell (the user's own class) had its Gradients tab
offer "check by running your forward again" although a later cell had rebound y: pressing only
said the check was not available. The tab, built after that, says so at once; the book-steps
switch names the output that is gone."""
import gc
import re

from dezero_magic.widgets.backward_tab import BOOK, BackwardView
from dezero_magic.widgets.gradients_tab import gradients_view
from widget_html import run_traced, text_of

OWN = """class Mul(dezero.Function):
    def forward(self, x0, x1):
        return x0 * x1
    def backward(self, gy):
        x0, x1 = self.inputs
        return gy * x1, gy * x0
a = Variable(np.array(3.0), name='a')
b = Variable(np.array(2.0), name='b')
y = Mul()(a, b)
y.backward()
"""


def _squeezed(fragment):
    return " ".join(text_of(re.sub(r"<style.*?</style>", " ", fragment, flags=re.S)).split())


def test_no_offer_once_a_later_cell_rebound_the_output(shell):
    trace = run_traced(shell, OWN)
    shell.run_cell("y = Variable(np.array(1.0))")   # a later cell (notebook 04's step 22)
    gc.collect()
    view = gradients_view(trace)                     # the tab opened now (it is made lazily)
    assert view.run is None, "button offered although y is already gone"
    text = _squeezed(view.table.value)
    assert "Numerical gradients are not available because the output of the last backward no longer exists" in text
    assert "check by running your forward again" not in text


def test_the_offer_stays_while_the_output_lives(shell):
    view = gradients_view(run_traced(shell, OWN))
    assert view.run is not None and view.run.description.startswith("check by running your forward again")
    view.run.click()
    assert "All 2 checked leaf grads pass." in _squeezed(view.table.value)


def test_the_book_switch_names_the_output_that_is_gone(shell):
    trace = run_traced(shell, OWN)
    shell.run_cell("y = Variable(np.array(1.0))")
    gc.collect()
    view = BackwardView(trace)
    view.mode.value = BOOK
    assert ("Grads: the output y that this graph was recorded from no longer exists (the name y was bound to "
            "something else since, by a later cell, or deleted), so only the order is shown; run this cell "
            "again to see the grads") in _squeezed(view.info.value), _squeezed(view.info.value)
