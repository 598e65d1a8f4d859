"""The Gradients check's clock: a busy machine must not decide whether a
cell's check is made with the cell (QA: the same notebook cell showed its
check in four runs and "the output no longer exists" in a fifth)."""
import itertools

import dezero_magic.widgets as dzw
from dezero_magic import pass_clock
from dezero_magic.pass_clock import PassClock
from dezero_magic.widgets import lifecycle
from widget_html import run_traced, text_of


def _busy_wall_clock(monkeypatch):
    """Every reading of the wall clock 3 s after the last: other programs ran meanwhile."""
    ticks = itertools.count(step=3.0)
    monkeypatch.setattr(pass_clock.time, "perf_counter", lambda: next(ticks))


def test_the_clock_reads_the_smaller_of_wall_and_cpu_time(monkeypatch):
    _busy_wall_clock(monkeypatch)
    clock = PassClock()
    sum(i * i for i in range(20000))
    assert 0 <= clock.seconds() < 1.0       # CPU time: this process did not run for 3 s


def test_the_clock_is_not_cpu_time_where_that_is_larger(monkeypatch):
    # (a pass that NumPy's BLAS runs on several threads: CPU time is the sum of theirs)
    cpu = itertools.count(step=4.0)
    monkeypatch.setattr(pass_clock.time, "process_time", lambda: next(cpu))
    clock = PassClock()
    assert clock.seconds() < 1.0


def test_a_cheap_check_is_made_with_the_cell_on_a_busy_machine(shell, monkeypatch):
    _busy_wall_clock(monkeypatch)
    trace = run_traced(shell, 'x = Variable(np.array(2.0), name="x")\ny = x ** 3\ny.backward()')
    view = dzw.view_for(trace)             # the cell displayed its view: the early check ran then
    assert trace.early_gradients is not None
    shell.run_cell("x = y = None")         # a later cell rebinds the names before the tab is opened
    view.selected_index = list(view.titles).index("Gradients")
    page = view.views["Gradients"]
    assert "The 1 checked leaf grad passes" in text_of(page.table.value)
    lifecycle.close_view(view)
