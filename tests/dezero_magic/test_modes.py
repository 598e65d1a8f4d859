"""`%%dezero --modes`: one measured run per memory mode, Config and tracemalloc restored."""
import tracemalloc

import numpy as np
import pytest

from dezero.config import Config
from dezero_magic.modes import MODES, measure_modes

CELL = """%%dezero --modes -o _t
x = Variable(np.ones(20_000), name="x")
y = F.sum(F.square(F.square(F.square(x))))
y.backward()
"""


def _by_mode(results):
    return {r.mode: r for r in results}


def test_modes_measure_each_mode_and_retain_grad_keeps_more(shell):
    result = shell.run_cell(CELL)
    assert result.success, result.error_in_exec
    trace = shell.user_ns["_t"]
    results = _by_mode(trace.mode_results)
    assert list(results) == [key for key, _, _ in MODES]
    for r in results.values():
        assert r.ok, r.error
        assert r.peak_bytes >= r.retained_bytes >= 0
    # retain_grad=True keeps the 160 kB grads of the two inner squares (the
    # grad of Sum's input is a broadcast view, x's grad is kept in both modes).
    default, retain = results["default"].retained_bytes, results["retain_grad"].retained_bytes
    assert retain - default > 1.8 * 160_000, (default, retain)
    # no_grad keeps neither the graph's arrays nor grads: x and y only.
    assert results["no_grad"].retained_bytes < default
    assert results["default"].peak_bytes > 160_000 * 3


def test_modes_keep_the_cells_own_results_and_restore_config(shell):
    before = (Config.enable_backprop, Config.retain_grad, Config.train)
    assert shell.run_cell(CELL).success
    assert (Config.enable_backprop, Config.retain_grad, Config.train) == before
    assert not tracemalloc.is_tracing()
    # The names hold what the traced run made, not the no_grad re-run's objects.
    x, y = shell.user_ns["x"], shell.user_ns["y"]
    assert y.creator is not None
    np.testing.assert_allclose(x.grad.data, 8 * np.ones(20_000))
    assert shell.user_ns["_t"].output_refs[0]() is y


def test_an_exception_in_a_rerun_is_recorded_not_raised(shell):
    # Under no_grad, y has no creator, so x.grad stays None and the print raises.
    cell = ("%%dezero --modes -o _t\n"
            "x = Variable(np.array(3.0))\n"
            "y = x * x\n"
            "y.backward()\n"
            "print(x.grad.data)\n")
    result = shell.run_cell(cell)
    assert result.success, result.error_in_exec
    results = _by_mode(shell.user_ns["_t"].mode_results)
    assert results["default"].ok and results["retain_grad"].ok
    assert not results["no_grad"].ok
    assert results["no_grad"].error.startswith("AttributeError")
    assert results["no_grad"].peak_bytes is None
    assert Config.enable_backprop is True


def test_a_users_own_tracing_keeps_running():
    tracemalloc.start()
    try:
        results = measure_modes(lambda: [bytearray(50_000)])
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()
    assert all(r.retained_bytes >= 50_000 for r in results)


def test_config_restored_when_the_body_is_interrupted():
    def body():
        raise KeyboardInterrupt

    results = measure_modes(body)
    assert not any(r.ok for r in results) and all("interrupted" in r.error for r in results)
    assert Config.enable_backprop is True and Config.retain_grad is False
    assert not tracemalloc.is_tracing()


def test_stop_pressed_during_the_reruns_still_shows_the_cells_graph(shell):
    # The cell's own run is the first; a re-run is interrupted (Stop pressed).
    shell.user_ns["_runs"] = [0]
    result = shell.run_cell("%%dezero --modes -o _t\n_runs[0] += 1\nx = Variable(np.array(2.0))\n"
                            "y = F.exp(x)\ny.backward()\nif _runs[0] == 2:\n    raise KeyboardInterrupt")
    assert result.success, result.error_in_exec
    trace = shell.user_ns["_t"]
    assert len(trace.graph.functions) == 1
    assert [r.ok for r in trace.mode_results] == [False, False, False]
    assert "interrupted" in trace.text()


def test_run_body_must_be_callable():
    with pytest.raises(TypeError, match="callable"):
        measure_modes("x = 1")


def _static_modes_bundle(shell, body):
    from IPython.utils.capture import capture_output

    with capture_output(display=True) as cap:
        assert shell.run_cell("%%dezero --static --modes\n" + body).success
    return cap.outputs[-1].data


