"""The Gradients view: the table's numbers, pass/FAIL, the plot, escaping."""
import base64
import re

from dezero_magic.widgets.gradients_tab import gradients_view
from test_numgrad import BUGGY_CUBE
from widget_html import run_traced, text_of


def _row(text, label):
    """The table row of `label`: the text after it up to the result."""
    match = re.search(rf"\s{re.escape(label)}\s+(.*?)\s(pass|FAIL)", text)
    assert match, text
    return match.group(1).split(), match.group(2)


def test_table_shows_analytic_and_numerical_grads(shell):
    view = gradients_view(run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()'))
    text = text_of(view.table.value)
    cells, result = _row(text, "x")
    assert cells[:3] == ["2", "12", "12"]        # value, analytic, numerical (6 significant digits)
    assert float(cells[3]) < 1e-6 and result == "pass"
    assert "The 1 checked leaf grad passes" in text


def test_buggy_backward_shows_fail(shell):
    view = gradients_view(run_traced(shell, BUGGY_CUBE))
    text = text_of(view.table.value)
    cells, result = _row(text, "x")
    assert cells[:3] == ["2", "4", "12"] and result == "FAIL"
    assert "The 1 checked leaf grad FAILS the check" in text


def test_without_backward_nothing_is_said_to_pass(shell):
    text = text_of(gradients_view(run_traced(shell, 'x = Variable(np.array(2.0), name="x")\n'
                                                    'z = F.sin(x)')).table.value)
    assert "Nothing to check: no backward ran in this cell" in text and "z.backward()" in text
    assert "pass" not in text.replace("Pass:", "")


def test_a_kink_is_not_reported_as_a_wrong_backward(shell):
    text = text_of(gradients_view(run_traced(shell, 'x = Variable(np.array(0.0), name="x")\n'
                                                    'y = F.relu(x)\ny.backward()')).table.value)
    assert "not differentiable here, not checked" in text
    assert "FAIL" not in text and "backward is wrong" not in text


def test_scalar_function_gets_a_plot(shell):
    view = gradients_view(run_traced(shell, 'x = Variable(np.array(0.5), name="x")\ny = F.sin(x)\ny.backward()'))
    html = view.plot.value
    png = base64.b64decode(re.search(r'base64,([^"]+)"', html).group(1))
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert "dezero.grad(create_graph=True)" in text_of(html)


def test_vector_leaves_get_no_plot_and_sampled_entries(shell):
    view = gradients_view(run_traced(shell, "x = Variable(np.linspace(0, 1, 100), name='x')\n"
                                            "y = F.sum(x * x)\ny.backward()"))
    assert view.plot is None
    text = text_of(view.table.value)
    assert "shape (100,)" in text and "16 of 100 entries checked" in text and "pass" in text


def test_gone_objects_say_why(shell):
    view = gradients_view(run_traced(shell, "(Variable(np.array(2.0)) ** 2).backward()\nprint('ok')"))
    assert "not available because" in text_of(view.table.value)
    assert view.plot is None


def test_names_are_escaped(shell):
    view = gradients_view(run_traced(shell, 'x = Variable(np.array(1.0), name="<img src=x>")\n'
                                            "y = x * 2\ny.backward()"))
    assert "<img src=x>" not in view.table.value
    assert "&lt;img src=x&gt;" in view.table.value
