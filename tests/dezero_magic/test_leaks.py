"""Leaks: the same %%dezero cell run 100 times through a real InteractiveShell.

Memory is measured with tracemalloc after warm-up cycle 10 and after cycle
100 (a full collection before each reading), next to a peer: the same cell
without %%dezero, so IPython's own per-cell bookkeeping is not counted
against us. Figures are in docs/RELIABILITY.md ("Leaks").
"""
import gc
import tracemalloc
import weakref

import pytest

import dezero

BODY = ("x = Variable(np.random.rand(30, 30))\nW = Variable(np.random.rand(30, 30))\n"
        "y = F.sum(F.tanh(x @ W) * x)\n")
CELL = "%%dezero -b y\n" + BODY
PLAIN = BODY + "y.backward()\n"
# Allowed growth between cycles 10 and 100 beyond the plain cell's. One cycle's
# graph (arrays, grads, trace, SVG) is well over 50 kB, so keeping even a
# fraction of each run would exceed this within the 90 measured cycles.
BOUND = 96 * 1024


def _live_dezero_objects():
    # type(o), not isinstance: isinstance reads __class__, which some lazy modules warn on.
    kinds = (dezero.Variable, dezero.Function)
    return sum(issubclass(type(o), kinds) for o in gc.get_objects())


def _run_cycles(shell, cell, n=100, marks=(10, 100), after=None):
    """Run `cell` n times; return {cycle: (traced bytes, live dezero objects)}."""
    readings = {}
    tracemalloc.start()
    try:
        for i in range(1, n + 1):
            result = shell.run_cell(cell, store_history=False)
            assert result.success, f"cycle {i} failed: {result.error_in_exec!r}"
            if after is not None:
                after()
            if i in marks:
                gc.collect()
                readings[i] = (tracemalloc.get_traced_memory()[0], _live_dezero_objects())
    finally:
        tracemalloc.stop()
    return readings


def _render_and_drop(trace):
    """Stands in for display(): renders the static outputs, keeps nothing."""
    trace.svg(), trace.html(), trace.text()


def test_the_same_cell_100_times_leaves_memory_flat(shell, monkeypatch):
    monkeypatch.setattr("dezero_magic.magic.display", _render_and_drop)
    plain = _run_cycles(shell, PLAIN)
    magic = _run_cycles(shell, CELL)
    plain_growth = plain[100][0] - plain[10][0]
    growth = magic[100][0] - magic[10][0]
    figures = (f"%%dezero cell: {magic[10][0]} B after cycle 10, {magic[100][0]} B after cycle 100 "
               f"(+{growth} B); plain cell: +{plain_growth} B; bound: plain + {BOUND} B")
    assert growth <= plain_growth + BOUND, figures
    # The namespace holds one graph (x, W, y and what made y): the same count every cycle.
    assert magic[100][1] == magic[10][1] == plain[100][1], (
        f"live dezero Variables+Functions: cycle 10 {magic[10][1]}, cycle 100 {magic[100][1]}, "
        f"plain {plain[100][1]}; " + figures)
    print(figures)


def test_tracer_keeps_no_reference_to_user_arrays(shell, monkeypatch):
    monkeypatch.setattr("dezero_magic.magic.display", _render_and_drop)
    shell.run_cell("%%dezero -b y\nx = Variable(np.ones((200, 200)))\ny = F.sum(F.exp(x) * x)\n",
                   store_history=False)
    ns = shell.user_ns
    x_ref, array_ref, y_ref = weakref.ref(ns["x"]), weakref.ref(ns["x"].data), weakref.ref(ns["y"])
    gc.disable()  # reference counting alone must free them
    try:
        del ns["x"], ns["y"]
        assert x_ref() is None and y_ref() is None, "a Variable of the cell outlived the cell's names"
        assert array_ref() is None, "the 200x200 array of x outlived x"
    finally:
        gc.enable()


def test_output_option_keeps_the_trace_but_not_the_arrays(shell, monkeypatch):
    """`-o t` stores the Trace; it holds weak references only, so arrays still die with x."""
    monkeypatch.setattr("dezero_magic.magic.display", _render_and_drop)
    shell.run_cell("%%dezero -b y -o t\nx = Variable(np.ones((200, 200)))\ny = F.sum(F.exp(x) * x)\n",
                   store_history=False)
    ns = shell.user_ns
    array_ref = weakref.ref(ns["x"].data)
    del ns["x"], ns["y"]
    gc.collect()
    assert ns["t"].graph.variables, "the stored trace lost its graph"
    assert array_ref() is None, "the stored trace keeps the user's array alive"


def test_rerunning_a_displayed_cell_does_not_accumulate_widgets(shell):
    """Each displayed view holds ~25 widget models that ipywidgets keeps until
    closed; `dezero_magic.widgets.lifecycle` closes the stale ones. Without a
    kernel (this shell) it keeps the last NO_FRONT_END_LIMIT views, so after
    warm-up the count must not move at all (before the fix: +67 a run)."""
    ipywidgets = pytest.importorskip("ipywidgets")
    from ipywidgets.widgets.widget import _instances

    from dezero_magic.widgets import lifecycle

    try:
        _run_cycles(shell, CELL, n=10, marks=(10,))
        before = len(_instances)
        readings = _run_cycles(shell, CELL, n=20, marks=(20,))
        assert len(_instances) - before <= 0, (
            f"{len(_instances) - before} widgets more after 20 more runs ({readings})")
        assert lifecycle.live_views() <= lifecycle.NO_FRONT_END_LIMIT
    finally:
        lifecycle.close_all_views()
        ipywidgets.Widget.close_all()