def test_static_view_shows_the_measurements(shell):
    # --static has no Memory tab: the measured table goes into text/plain and text/html.
    data = _static_modes_bundle(shell, "x = Variable(np.ones(1000), name='x')\ny = F.sum(F.exp(x))\n"
                                       "y.backward()\nprint(x.grad.data[0] if x.grad is not None else '<none>')\n")
    text, html = data["text/plain"], data["text/html"]
    assert "memory per mode, measured (tracemalloc)" in text
    for _, label, _ in MODES:
        assert label in text and label in html
    assert "the re-run raised" not in text          # every mode ran (the print guards no_grad)
    assert html.count("<tr>") == 1 + len(MODES)
    assert "dz-modes" in html and "peak" in html


def test_static_view_escapes_a_reruns_error(shell):
    data = _static_modes_bundle(shell, "x = Variable(np.array(3.0))\ny = x * x\ny.backward()\n"
                                       "if not dezero.Config.enable_backprop:\n    raise ValueError('<b>no graph</b>')\n")
    assert "the re-run raised ValueError: <b>no graph</b>" in data["text/plain"]
    assert "<b>no graph</b>" not in data["text/html"]
    assert "&lt;b&gt;no graph&lt;/b&gt;" in data["text/html"]


def test_the_reruns_leave_the_users_objects_as_the_cell_left_them(shell):
    # x from an earlier cell: each re-run's backward would add to its grad;
    # a training step would train the weights once more per mode.
    shell.run_cell("x = Variable(np.array(1.0))\nW = Variable(np.array([2.0]))")
    cell = ("%%dezero --modes -o _t\n"
            "y = F.exp(x) * F.sum(W)\n"
            "y.backward()\n"
            "W.data -= 0.1 * W.grad.data\n"
            "r = np.random.rand()\n")
    assert shell.run_cell(cell).success
    results = {r.mode: r for r in shell.user_ns["_t"].mode_results}
    assert results["default"].ok and results["retain_grad"].ok, results
    # each re-run starts from the state before the cell (W.grad None): under no_grad the backward
    # reaches no W, as the cell run plain under no_grad would fail (it read the own run's grad before)
    assert results["no_grad"].error == "AttributeError: 'NoneType' object has no attribute 'data'"
    x, W = shell.user_ns["x"], shell.user_ns["W"]
    assert float(x.grad.data) == pytest.approx(2 * np.e)         # one backward's worth, not four
    assert float(W.data[0]) == pytest.approx(2.0 - 0.1 * np.e)   # one step, not four
    # the global generator is where the cell left it: the next draw is the plain cell's next draw
    shell.run_cell("np.random.seed(5)")
    shell.run_cell("%%dezero --modes\nr = np.random.rand()")
    mine = shell.user_ns["r"]
    following = shell.run_cell("np.random.rand()").result
    np.random.seed(5)
    assert (np.random.rand(), np.random.rand()) == (mine, following)


def test_an_earlier_cells_deep_graph_that_the_cell_never_mentions_is_not_copied(shell):
    # Step 35's derivatives leave a graph too deep for copy.deepcopy in the
    # namespace; a --modes cell that does not use it must still re-run.
    shell.run_cell("x = Variable(np.array(1.0))\ny = F.tanh(x)\ny.backward(create_graph=True)\n"
                   "for i in range(5):\n    gx = x.grad\n    x.cleargrad()\n    gx.backward(create_graph=True)\n"
                   "deep = x\nfor i in range(3000):\n    deep = deep * 1.0\n")
    assert shell.run_cell(CELL).success
    results = shell.user_ns["_t"].mode_results
    assert results and all(r.ok for r in results), results
    # a cell that does mention it: a clear error for the re-runs, the cell itself fine
    assert shell.run_cell("%%dezero --modes -o _t\nz = deep * 2.0\nz.backward()").success
    failed = [r for r in shell.user_ns["_t"].mode_results if not r.ok]
    assert failed and "could not copy your objects" in str(failed[0].error)


def test_a_cell_that_rebinds_earlier_names_is_measured_as_one_that_makes_them_new(shell):
    # The copies of x and y made for the re-run were freed when the body
    # rebound x and y, and cancelled what the run kept.
    body = "x = Variable(np.ones(100_000), name='x')\ny = F.square(F.square(x))\ny.backward()\n"
    assert shell.run_cell("%%dezero --modes -o _t\n" + body).success
    fresh = _by_mode(shell.user_ns["_t"].mode_results)
    assert shell.run_cell("%%dezero --modes -o _t\n" + body).success  # now x and y exist before
    again = _by_mode(shell.user_ns["_t"].mode_results)
    for mode in fresh:
        assert again[mode].retained_bytes >= 0.8 * fresh[mode].retained_bytes, mode
    # with the default mode a graph of 100,000 floats per variable is kept: x, its grad, 2 squares
    assert again["default"].retained_bytes > 3 * 800_000


