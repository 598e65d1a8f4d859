"""The Memory tab's no_grad panel says when the cell cannot run under
no_grad (QA Q23-3): step 33's double backprop, whose grads no_grad never
makes, and any cell whose measured --modes re-run under no_grad raised; it
gave "Grads kept: gx" and byte figures as if the cell had finished."""
from dezero_magic.memory import MODE_LABELS, NO_GRAD, mode_figures, no_grad_stops
from dezero_magic.modes import INTERRUPTED, ModeResult
from dezero_magic.widgets.memory_tab import _no_grad_raised, memory_view
from widget_html import run_traced, text_of

STEP33 = """
x = Variable(np.array(2.0))
y = x ** 4 - 2 * x ** 2
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
gx.backward()
"""
PLAIN = "x = Variable(np.array(2.0))\ny = x * x\ny.backward()\n"


def _no_grad_panel(trace):
    view = memory_view(trace)
    view.modes.value = MODE_LABELS[NO_GRAD]
    return " ".join(text_of(view.figures.value).split())


def test_double_backprop_cannot_run_under_no_grad(shell):
    text = _no_grad_panel(run_traced(shell, STEP33))
    assert "Under no_grad this cell cannot run to its end" in text
    assert "y.backward(create_graph=True) reaches no variable" in text and "gx.backward() raises" in text
    assert "Grads kept" not in text and "bytes per category" not in text


def test_the_measured_error_is_quoted_when_modes_ran(shell):
    text = _no_grad_panel(run_traced(shell, STEP33, "--modes"))
    assert "cannot run to its end" in text
    assert "the run raised AttributeError" in text


def test_a_grad_backpropagated_without_create_graph_cannot_run_either(shell):
    text = _no_grad_panel(run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 4\ny.backward()\n"
                                            "gx = x.grad\nx.cleargrad()\ngx.backward()\n"))
    assert "cannot run to its end" in text and "gx.backward() raises" in text


def test_a_cell_that_runs_under_no_grad_keeps_its_figures(shell):
    text = _no_grad_panel(run_traced(shell, PLAIN, "--modes"))
    assert "Grads kept" in text and "cannot run" not in text
    figs = {f.mode: f for f in mode_figures(run_traced(shell, PLAIN).graph)}
    assert not any(f.cannot_run for f in figs.values())


def test_a_training_step_whose_no_grad_rerun_raised_is_told_so(shell):
    # under no_grad x.grad stays None: x.grad.data raises in the re-run only
    trace = run_traced(shell, PLAIN + "x.data -= 0.1 * x.grad.data\n", "--modes")
    text = _no_grad_panel(trace)
    assert "cannot run to its end" in text and "every grad stays None" in text
    assert "AttributeError" in text


def test_only_a_no_grad_failure_of_its_own_is_told():
    def results(default_error, no_grad_error):
        return [ModeResult("default", "d", error=default_error), ModeResult("no_grad", "n", error=no_grad_error)]

    class Trace:
        mode_results = None

    trace = Trace()
    assert _no_grad_raised(trace) is None
    trace.mode_results = results(None, "AttributeError: x")
    assert _no_grad_raised(trace) == "AttributeError: x"
    trace.mode_results = results("ValueError: y", "ValueError: y")   # the cell raises in every mode
    assert _no_grad_raised(trace) is None
    trace.mode_results = results(None, INTERRUPTED)
    assert _no_grad_raised(trace) is None


def test_the_reason_is_empty_without_cause():
    from dezero_magic.graph import Graph
    assert no_grad_stops(Graph()) == ""
    assert "raised KeyError: 'k'" in no_grad_stops(Graph(), "KeyError: 'k'")


def test_a_chain_of_dezero_grad_passes_keeps_its_no_grad_figures(shell):
    # (review V23-2: under no_grad dezero.grad returns zeros, so this cell runs to its end; the panel
    # said it could not and named y.backward(create_graph=True), which the cell never called)
    shell.run_cell("import dezero")
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 4\n"
                              "gx, = dezero.grad(y, [x], create_graph=True)\ngx2, = dezero.grad(gx, [x])\n")
    assert trace.graph.differentiated_passes and trace.graph.differentiated_by_grad
    [fig] = [f for f in mode_figures(trace.graph) if f.mode == NO_GRAD]
    assert fig.cannot_run == ""
