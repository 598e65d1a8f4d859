"""What the profile hook records of students' backward calls, pinned against
values computed here, independently: the recording was made cheaper (grads
copied at call time and made Snapshots only when read, numbers kept as they
are, one frame for the inputs, a deque for the last MAX_CALLS calls), and
none of that may change a recorded value. Timings are in
benchmarks/bench_magic.py, not here."""
import collections
import weakref

import numpy as np
import pytest

from dezero_magic import backward_watch
from dezero_magic.backward_calls import changed, inputs_of, made, take
from dezero_magic.backward_watch import BackwardWatch
from dezero_magic.links import func_inputs
from dezero_magic.preview import data_of, snapshot
from student_code import ADDS_UP, DIAMOND_RUN, SHORT_CLASSES, STEP17
from test_students_pass_notes import changed as replaced_once


def fields(snap):
    """Everything a Snapshot says, comparable with ==."""
    if snap is None:
        return None
    head = None if snap.head is None else (snap.head.dtype.str, snap.head.shape, snap.head.tobytes())
    absmax = snap.absmax
    return (snap.shape, snap.dtype, snap.nbytes, snap.size, snap.complete, head,
            "nan" if absmax != absmax else absmax, snap.nonfinite)


def step17(code):
    ns = {}
    exec(STEP17, ns)
    exec(code, ns)
    return ns


def doubling(depth):
    """y = add(y, y) `depth` times: without a `seen` set the book's list loop
    runs the i-th Add from the top 2**i times."""
    return f"""
GENERATIONS = False
x = Variable(np.array(1.0))
y = x
for i in range({depth}):
    y = add(y, y)
"""


def replay(y, grads):
    """The book's step-17 loop (GENERATIONS False) replayed on floats:
    (function, grad given, grads returned, queue after the pop, inputs whose
    grad was None) per backward call. `grads`: id -> grad before the pass."""
    grads = dict(grads)
    if grads.get(id(y)) is None:
        grads[id(y)] = 1.0
    funcs, steps = [y.creator], []
    while funcs:
        f = funcs.pop()
        gy = grads[id(f.outputs[0]())]
        queue = [id(g) for g in reversed(funcs)]
        bare = {id(x) for x in f.inputs if grads.get(id(x)) is None}
        gxs = (gy, gy) if type(f).__name__ == "Add" else (2 * float(f.inputs[0].data) * gy,)
        steps.append((f, gy, gxs, queue, bare))
        for x, gx in zip(f.inputs, gxs):
            grads[id(x)] = gx if grads.get(id(x)) is None else grads[id(x)] + gx
            if x.creator is not None:
                funcs.append(x.creator)
    return steps


def watched(ns, code="y.backward()"):
    with BackwardWatch() as watch:
        exec(code, ns)
    return watch


def assert_calls_match(calls, steps):
    assert len(calls) == len(steps)
    for call, (f, gy, gxs, queue, bare) in zip(calls, steps):
        assert call.func() is f and call.func_id == id(f)
        [given] = call.gys
        assert given.shape == () and given.dtype == "float64" and float(given.head) == gy
        assert given.absmax == abs(gy) and not given.nonfinite
        assert [float(s.head) for s in call.gxs] == list(gxs)
        assert call.queue == queue
        assert call.bare == bare
        assert not call.raised and not call.returned_none and not call.own_change and call.changed == {}


@pytest.mark.parametrize("depth", [1, 5])
def test_the_doubling_loop_records_every_call_as_replayed(depth):
    ns = step17(doubling(depth))
    steps = replay(ns["y"], {})
    watch = watched(ns)
    calls, earlier = watch.last_pass()
    assert len(steps) == 2 ** depth - 1 and earlier == 0 and watch.elided == 0 and not watch.pass_cut
    assert_calls_match(calls, steps)
    # pending: what is still queued once the step is done (the next call's function first)
    for call, nxt in zip(calls, calls[1:]):
        assert call.pending == [nxt.func_id] + nxt.queue
    assert calls[-1].pending == calls[-1].queue == []
    assert calls.counts == collections.Counter(id(f) for f, *_ in steps)
    assert calls.finished and calls.seedless and not calls.adds_in_place
    assert calls.start_variable() is ns["y"]
    leaf = ns["x"]
    [(ref, used)] = calls.used.values()
    assert ref() is leaf and fields(used) == fields(snapshot(np.array(1.0)))
    assert all(call.held == {} for call in calls)