def test_the_measured_table_is_under_the_view_so_exports_keep_it(shell):
    from dezero_magic.widgets import caption_widget

    assert shell.run_cell(CELL).success
    text = caption_widget(shell.user_ns["_t"]).value
    assert "Memory per mode" in text and "retained after the run" in text and "KiB" in text


def test_the_reruns_never_free_the_users_own_grads(shell):
    # deepcopy kept each copied Function's weak `outputs`: a re-run's backward
    # read and then freed (retain_grad=False) the grads of the user's a and y.
    shell.run_cell("x = Variable(np.array(2.0))\na = F.square(x)\ny = F.exp(a)")
    assert shell.run_cell("%%dezero --retain-grad --modes -o _t\ny.backward()").success
    assert all(r.ok for r in shell.user_ns["_t"].mode_results), shell.user_ns["_t"].mode_results
    a, y = shell.user_ns["a"], shell.user_ns["y"]
    assert a.grad is not None and y.grad is not None
    assert float(a.grad.data) == pytest.approx(np.exp(4.0))


def test_the_reruns_call_the_backward_that_b_asked_for(shell):
    # Without it retain_grad=True kept no more than the default: there was no backward.
    result = shell.run_cell("%%dezero --modes -b y -o _t\nx = Variable(np.ones(20_000), name='x')\n"
                            "y = F.sum(F.square(F.square(F.square(x))))")
    assert result.success, result.error_in_exec
    results = _by_mode(shell.user_ns["_t"].mode_results)
    assert all(r.ok for r in results.values()), [r.error for r in results.values()]
    assert results["retain_grad"].retained_bytes - results["default"].retained_bytes > 1.8 * 160_000
    # the user's own x got exactly one backward (the re-runs used copies)
    assert np.array_equal(shell.user_ns["x"].grad.data, 8 * np.ones(20_000))


def test_a_cell_with_top_level_await_shows_its_graph_and_says_why_modes_did_not_measure(shell, displayed):
    result = shell.run_cell("%%dezero --modes -o _t\nimport asyncio\nawait asyncio.sleep(0)\n"
                            "x = Variable(np.array(2.0))\ny = x * x\ny.backward()")
    assert result.success, result.error_in_exec
    trace = shell.user_ns["_t"]
    assert len(trace.graph.functions) == 1 and trace.mode_results is None
    assert any("top-level await" in n for n in trace.graph.notes)


def test_stop_during_the_reruns_keeps_the_graph_and_the_modes_measured_so_far(shell):
    calls = []

    def run_body(namespace=None):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return {}

    before = (Config.enable_backprop, Config.retain_grad)
    results = measure_modes(run_body)
    assert [r.mode for r in results] == [key for key, _, _ in MODES]
    assert results[0].ok and not results[1].ok and not results[2].ok and len(calls) == 2
    assert "interrupted" in results[1].error and (Config.enable_backprop, Config.retain_grad) == before
    from dezero_magic.modes import results_text
    assert "the re-run raised" not in results_text(results).splitlines()[3]


def test_runs_too_small_to_measure_apart_are_said_to_be_noise(shell):
    # Step 18's scalars: retain_grad=True read smaller than the default in some runs.
    from dezero_magic.modes import results_text
    from dezero_magic.widgets.memory_tab import measured_html

    result = shell.run_cell("%%dezero --modes -b y -o _t\nx = Variable(np.array(2.0), name='x')\n"
                            "a = F.square(x)\ny = F.exp(a) + a")
    assert result.success, result.error_in_exec
    results = shell.user_ns["_t"].mode_results
    assert "the interpreter's own allocations" in results_text(results)
    assert "the interpreter&#x27;s own allocations" in measured_html(results) or \
        "the interpreter's own allocations" in measured_html(results)
    # big arrays: no such note
    shell.run_cell(CELL)
    assert "the interpreter's own allocations" not in results_text(shell.user_ns["_t"].mode_results)


def test_reruns_start_from_the_state_before_the_cell(shell):
    # QA: re-runs copied the state the own run left: x.grad already held, so a re-run's
    # backward replaced an 8 MB array instead of adding one (16 MB retained, plain: 24 MB);
    # a name the cell deleted made every re-run raise NameError.
    shell.run_cell("x = Variable(np.random.randn(1_000_000), name='x')\ntmp = 1")
    assert shell.run_cell("%%dezero --modes -o _t\na = F.square(x)\ny = F.square(a)\ny.backward()\n"
                          "del tmp").success
    results = {r.mode: r for r in shell.user_ns["_t"].mode_results}
    assert all(r.ok for r in results.values()), results
    retained = results["default"].retained_bytes
    assert 23e6 <= retained <= 25e6, retained        # a, y and x.grad: 3 x 8 MB, measured
    assert "tmp" not in shell.user_ns and float(np.abs(shell.user_ns["x"].grad.data).sum()) > 0


