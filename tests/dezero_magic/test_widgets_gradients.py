"""The Gradients view: the table's numbers, pass/FAIL, the plot, escaping, built when opened."""
import base64
import re

import numpy as np

import dezero_magic.widgets as dzw
from dezero_magic.widgets import gradients_tab, lifecycle
from dezero_magic.widgets.gradients_tab import gradients_view
from test_numgrad import BUGGY_CUBE, RELU_MLP_ON_ITS_KINKS, WRONG_THROUGH_RELU
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
    assert float(cells[3].replace("\u2011", "-")) < 1e-6 and result == "pass"
    assert "\u2011" in cells[3]     # (a non-breaking hyphen: "1.05e-" / "08" wrapped apart at 1024 px)
    assert "The 1 checked leaf grad passes" in text


def _asked(trace):
    """The view of a graph with the test's own classes, its button pressed (the check runs their forward)."""
    view = gradients_view(trace)
    view.run.click()
    return view


def test_buggy_backward_shows_fail(shell):
    view = _asked(run_traced(shell, BUGGY_CUBE))
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


def _open_gradients(view):
    view.selected_index = list(view.titles).index("Gradients")   # what a click on the tab does
    return view.views["Gradients"]


def _counted(monkeypatch):
    calls = []
    real = gradients_tab.check_gradients
    monkeypatch.setattr(gradients_tab, "check_gradients",
                        lambda trace, **kw: calls.append(trace) or real(trace, **kw))
    return calls


def test_a_cheap_check_is_made_with_the_cell_and_survives_later_cells(shell, monkeypatch):
    # A lecturer goes back to an earlier cell's Gradients tab after later cells
    # rebound x and y: the check was made while they were alive.
    calls = _counted(monkeypatch)
    trace = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()')
    view = dzw.view_for(trace)            # the cell displayed its view
    assert calls == [trace] and "Gradients" not in view._built
    shell.run_cell("x = y = None")
    page = _open_gradients(view)
    assert calls == [trace]               # not checked again
    assert "The 1 checked leaf grad passes" in text_of(page.table.value)
    assert page.plot is not None          # the f, f', f'' plot was made then too
    view.selected_index = 0
    view.selected_index = list(view.titles).index("Gradients")
    assert calls == [trace]               # built once
    lifecycle.close_view(view)


def test_a_costly_check_waits_for_the_tab(shell, monkeypatch):
    # (a CNN's check takes ~1 s: no cell pays it unless its tab is opened)
    monkeypatch.setattr(gradients_tab, "EARLY_S", 0.0)
    calls = _counted(monkeypatch)
    trace = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()')
    view = dzw.view_for(trace)
    assert calls == [trace] and trace.early_gradients is None     # measured, found costly, deferred
    page = _open_gradients(view)
    assert calls == [trace, trace]
    assert view._boxes["Gradients"].children == (page, view.caption)
    assert "The 1 checked leaf grad passes" in text_of(page.table.value)
    lifecycle.close_view(view)


def test_a_deferred_tab_opened_after_x_changed_says_so_rather_than_fail(shell, monkeypatch):
    monkeypatch.setattr(gradients_tab, "EARLY_S", 0.0)
    view = dzw.view_for(run_traced(shell, "x = Variable(np.ones(5), name='x')\ny = F.sum(F.exp(x))\n"
                                          "y.backward()"))
    shell.run_cell("x.data += 1.0")       # a later cell, before anyone opened the tab
    text = text_of(_open_gradients(view).table.value)
    assert "does not reproduce the output" in text and "changed since the graph was recorded" in text
    assert "FAIL" not in text
    lifecycle.close_view(view)