def test_past_max_calls_the_last_ones_are_kept_and_all_are_counted(monkeypatch):
    monkeypatch.setattr(backward_watch, "MAX_CALLS", 50)
    ns = step17(doubling(8))
    steps = replay(ns["y"], {})
    watch = watched(ns)
    assert len(steps) == 255
    calls, earlier = watch.last_pass()
    assert earlier == watch.elided == 205 and watch.pass_cut and watch.last_pass_at == 0
    assert len(watch.calls) == 50
    assert_calls_match(calls, steps[-50:])
    assert calls.counts == collections.Counter(id(f) for f, *_ in steps)
    assert sorted(calls.counts.values()) == [2 ** i for i in range(8)]
    # the pending of a kept call was read off the call after it, kept or not
    assert calls[0].pending == [calls[1].func_id] + calls[1].queue


def test_a_second_pass_keeps_what_the_first_left(monkeypatch):
    # 15 calls, then 2: with 10 kept, the second pass is whole and 7 of the first are gone
    monkeypatch.setattr(backward_watch, "MAX_CALLS", 10)
    ns = step17(doubling(4) + "w = add(x, x)\nz = add(w, x)\n")
    x, w = ns["x"], ns["w"]
    with BackwardWatch() as watch:
        exec("y.backward()", ns)
        left = snapshot(x.grad)  # left without cleargrad
        steps = replay(ns["z"], {id(x): float(x.grad)})
        exec("z.backward()", ns)
    assert len(steps) == 2
    assert watch.elided == 7 and watch.last_pass_at == 8 and not watch.pass_cut
    calls, earlier = watch.last_pass()
    assert earlier == 15
    assert_calls_match(calls, steps)
    outer, inner = calls
    assert outer.bare == {id(w)} and inner.bare == set()
    assert list(outer.held) == [id(x)] and fields(outer.held[id(x)]) == fields(left)
    assert inner.held == {} and outer.pending == [inner.func_id] and inner.pending == []
    assert calls.counts == {outer.func_id: 1, inner.func_id: 1}
    with BackwardWatch() as watch:
        exec(doubling(4) + "y.backward()", ns)
    assert watch.elided == 5 and watch.pass_cut and watch.last_pass_at == 0


def test_the_diamond():
    ns = step17("GENERATIONS = True\n")
    with BackwardWatch() as watch:
        exec(DIAMOND_RUN, ns)
    calls, _ = watch.last_pass()
    x, a = ns["x"], ns["a"]
    add = ns["y"].creator
    b, c = add.inputs
    assert [type(call.func()).__name__ for call in calls] == ["Add", "Square", "Square", "Square"]
    # x = 2: a = 4; the squares of a take 1 each and give 8; a's square takes 16 and gives 64
    assert [[float(s.head) for s in call.gys] for call in calls] == [[1.0], [1.0], [1.0], [16.0]]
    assert [[float(s.head) for s in call.gxs] for call in calls] == [[1.0, 1.0], [8.0], [8.0], [64.0]]
    assert [call.bare for call in calls] == [{id(b), id(c)}, {id(a)}, set(), {id(x)}]
    assert calls[0].gys[0].shape == () and calls[0].gys[0].dtype == "float64"
    # generations sort the list: c's square is popped first (appended last), a's after b's
    assert [call.func() for call in calls] == [add, c.creator, b.creator, a.creator]
    assert [call.queue for call in calls] == [[], [id(b.creator)], [id(a.creator)], []]
    assert [call.pending for call in calls] == [[id(c.creator), id(b.creator)], [id(b.creator), id(a.creator)],
                                                [id(a.creator)], []]
    assert calls.counts == {id(call.func()): 1 for call in calls}
    [(ref, used)] = calls.used.values()
    assert ref() is x and fields(used) == fields(snapshot(np.array(2.0)))
    assert all(not call.own_change and call.changed == {} and call.held == {} for call in calls)


