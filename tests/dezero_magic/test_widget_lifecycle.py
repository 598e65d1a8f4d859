"""The lifecycle of displayed %%dezero views (dezero_magic.widgets.lifecycle, lazy_tab).

A fake kernel stands in for ipykernel: the shell's `kernel.get_parent()`
returns the execute request, whose metadata carries the front end's cellId.
"""
import gc
import tracemalloc

import pytest

ipywidgets = pytest.importorskip("ipywidgets")
from ipywidgets.widgets.widget import _instances  # noqa: E402

import dezero_magic.widgets as dzw  # noqa: E402
from dezero_magic.widgets import lifecycle  # noqa: E402

CELL = ("%%dezero -b y\nx = Variable(np.random.rand(30, 30))\nW = Variable(np.random.rand(30, 30))\n"
        "y = F.sum(F.tanh(x @ W) * x)\n")
SMALL = "%%dezero\nx = Variable(np.array(2.0))\ny = F.exp(F.square(x))\ny.backward()\n"


class FakeKernel:
    """What lifecycle reads from ipykernel: get_parent(channel) -> the request message."""

    def __init__(self):
        self.parent = {}
        self.count = 0

    def execute(self, shell, cell, cell_id=None, deleted=()):
        self.count += 1
        metadata = {"cellId": cell_id} if cell_id else {}
        if deleted:
            metadata["deletedCells"] = list(deleted)
        self.parent = {"header": {"msg_id": f"msg-{self.count}", "msg_type": "execute_request"},
                       "metadata": metadata, "content": {"code": cell}}
        result = shell.run_cell(cell, store_history=False)
        assert result.success, result.error_in_exec
        return result

    def get_parent(self, channel=None):
        return self.parent


@pytest.fixture
def kernel(shell, monkeypatch):
    fake = FakeKernel()
    monkeypatch.setattr(shell, "kernel", fake, raising=False)
    lifecycle.close_all_views()
    yield fake
    lifecycle.close_all_views()


@pytest.fixture
def shown(monkeypatch):
    """The views lifecycle is told about, in order."""
    seen = []
    real = lifecycle.shown
    monkeypatch.setattr(lifecycle, "shown", lambda view, shell=None: (seen.append(view), real(view, shell)))
    return seen


def is_open(view):
    return view.comm is not None and view.model_id in _instances


def everything_under(view):
    """Every widget model a view made (the walk close_view does), before closing."""
    found, todo = {}, [view]
    while todo:
        w = todo.pop()
        if id(w) not in found:
            found[id(w)] = w
            todo.extend(lifecycle._owned(w))
    return list(found.values())


def test_rerunning_a_cell_closes_the_view_it_showed_before(shell, kernel, shown):
    kernel.execute(shell, SMALL, cell_id="cell-a")
    first = shown[-1]
    parts = everything_under(first)
    assert is_open(first) and len(parts) > 5
    kernel.execute(shell, SMALL, cell_id="cell-b")
    other = shown[-1]
    kernel.execute(shell, SMALL, cell_id="cell-a")
    second = shown[-1]
    assert second is not first and is_open(second)
    assert not any(is_open(w) for w in parts), "a widget of the replaced view is still open"
    assert is_open(other), "a view of another cell was closed"
    assert lifecycle.live_views() == 2


def test_views_of_one_execution_are_kept_together(shell, kernel, shown):
    kernel.execute(shell, "x = Variable(np.array(2.0))\ny = F.exp(x)\nz = F.sin(x)")
    kernel.execute(shell, "%dezero y\n%dezero z", cell_id="cell-c")
    assert len(shown) == 2 and all(is_open(v) for v in shown)
    kernel.execute(shell, "%dezero y\n%dezero z", cell_id="cell-c")
    assert not any(is_open(v) for v in shown[:2]) and all(is_open(v) for v in shown[2:])


def test_deleted_cells_have_their_views_closed(shell, kernel, shown):
    kernel.execute(shell, SMALL, cell_id="cell-d")
    gone = shown[-1]
    kernel.execute(shell, SMALL, cell_id="cell-e", deleted=["cell-d"])
    assert not is_open(gone) and is_open(shown[-1])


def test_without_cell_id_the_oldest_views_beyond_the_cap_are_closed(shell, kernel, shown, monkeypatch):
    monkeypatch.setattr(lifecycle, "ANONYMOUS_LIMIT", 3)
    for _ in range(5):
        kernel.execute(shell, SMALL)
    assert [is_open(v) for v in shown] == [False, False, True, True, True]


def test_without_a_kernel_few_views_stay_alive(shell, shown):
    lifecycle.close_all_views()
    for _ in range(lifecycle.NO_FRONT_END_LIMIT + 4):
        assert shell.run_cell(SMALL, store_history=False).success
    assert sum(is_open(v) for v in shown) == lifecycle.NO_FRONT_END_LIMIT
    assert all(is_open(v) for v in shown[-lifecycle.NO_FRONT_END_LIMIT:])
    lifecycle.close_all_views()
    assert not any(is_open(v) for v in shown)


def test_cell_id_falls_back_to_the_shells_parent_header(shell, monkeypatch):
    class OldKernel:  # no get_parent: the shell's parent_header holds the request
        pass

    monkeypatch.setattr(shell, "kernel", OldKernel(), raising=False)
    monkeypatch.setattr(shell, "parent_header", {"header": {"msg_id": "m9"},
                                                 "metadata": {"cellId": "cell-z"}}, raising=False)
    assert lifecycle.execution(shell) == (True, "cell-z", "m9", ())


