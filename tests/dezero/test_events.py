"""Trace events: what Function.__call__ and the backward engine tell observers."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Function, Variable, events


class Recorder(events.Observer):
    def __init__(self):
        self.log = []
        self.ends = []

    def on_forward(self, function, inputs, outputs):
        self.log.append(("forward", function, list(inputs), list(outputs)))

    def on_backward_begin(self, outputs, retain_grad, create_graph):
        self.log.append(("begin", list(outputs), retain_grad, create_graph))

    def on_backward_step(self, function, gys, gxs, pending):
        self.log.append(("step", function, [g.data.copy() for g in gys],
                         [None if g is None else g.data.copy() for g in gxs],
                         pending.ordered(), len(pending)))

    def on_backward_end(self, outputs, steps, completed):
        self.log.append(("end", list(outputs)))
        self.ends.append((steps, completed))

    def kinds(self):
        return [entry[0] for entry in self.log]


class Named(Function):
    """A, B, C, D of steps 11-16: y = x * k, or the sum for two inputs."""

    def __init__(self, name, k=1.0):
        self.name, self.k = name, k

    def forward(self, *xs):
        return sum(xs) * self.k

    def backward(self, gy):
        return tuple(gy * self.k for _ in self.inputs)

    def __repr__(self):
        return self.name


@pytest.fixture
def recorder():
    rec = Recorder()
    with events.observing(rec):
        yield rec
    assert rec not in events.observers()


def test_forward_event_has_function_inputs_outputs(recorder):
    x = Variable(np.array(2.0))
    y = F.square(x)
    assert recorder.log == [("forward", y.creator, [x], [y])]


def test_forward_event_for_a_constant_operand(recorder):
    x = Variable(np.array(2.0))
    y = x * 3.0
    (kind, f, inputs, outputs), = recorder.log
    assert f is y.creator and inputs[0] is x and inputs[1].data == 3.0 and outputs == [y]


def test_backward_order_and_pending_queue_D_C_B_A(recorder):
    """a = A(x); b = B(a); c = C(a); y = D(b, c): generation order pops D, C, B, A."""
    x = Variable(np.array(2.0))
    A, B, C, D = Named("A", 2.0), Named("B", 3.0), Named("C", 5.0), Named("D")
    a = A(x)
    b = B(a)
    c = C(a)
    y = D(b, c)
    assert recorder.kinds() == ["forward"] * 4
    recorder.log.clear()
    y.backward()
    # (the backward's own arithmetic emits forward events too; observers
    # tell them apart by create_graph of the pass in progress)
    log = [entry for entry in recorder.log if entry[0] != "forward"]
    assert [entry[0] for entry in log] == ["begin", "step", "step", "step", "step", "end"]
    begin, *steps, end = log
    assert begin == ("begin", [y], False, False)
    assert [s[1] for s in steps] == [D, C, B, A]
    # what was still queued after each step, in popping order
    assert [s[4] for s in steps] == [[C, B], [B, A], [A], []]
    assert [s[5] for s in steps] == [2, 2, 1, 0]
    # gys and gxs of each step
    assert steps[0][2] == [1.0] and steps[0][3] == [1.0, 1.0]
    assert steps[1][2] == [1.0] and steps[1][3] == [5.0]
    assert steps[2][2] == [1.0] and steps[2][3] == [3.0]
    assert steps[3][2] == [8.0] and steps[3][3] == [16.0]
    assert x.grad.data == 16.0
    assert end == ("end", [y])


def test_begin_reports_flags(recorder):
    x = Variable(np.array(2.0))
    y = F.square(x)
    y.backward(retain_grad=True, create_graph=True)
    begin = recorder.log[1]
    assert begin[0] == "begin" and begin[2] is True and begin[3] is True
    # with create_graph the backward's own Functions are recorded: forward events inside
    assert "forward" in recorder.kinds()[2:]


class Broken(Function):
    def forward(self, x):
        return x

    def backward(self, gy):
        raise ValueError("broken backward")


def test_end_event_even_when_backward_raises(recorder):
    y = Broken()(Variable(np.array(1.0)))
    with pytest.raises(ValueError, match="broken backward"):
        y.backward()
    assert [k for k in recorder.kinds() if k != "forward"][-2:] == ["begin", "end"]
    assert recorder.ends[-1] == (1, False)      # one function popped, the pass did not complete
    recorder.log.clear()
    F.square(Variable(np.array(3.0)))
    assert recorder.kinds() == ["forward"]      # forward calls are heard again after the failed pass


class Failing(events.Observer):
    def __init__(self):
        self.errors = []

    def on_forward(self, function, inputs, outputs):
        raise RuntimeError("observer bug")

    def on_error(self, exc):
        self.errors.append(exc)


def test_failing_observer_is_removed_with_a_warning_and_the_computation_succeeds():
    bad = Failing()
    good = Recorder()
    events.add_observer(bad)
    events.add_observer(good)
    try:
        x = Variable(np.array(3.0))
        with pytest.warns(RuntimeWarning, match="Failing failed in on_forward and was removed"):
            y = F.square(x)
        assert y.data == 9.0
        assert bad not in events.observers()
        assert len(bad.errors) == 1 and str(bad.errors[0]) == "observer bug"
        assert good.kinds() == ["forward"]  # the others still hear
        y.backward()
        assert x.grad.data == 6.0
    finally:
        events.remove_observer(bad)
        events.remove_observer(good)


def test_add_twice_and_remove_unknown_are_no_ops():
    rec = Recorder()
    events.add_observer(rec)
    events.add_observer(rec)
    assert events.observers().count(rec) == 1
    events.remove_observer(rec)
    events.remove_observer(rec)
    assert rec not in events.observers()


def test_no_cost_when_nobody_listens(monkeypatch):
    """With no observer the engine never calls notify nor builds a Pending view."""
    assert events.observers() == ()
    calls = []
    monkeypatch.setattr(events, "notify", lambda *a: calls.append(a))
    monkeypatch.setattr(events, "Pending", lambda heap: calls.append("pending"))
    x = Variable(np.array(1.0))
    y = F.sin(F.square(x) * 2.0 + 1.0)
    y.backward(create_graph=True)
    assert calls == []


def test_observer_base_hooks_are_no_ops():
    obs = events.Observer()
    with events.observing(obs):
        y = F.square(Variable(np.array(2.0)))
        y.backward()
    assert y.creator is not None


def test_internal_forward_calls_of_a_plain_backward_are_heard_only_on_request(recorder):
    x = Variable(np.array(2.0))
    y = F.sin(x) * x                    # Sin.backward computes cos(x) * gy with Functions
    recorder.log.clear()
    y.backward()
    assert recorder.kinds() == ["begin", "step", "step", "end"]

    class Curious(Recorder):
        forward_calls_in_backward = True

    curious = Curious()
    with events.observing(curious):
        x.cleargrad()
        y = F.sin(x) * x
        y.backward()
    assert curious.kinds().count("forward") > 2   # Sin, Mul, and the backward's own calls
    assert recorder.kinds()[-4:] == ["begin", "step", "step", "end"]   # still muted for the other


def test_a_step_hook_that_returns_false_hears_no_more_steps_of_the_pass():
    class Enough(Recorder):
        def on_backward_step(self, function, gys, gxs, pending):
            super().on_backward_step(function, gys, gxs, pending)
            return False

    rec = Enough()
    with events.observing(rec):
        x = Variable(np.array(0.3))
        y = F.sin(F.sin(F.sin(x)))
        y.backward()
        assert rec.kinds().count("step") == 1 and rec.ends[-1] == (3, True)
        y2 = F.sin(F.sin(x))
        y2.backward()                           # a new pass: heard again, once
        assert rec.kinds().count("step") == 2 and rec.ends[-1] == (2, True)
    assert x.grad is not None



@pytest.mark.parametrize("size", [0, 5, 64, 65, 500])
def test_pending_order_is_the_popping_order_for_small_and_large_queues(size):
    import heapq
    import random

    rng = random.Random(size)
    heap = []
    for k in range(size):  # as the engine queues: (-generation, -sequence, function)
        heapq.heappush(heap, (-rng.randrange(10), -k, f"f{k}"))
    view = events.Pending(heap)
    ordered, first = view.ordered(), view.ordered(12)
    popped = [heapq.heappop(heap)[-1] for _ in range(size)]
    assert ordered == popped and first == popped[:12]