IN_PLACE = replaced_once(SHORT_CLASSES, ADDS_UP, """\
                if x.grad is None:
                    x.grad = gx
                else:
                    x.grad += gx      # in place: the array a backward returned changes
""") + """
class Pass(Function):      # hands its grad on as it is
    def forward(self, x):
        return x.copy()
    def backward(self, gy):
        return gy

class Doubler(Function):   # doubles the grad it was given, in place
    def forward(self, x):
        return x.copy()
    def backward(self, gy):
        gy *= 2
        return gy.copy()
"""


def test_grads_changed_in_place_are_seen_and_the_copies_keep_the_old_values():
    ns = {}
    exec(IN_PLACE, ns)
    exec("x = Variable(np.array([1.0, np.nan, -3.0]))\n"
         "big = Variable(np.arange(20.0))\n"
         "y = Pass()(Pass()(x))\n"
         "z = Pass()(Doubler()(big))\n", ns)
    watch = watched(ns, "y.backward()\nx.grad += 5\n")
    top, low = watch.last_pass()[0]
    # the top Pass was given y's ones; the lower one got that very array, which x.grad
    # then became: `x.grad += 5` changed it after the pass, which is not the pass's change
    assert fields(top.gys[0]) == fields(snapshot(np.ones(3)))
    assert top.gys[0].absmax == 1.0 and not top.gys[0].nonfinite
    assert fields(low.gys[0]) == fields(snapshot(np.ones(3)))
    assert low.changed == {} and not low.own_change
    watch = watched(ns, "x.grad = None\ny.backward()")
    top, low = watch.last_pass()[0]
    assert low.changed == {} and top.changed == {}
    # Doubler doubles the ones it was given: its own change; big's grad is a copy
    watch = watched(ns, "z.backward()")
    top, doubler = watch.last_pass()[0]
    assert doubler.own_change and not top.own_change
    assert fields(doubler.gys[0]) == fields(snapshot(np.ones(20)))
    assert doubler.gys[0].absmax == 1.0  # measured when taken, not after the doubling
    assert fields(doubler.gxs[0]) == fields(snapshot(np.full(20, 2.0)))
    # ... and the pass saw that array change after the top Pass had handed it on
    assert fields(top.changed[0]) == fields(snapshot(np.full(20, 2.0)))


def test_a_grad_added_into_in_place_later_in_the_pass_is_recorded_changed():
    # y = add(p1(h), p2(h)), h = p(x): every grad is y's ones array A (handed on as it is)
    # until `x.grad += gx` doubles it (P1's turn: h.grad is A) and doubles it again (x.grad)
    ns = {}
    exec(IN_PLACE, ns)
    exec("class Add(Function):\n"
         "    def forward(self, a, b):\n        return a + b\n"
         "    def backward(self, gy):\n        return gy, gy\n"
         "x = Variable(np.zeros(3))\nh = Pass()(x)\np1, p2 = Pass()(h), Pass()(h)\ny = Add()(p1, p2)\n", ns)
    calls = watched(ns).last_pass()[0]
    assert [c.func() for c in calls] == [ns["y"].creator, ns["p2"].creator, ns["h"].creator, ns["p1"].creator,
                                         ns["h"].creator]
    assert [c.gys[0].head.tolist() for c in calls] == [[1.0] * 3] * 4 + [[2.0] * 3]
    assert ns["y"].grad is ns["x"].grad and ns["x"].grad.tolist() == [4.0] * 3
    for call in calls:
        assert list(call.changed) == [0] and fields(call.changed[0]) == fields(snapshot(np.full(3, 4.0)))
        assert not call.own_change and call.gy_array(0) is ns["x"].grad