def test_a_view_is_few_widgets_and_heavy_tabs_are_built_when_opened(shell, kernel, shown):
    before = set(_instances)
    kernel.execute(shell, CELL, cell_id="cell-f")
    view = shown[-1]
    made = len(set(_instances) - before)
    assert made <= 35, f"{made} widget models for one view (was 67 before views shared models)"
    assert "Backward" in view.titles and "Backward" not in view._built
    view.selected_index = list(view.titles).index("Backward")   # what a click in the front end does
    back = view._built["Backward"]
    assert view._boxes["Backward"].children == (back, view.caption)
    assert back.slider.max == 4 and "Step 1 of 4" in back.info.value
    if "Memory" in view.titles:
        view.selected_index = list(view.titles).index("Memory")
        assert view._boxes["Memory"].children[0] is view.views["Memory"]
    parts = everything_under(view)
    lifecycle.close_view(view)
    assert not any(is_open(w) for w in parts)
    assert not set(_instances) - before, "closing a view left some of its widget models open"


def test_a_lazy_view_that_fails_shows_why_and_the_others_still_work(shell, displayed, monkeypatch):
    shell.run_cell("%%dezero -o t\nx = Variable(np.array(2.0))\ny = F.exp(x)\ny.backward()")

    def broken(_trace, _kit=None):
        raise RuntimeError("stepper bug <b>")

    monkeypatch.setattr(dzw, "BackwardView", broken)
    view = dzw.view_for(shell.user_ns["t"])
    view.selected_index = 1
    message = view.views["Backward"].value
    assert "stepper bug &lt;b&gt;" in message and "<b>" not in message
    assert view.views["Graph"].figure.value.count("data-node-id") >= 3
    lifecycle.close_view(view)


def test_a_views_plain_text_is_short_and_names_its_tabs(shell, displayed):
    # ipywidgets' repr walks every child's traits; the view's text/plain must not.
    shell.run_cell("%%dezero -o t\nx = Variable(np.array(2.0))\ny = F.exp(x)\ny.backward()")
    view = dzw.view_for(shell.user_ns["t"])
    text = view._repr_mimebundle_()["text/plain"]
    assert text.startswith("<dezero_magic view: Graph, Backward") and len(text) < 110
    assert "children" not in text and "layout" not in text
    lifecycle.close_view(view)


def test_100_reruns_of_one_cell_keep_memory_and_widgets_flat(shell, kernel):
    """The lecture case: the same cell re-run 100 times in a kernel with cell ids.

    IPython 9's terminal display publisher also keeps every displayed bundle
    in `history_manager.outputs` (~35 kB a run here: the SVG, HTML, text);
    ipykernel's does not by default (store_display_history=False), so that
    store, not ours, is emptied after each run, as in a kernel."""
    # ipywidgets' and comm's registries are dicts that never shrink in place: with the ~1,700
    # widgets earlier tests leave open, one view's churn resized both (~100 kB each, once)
    # between the readings in some full-suite runs: a failure that measured no leak. Close
    # those first; the widget count below still catches a run that keeps its widgets.
    ipywidgets.Widget.close_all()
    readings = {}
    tracemalloc.start()
    try:
        for i in range(1, 101):
            kernel.execute(shell, CELL, cell_id="lecture-cell")
            shell.history_manager.outputs.clear()
            if i in (10, 100):
                gc.collect()
                readings[i] = (tracemalloc.get_traced_memory()[0], len(_instances))
    finally:
        tracemalloc.stop()
    grown = readings[100][0] - readings[10][0]
    # One run's view, trace and bundle are ~35 kB; keeping them would be ~3 MB over
    # these 90 runs. Measured: ~40 kB (~450 B a run: the one live view's text varies
    # with the random data, plus IPython's own bookkeeping).
    assert grown < 256 * 1024, f"+{grown} B between runs 10 and 100 ({readings})"
    assert readings[100][1] == readings[10][1], f"widget models: {readings}"
    assert lifecycle.live_views() == 1


def _messages(widget, log):
    """Log what `widget` sends to the front end from now on, as (model id, type, data)."""
    mid = widget.model_id
    widget.comm.publish_msg = lambda msg_type, data=None, *args, **kwargs: log.append((mid, msg_type, data))


def test_a_playing_stepper_is_stopped_before_its_view_is_closed(shell, kernel, shown):
    """QA: re-running a cell while its Backward tab played (repeat on) left the browser's
    Play timer ticking on a closed model: "no comm channel defined" every 1.5 s, for good."""
    kernel.execute(shell, SMALL, cell_id="cell-p")
    view = shown[-1]
    play = view.views["Backward"].play
    kernel.execute(shell, SMALL, cell_id="cell-q")
    idle = shown[-1].views["Backward"].play
    play.set_state({"playing": True, "repeat": True})     # as the front end says it
    log, ids = [], (play.model_id, idle.model_id)   # (gone once closed)
    _messages(play, log)
    _messages(idle, log)
    kernel.execute(shell, SMALL, cell_id="cell-p")           # the re-run
    kernel.execute(shell, SMALL, cell_id="cell-q")
    mine = [(kind, data) for mid, kind, data in log if mid == ids[0]]
    assert [kind for kind, _ in mine] == ["comm_msg", "comm_close"], mine
    assert mine[0][1]["method"] == "update" and mine[0][1]["state"] == {"playing": False, "repeat": False}
    assert not is_open(play) and not play.playing and not play.repeat
    # a stepper at rest: closed without a word more
    assert [kind for mid, kind, _ in log if mid == ids[1]] == ["comm_close"]
