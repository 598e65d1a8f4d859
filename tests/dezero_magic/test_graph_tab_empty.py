"""The Graph tab of a cell that recorded no graph: the reason, not toggles,
an empty node picker and a blank drawing (QA lecturer 5, second half)."""
from dezero_magic.widgets.graph_tab import GraphView

from widget_html import text_of


def test_a_creatorless_students_cell_says_why_in_the_graph_tab(shell, displayed):
    shell.run_cell("class Variable:\n    def __init__(self, data):\n        self.data = data\n"
                   "        self.grad = None\n")
    assert shell.run_cell("%%dezero -o _t\nx = Variable(np.array(0.5))\ny = Variable(x.data ** 2)").success
    view = GraphView(shell.user_ns["_t"])
    assert view.children == (view.figure,)
    said = text_of(view.figure.value).strip()
    assert said.startswith("Your Variable objects x, y have no `creator` attribute yet"), said
    assert "<svg" not in view.figure.value


def test_a_cell_without_dezero_says_nothing_was_recorded(shell, displayed):
    assert shell.run_cell("%%dezero -o _t\nz = 1 + 2").success
    view = GraphView(shell.user_ns["_t"])
    assert view.children == (view.figure,)
    caption = shell.user_ns["_t"].caption()
    assert caption.startswith("No dezero computation was recorded") and text_of(view.figure.value).strip() == caption


def test_a_graph_keeps_its_toggles_and_picker(shell, displayed):
    assert shell.run_cell("%%dezero -o _t\nx = Variable(np.array(0.5))\ny = F.exp(x)").success
    view = GraphView(shell.user_ns["_t"])
    assert view.bar in view.children and "<svg" in view.figure.value