def test_a_deferred_tab_opened_after_a_second_backward_does_not_fail(shell, monkeypatch):
    monkeypatch.setattr(gradients_tab, "EARLY_S", 0.0)
    view = dzw.view_for(run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()'))
    shell.run_cell("y.backward()")        # x.grad is 24 now: the book's step 14
    text = text_of(_open_gradients(view).table.value)
    assert "grad changed since the graph was recorded" in text and "FAIL" not in text
    lifecycle.close_view(view)


def test_a_training_cell_says_what_changed_the_data(shell):
    shell.run_cell("from dezero.models import MLP\nfrom dezero import optimizers")
    trace = run_traced(shell, "np.random.seed(0)\nmodel = MLP((10, 3))\nopt = optimizers.SGD(1.0).setup(model)\n"
                              "x = np.random.randn(4, 2)\nfor i in range(3):\n"
                              "    loss = F.softmax_cross_entropy(model(x), np.array([0, 1, 2, 0]))\n"
                              "    model.cleargrads()\n    loss.backward()\n    opt.update()\n")
    text = text_of(gradients_view(trace).table.value)
    assert "changed after the drawn forward used them (" in text and "an optimizer step, say" in text
    assert "after the cell" not in text


def test_relus_on_their_kink_are_not_reported_as_a_wrong_backward(shell):
    text = text_of(gradients_view(run_traced(shell, RELU_MLP_ON_ITS_KINKS)).table.value)
    assert "FAIL" not in text and "backward is wrong" not in text
    assert "not differentiable here, not checked" in text        # b: every entry on a kink
    assert "a max-pooling tie), the slopes from left and right differ" in text
    assert re.search(r"All \d checked leaf grads pass", text)


def test_a_wrong_backward_through_relus_shows_fail(shell):
    text = text_of(_asked(run_traced(shell, WRONG_THROUGH_RELU)).table.value)
    assert _row(text, "x")[1] == "FAIL" and _row(text, "W")[1] == "pass"
    assert "1 of 3 checked leaf grads FAIL the check" in text    # x, W and the constant 2.0


def test_when_some_entries_are_checked_both_columns_show_the_same_entries():
    from dezero_magic.numgrad import LeafGrad
    from dezero_magic.widgets.gradients_tab import _analytic, _numerical

    analytic = np.arange(100.0)
    numerical = np.full(100, np.nan)
    numerical[[10, 40, 70]] = [10.0, 40.0, 70.0]
    leaf = LeafGrad(var_id="v0", label="x", value=np.zeros(100), analytic=analytic, numerical=numerical,
                    checked=3, size=100)
    # with their indices: the value column's first elements are other entries (QA: a sign error read in)
    assert _analytic(leaf) == _numerical(leaf) == "[10]\u00a010, [40]\u00a040, [70]\u00a070 …"   # (U+00A0: never apart)
    whole = LeafGrad(var_id="v0", label="x", value=np.zeros(2), analytic=np.array([1.0, 2.0]),
                     numerical=np.array([1.0, 2.0]), checked=2, size=2)
    assert _analytic(whole) == _numerical(whole) == "shape (2,): [1 2]"


def _png_size(png):
    import struct

    return struct.unpack(">II", png[16:24])  # IHDR: width, height


def test_curves_whose_scales_differ_get_a_panel_each_framed_near_the_point():
    import numpy as np

    from dezero_magic.widgets.plots import curves_layout, curves_png, framed, ranges_differ

    xs = np.linspace(-1.5, 2.5, 61)
    steep = {0: np.exp(2 * xs ** 2), 1: 4 * xs * np.exp(2 * xs ** 2), 3: 1e3 * xs ** 3 * np.exp(2 * xs ** 2)}
    gentle = {0: np.sin(xs) * xs, 1: np.sin(xs) + xs * np.cos(xs)}
    names = {0: "f(x)", 1: "f'(x)", 2: "f''(x)", 3: "f'''(x)"}
    assert ranges_differ(xs, list(steep.values()), 0.5)
    assert not ranges_differ(xs, list(gentle.values()), 0.5)
    low, high = framed(xs, [steep[0]], 0.5)
    assert low < np.exp(0.5) < high < np.exp(2 * 2.5 ** 2) / 100  # f at the point is inside, the far end cut
    assert framed(xs, [gentle[0]], 0.5) is None
    assert curves_layout(xs, list(steep.values()), 0.5) == (True, True)
    assert curves_layout(xs, list(gentle.values()), 0.5) == (False, False)
    # one shared axis, framed because of the curve that grows far away
    shared = [xs, xs + 1e-3 * np.exp(4 * xs ** 2)]
    assert curves_layout(xs, shared, 0.5) == (False, True)
    one = _png_size(curves_png(xs, gentle, 0.5, names, "t"))
    panels = _png_size(curves_png(xs, steep, 0.5, names, "t"))
    assert one[0] == panels[0] and panels[1] > 1.3 * one[1]  # three panels stacked


def test_the_plot_caption_says_when_it_uses_panels(shell, displayed):
    from dezero_magic.numgrad import derivative_curves
    from dezero_magic.widgets.gradients_tab import plot_html

    steep = run_traced(shell, "x = Variable(np.array(0.5), name='x')\ny = F.square(F.exp(F.square(x)))\n"
                              "y.backward()")
    text = text_of(plot_html(derivative_curves(steep)))
    assert "one panel each" in text and "leaves the frame" in text
    gentle = run_traced(shell, "x = Variable(np.array(0.5), name='x')\ny = F.sin(x) * x\ny.backward()")
    text = text_of(plot_html(derivative_curves(gentle)))
    assert "one panel each" not in text and "leaves the frame" not in text


def test_named_leaves_come_first_and_constants_say_they_have_no_name(shell, displayed):
    t = run_traced(shell, "y_ = Variable(np.array(1.0), name='y_')\nx = Variable(np.array(2.0), name='x')\n"
                          "z = 3.0 * x ** 2 + 5.0 * y_\nz.backward()")
    html = gradients_tab.table_html(gradients_tab.check_gradients(t))
    rows = re.findall(r"<tr>(.*?)</tr>", html)[1:]
    firsts = [text_of(re.findall(r"<td[^>]*>(.*?)</td>", r)[0]).strip() for r in rows]
    assert set(firsts[:2]) == {"y_", "x"} and len(firsts) == 4
    assert all(re.fullmatch(r"unnamed \(v\d+\)", f) for f in firsts[2:]), firsts   # as the other tabs say it


def _shown_with_the_cell(shell, code):
    """The Gradients page of the view the cell displays, opened, and the check's own warnings."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = dzw.view_for(run_traced(shell, code))
        page = _open_gradients(view)
    ours = [f"{w.filename}: {w.message}" for w in caught if "dezero_magic" in w.filename]
    lifecycle.close_view(view)
    return page, ours


def test_complex_data_says_so_and_prints_no_warning(shell, displayed):
    page, warned = _shown_with_the_cell(shell, "x = Variable(np.array([1+2j, 3j]), name='x')\n"
                                               "y = F.sum(x * x)\ny.backward()")
    text = text_of(page.table.value)
    assert warned == []                                           # was a ComplexWarning from numgrad
    assert "not checked: complex data" in text
    assert "does not reproduce the output" not in text and "random" not in text


def test_an_inf_input_is_not_called_a_kink(shell, displayed):
    page, _ = _shown_with_the_cell(shell, "x = Variable(np.array([np.inf, 1.0]), name='x')\n"
                                          "y = F.sum(F.exp(x) * x)\ny.backward()")
    text = text_of(page.table.value)
    assert "not checked: this input is NaN/Inf (1 of 2 entries) and f is NaN/Inf at this point, so no " \
           "numerical gradient is possible" in text
    assert "Nothing was checked: f is NaN/Inf at this point" in text
    assert "kink" not in text and "not differentiable" not in text and "slopes" not in text


def test_a_nan_input_gets_no_slopes_no_plot_and_no_false_reason(shell, displayed):
    page, _ = _shown_with_the_cell(shell, "x = Variable(np.array(np.nan), name='x')\n"
                                          "y = F.sum(F.exp(x) * x)\ny.backward()")
    text = text_of(page.table.value)
    assert "no numerical gradient is possible" in text and "slope from the left" not in text
    assert page.plot is None                                     # was a plot "on [nan, nan]"
    assert "cannot differentiate twice" not in text


def test_every_entry_nan_within_h_is_summed_up_as_such(shell, displayed):
    text = text_of(gradients_view(run_traced(shell, "x = Variable(np.array(2e-5), name='x')\ny = F.log(x)\n"
                                                    "y.backward()")).table.value)
    assert "not checked: f is NaN/Inf within h of this point" in text and "not differentiable" not in text
    assert "Nothing was checked: f or the input is NaN/Inf at the point or within h of it" in text


def test_a_sampled_entry_with_a_nan_difference_still_shows_a_value():
    from dezero_magic.numgrad import LeafGrad
    from dezero_magic.widgets.gradients_tab import _numerical

    leaf = LeafGrad(var_id="v0", label="x", value=np.array(2e-5), analytic=np.array(5e4),
                    numerical=np.array(np.nan), checked=0, size=1, nonfinite=1)
    assert _numerical(leaf) == "nan"                              # was "entries  …"