def test_a_long_chain_rebound_in_the_cell_is_measured(shell):
    # QA: the own run's 80-function y was deep-copied for each re-run: RecursionError, nothing measured.
    cell = ("%%dezero --modes -o _t\nx = Variable(np.ones(1000))\ny = x\nfor i in range(80):\n"
            "    y = F.sin(y)\ny.backward()\n")
    shell.run_cell("x = Variable(np.ones(3))\ny = x\nfor i in range(80):\n    y = F.sin(y)\n")
    assert shell.run_cell(cell).success
    assert all(r.ok for r in shell.user_ns["_t"].mode_results), shell.user_ns["_t"].mode_results


def test_reruns_leave_lists_dicts_and_generators_as_the_cell_left_them(shell):
    # QA: `log.append(...)` ran four times, and an earlier cell's default_rng was advanced three times more.
    shell.run_cell("log = []\ncounter = {'n': 0}\nrng = np.random.default_rng(0)\n"
                   "plain = np.random.default_rng(0)\nplain.random()")
    assert shell.run_cell("%%dezero --modes\nlog.append(len(log))\ncounter['n'] += 1\nr = rng.random()\n"
                          "x = Variable(np.ones(3))\ny = F.sum(x)\ny.backward()").success
    ns = shell.user_ns
    assert ns["log"] == [0] and ns["counter"] == {"n": 1}
    assert ns["rng"].random() == ns["plain"].random()


def test_a_reruns_plot_is_not_shown_again(shell):
    # QA: with %matplotlib inline a re-run's figure showed after the graph.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    assert shell.run_cell("%%dezero --modes\nimport matplotlib.pyplot as plt\nx = Variable(np.ones(3))\n"
                          "y = F.sum(x)\ny.backward()\nplt.plot(x.data, x.grad.data)").success
    assert len(plt.get_fignums()) == 1     # the cell's own figure only
    plt.close("all")


def test_a_cell_that_raised_says_modes_did_not_measure(shell):
    assert not shell.run_cell("%%dezero --modes -o _t\nx = Variable(np.ones(3))\ny = F.sum(x)\n"
                              "raise ValueError('mine')").success
    assert shell.user_ns["_t"].mode_results is None
    assert any(n.startswith("--modes did not measure this cell: it raised") for n in shell.user_ns["_t"].graph.notes)


def test_a_function_of_an_earlier_cell_trains_the_copies_not_the_model(shell):
    # QA: `def step(): ... opt.update()` in one cell, `%%dezero --modes` `loss = step()` in the next:
    # the re-runs trained the user's model three more times (its globals are the user's namespace).
    shell.run_cell("from dezero.models import MLP\nfrom dezero.optimizers import SGD\n"
                   "np.random.seed(0)\nmodel = MLP((5, 1))\nopt = SGD(0.1).setup(model)\n"
                   "xs, ts = np.random.rand(10, 2), np.random.rand(10, 1)\nsteps = []\n"
                   "def step():\n    loss = F.mean_squared_error(model(xs), ts)\n    model.cleargrads()\n"
                   "    loss.backward()\n    opt.update()\n    steps.append(1)\n    return loss\n"
                   "model(xs)\nimport copy\ntwin = copy.deepcopy(model)\ntwin_opt = SGD(0.1).setup(twin)\n"
                   "loss = F.mean_squared_error(twin(xs), ts)\ntwin.cleargrads()\nloss.backward()\n"
                   "twin_opt.update()")
    assert shell.run_cell("%%dezero --modes -o _t\nloss = step()").success
    assert all(r.ok for r in shell.user_ns["_t"].mode_results), shell.user_ns["_t"].mode_results
    ns = shell.user_ns
    assert ns["steps"] == [1]                                          # one step, not four
    for p, q in zip(ns["model"].params(), ns["twin"].params()):
        assert np.array_equal(p.data, q.data)                           # trained once, as a plain cell
    assert ns["step"].__globals__ is ns and "loss" in ns


def test_reruns_do_not_ask_input_again(shell, monkeypatch):
    # QA: in a kernel a --modes cell with input() prompted four times, three answers thrown away.
    import builtins

    asked = []

    def answer(prompt=""):
        asked.append(prompt)
        return "5"

    monkeypatch.setattr(builtins, "input", answer)
    assert shell.run_cell("%%dezero --modes -o _t\nn = int(input('how many? '))\n"
                          "x = Variable(np.ones(n))\ny = F.sum(x)\ny.backward()").success
    assert asked == ["how many? "] and shell.user_ns["n"] == 5
    assert all(r.ok for r in shell.user_ns["_t"].mode_results), shell.user_ns["_t"].mode_results
    assert builtins.input is answer and "input" not in shell.user_ns
