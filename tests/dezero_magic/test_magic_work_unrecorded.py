"""The magic's own display-time work is never recorded by a running %%dezero cell.

`%dezero y` inside a `%%dezero` cell builds a view, and building it checks
the gradients, plots the derivatives and replays the backward (dozens of
forward and backward passes): that work is the magic's, not the cell's, so
the outer cell's tracer (a dezero observer) and its profile hook (students'
classes) must not hear it (`isolation.isolated`, `events.unobserved`).
"""
import pstats
import sys

import pytest
from IPython.utils.capture import capture_output

from dezero import events
from dezero_magic.backward_watch import BackwardWatch
from dezero_magic.isolation import isolated

from student_code import DIAMOND_RUN, STEP17


def run(shell, cell):
    with capture_output():
        result = shell.run_cell(cell)
    assert result.success, result.error_in_exec
    return result


def ops(graph):
    return sorted(f.op for f in graph.functions.values())


def assert_nothing_elided(graph):
    assert graph.elided_functions == 0 and graph.elided_steps == 0


@pytest.fixture
def squared(shell):
    run(shell, "x = Variable(np.array(2.0)); y = x ** 2; y.backward()")
    return shell


def test_a_line_magic_inside_a_cell_records_none_of_its_work(squared):
    run(squared, "%%dezero -o t\n%dezero -o inner y\n")
    outer = squared.user_ns["t"].graph
    assert outer.functions == {} and outer.variables == {}
    assert_nothing_elided(outer)
    inner = squared.user_ns["inner"]
    assert ops(inner.graph) == ["Pow"] and inner.graph.elided_functions == 0
    # the view was built (its early check and replay ran) while the outer cell was recording
    assert hasattr(inner, "early_gradients") and hasattr(inner, "early_replay")


def test_the_cells_own_call_is_all_the_outer_cell_records(squared):
    run(squared, "%%dezero -o t\nw = x + 1\n%dezero -o inner y\nw.backward()\n")
    outer = squared.user_ns["t"].graph
    assert ops(outer) == ["Add"]
    assert_nothing_elided(outer)
    assert "not drawn" not in squared.user_ns["t"].caption()
    assert ops(squared.user_ns["inner"].graph) == ["Pow"]


def test_displaying_and_opening_an_earlier_view_records_nothing(squared):
    # drawn --static: its view (and the view's early check and replay) is first built in the cell below
    run(squared, "z = x * x + x\nz.backward()\n%dezero --static -o t0 z")
    assert not hasattr(squared.user_ns["t0"], "early_gradients")
    run(squared, "%%dezero -o t\n"
                 "from dezero_magic.widgets import view_for\n"
                 "display(t0)\n"
                 "v = view_for(t0)\n"
                 "for i in range(len(v.children)):\n"
                 "    v.selected_index = i\n")
    outer = squared.user_ns["t"].graph
    assert outer.functions == {}
    assert_nothing_elided(outer)
    assert len(squared.user_ns["v"].children) >= 3   # Graph, Backward, Gradients were all opened
    assert squared.user_ns["t0"].early_gradients is not None   # the check did run inside the cell


def test_replaying_students_classes_inside_a_cell_is_not_watched(shell):
    run(shell, "%%dezero -o t0\n" + STEP17 + "GENERATIONS = True\n" + DIAMOND_RUN)
    watched = len(shell.user_ns["t0"].graph.functions)
    assert watched == 4
    # the students' backward runs again (as the Backward switch asks) while the cell's profile hook watches
    run(shell, "%%dezero -o t\nfrom dezero_magic.replay import replay\n"
               "rp = replay(t0, run_own_code=True)\ny2 = square(x)\ny2.backward()\n")
    assert shell.user_ns["rp"].own_classes   # their backward did run again
    outer = shell.user_ns["t"].graph
    assert ops(outer) == ["Square"]   # the cell's own call and backward step only
    assert_nothing_elided(outer)


class Recorder(events.Observer):
    def __init__(self):
        self.heard = 0

    def on_forward(self, function, inputs, outputs):
        self.heard += 1


def test_isolated_hides_the_work_from_observers_and_the_profile_hook():
    import dezero.functions as F
    import numpy as np
    from dezero import Variable

    rec, watch = Recorder(), BackwardWatch()   # our hook: the one that watches students' classes
    hook = watch._profile

    with events.observing(rec):
        sys.setprofile(hook)
        try:
            with isolated():
                assert sys.getprofile() is None and events.observers() == ()
                F.square(Variable(np.array(3.0))).backward()
            assert sys.getprofile() == hook
            F.exp(Variable(np.array(1.0)))
        finally:
            sys.setprofile(None)
        assert events.observers() == (rec,)
    assert rec.heard == 1   # the exp after it, not the square inside
    assert not watch._calls, "our hook saw the isolated work"


def test_isolated_restores_the_profile_hook_when_the_body_raises():
    hook = BackwardWatch()._profile
    sys.setprofile(hook)
    try:
        with pytest.raises(ZeroDivisionError), isolated():
            1 / 0
        assert sys.getprofile() == hook
    finally:
        sys.setprofile(None)


def test_isolated_leaves_a_profiler_alone():
    # Review R1-F1: under %prun, setting cProfile's profiler back by sys.setprofile raised
    # "'Profile' object is not callable" (the view was lost) and stopped the profiler.
    import cProfile

    def after():
        return 1

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        with isolated():
            sum(range(3))
        after()   # still profiled
    finally:
        profiler.disable()
    assert "after" in {name for (_file, _line, name) in pstats.Stats(profiler).stats}