@pytest.mark.parametrize("make", [
    lambda: np.array(2.5), lambda: np.array([1.0, np.nan, -np.inf]), lambda: np.arange(20.0),
    lambda: np.arange(40.0)[::2], lambda: np.arange(6, dtype=np.int8).reshape(2, 3) - 3,
    lambda: np.array([True, False]), lambda: np.array([1 + 2j]), lambda: np.float64(-0.0), lambda: np.float32(3.5),
    lambda: np.int64(-7), lambda: 3, lambda: 2.5, lambda: True, lambda: 1j, lambda: 2 ** 70, lambda: None,
    lambda: [1.0, 2.0], lambda: "text", lambda: np.array(["a", "b"]), lambda: np.array([None, 1.0], dtype=object),
    lambda: np.array("2020-01-01", dtype="M8[D]"),
])
def test_take_then_made_is_the_snapshot_taken_then(make):
    value = make()

    class Var:  # a Variable-like: its data is snapshotted, as data_of reads it
        data = value
    expected = fields(snapshot(data_of(value)))
    taken, through = take(value), take(Var())
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        value += 1  # changed after the call: what was taken is not
    assert fields(made(taken)) == fields(made(through)) == expected


def test_take_copies_a_small_array_and_a_structured_scalar_at_once():
    grad = np.array([1.0, 2.0])
    taken = take(grad)
    grad[0] = 9.0
    assert made(taken).head.tolist() == [1.0, 2.0]
    records = np.zeros(2, dtype=[("g", "f8")])
    row = records[0]  # an np.void that writes through to `records`
    taken = take(row)
    records["g"] = 5.0
    assert fields(made(taken)) == fields(snapshot(np.zeros(1, dtype=[("g", "f8")])[0]))


@pytest.mark.parametrize("before, after", [
    ([1.0, 2.0], [1.0, 2.0]), ([1.0, 2.0], [1.0, 3.0]), ([0.0], [-0.0]), ([np.nan], [np.nan]),
    ([np.nan], [1.0]), ([1, 2], [1, 2]), ([1, 2], [2, 2]), ([True], [False]), ([1 + 1j], [1 + 1j]),
    (list(range(20)), list(range(20))), (list(range(20)), list(range(19)) + [0]), (list(range(20)), [7] + list(range(1, 20))),
])
def test_changed_answers_as_array_equal_on_the_head(before, after):
    array = np.array(before, dtype=np.result_type(np.array(before), np.array(after)))
    taken = take(array)
    array[...] = after
    head = np.array(before, dtype=array.dtype).reshape(-1)[:16]
    expected = not np.array_equal(array.reshape(-1)[:16], head, equal_nan=array.dtype.kind in "fc")
    assert changed(taken, array) is expected


@pytest.mark.parametrize("array", [np.array([float("nan")], dtype=object), np.array(["NaT"], dtype="M8[D]")])
def test_changed_keeps_array_equal_for_what_never_equals_itself(array):
    # (NaN objects and NaT are unequal to themselves: array_equal calls them changed)
    assert changed(take(array), array) is (not np.array_equal(array, array.copy()))


class _Raises:
    @property
    def data(self):
        raise ValueError("no data")
    creator = None


class _Var:
    def __init__(self, data=1.0, creator=None):
        self.data, self.creator = data, creator


@pytest.mark.parametrize("make", [
    lambda v: type("F", (), {"inputs": [v[0], v[1]]})(),
    lambda v: type("F", (), {"inputs": (v[0], weakref.ref(v[1]), 3, None, _Var)})(),
    lambda v: type("F", (), {"input": v[0]})(),
    lambda v: type("F", (), {"input": weakref.ref(v[1])})(),
    lambda v: type("F", (), {"inputs": None, "input": [v[1]]})(),
    lambda v: type("F", (), {"inputs": v[2]})(),
    lambda v: type("F", (), {"inputs": [v[2], v[3], v[4]]})(),
    lambda v: type("F", (), {})(),
    lambda v: type("F", (), {"inputs": property(lambda self: 1 / 0), "input": v[0]})(),
    lambda v: type("F", (), {"input": property(lambda self: 1 / 0)})(),
])
def test_inputs_reads_what_func_inputs_reads(make):
    variables = [_Var(), _Var(), _Var(None, creator=object()), _Var(None), _Raises()]
    f = make(variables)
    assert inputs_of(f) == func_inputs(f)
