"""QA V22: a third-order cell (gx2.backward(create_graph=True)) had its Gradients tab say
"Only gx's graph was checked, not whether gx is the first derivative of gx" and ask "Is gx,
the grad gx.backward(create_graph=True) left on x ...": the grad that pass left is gx2."""
import re

from dezero_magic.widgets.gradients_tab import gradients_view
from widget_html import run_traced, text_of

THIRD = """
x = Variable(np.array(1.0), name='x')
t = F.sin(x); y = t * t
y.backward(create_graph=True)
gx = x.grad; x.cleargrad()
gx.backward(create_graph=True)
gx2 = x.grad; x.cleargrad()
gx2.backward(create_graph=True)
gx3 = x.grad
"""


def _said(widget):
    parts = []

    def walk(w):
        value = getattr(w, "value", None)
        if isinstance(value, str):
            parts.append(value)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(widget)
    return " ".join(text_of(re.sub(r"<style.*?</style>", " ", " ".join(parts), flags=re.S)).split())


def test_a_third_order_cell_names_the_grad_the_earlier_pass_left(shell):
    said = _said(gradients_view(run_traced(shell, THIRD)))
    assert "Only gx2's graph was checked, not whether gx2 is dgx/dx" in said, said
    assert "Is gx2, the grad gx.backward(create_graph=True) left on x, really dgx/dx?" in said
    assert "first derivative of gx" not in said and "Is gx, the grad" not in said
