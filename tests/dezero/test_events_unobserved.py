"""events.unobserved(): a tool's own work, heard by no observer, the registry put back exactly."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, events


class Counter(events.Observer):
    forward_calls_in_backward = True

    def __init__(self):
        self.forward = self.steps = 0

    def on_forward(self, function, inputs, outputs):
        self.forward += 1

    def on_backward_step(self, function, gys, gxs, pending):
        self.steps += 1


class Begins(events.Observer):   # no on_forward: it must not come back among the forward hooks
    def on_backward_begin(self, outputs, retain_grad, create_graph):
        pass


def test_nothing_inside_is_heard_and_the_registry_is_put_back():
    a, b, c = Counter(), Begins(), Counter()
    with events.observing(a), events.observing(b), events.observing(c):
        hooks = list(events._forward_hooks)
        with events.unobserved():
            assert events.observers() == () and not events._forward_hooks
            y = F.square(Variable(np.array(2.0)))
            y.backward()
        assert events.observers() == (a, b, c) and events._forward_hooks == hooks
        assert (a.forward, a.steps) == (0, 0)
        F.exp(Variable(np.array(1.0))).backward()
        assert (a.forward, a.steps) == (1 + 1, 1) and (c.forward, c.steps) == (2, 1)
    assert events.observers() == ()


def test_put_back_also_when_the_body_raises():
    a = Counter()
    with events.observing(a):
        with pytest.raises(RuntimeError, match="boom"), events.unobserved():
            F.square(Variable(np.array(2.0)))
            raise RuntimeError("boom")
        assert events.observers() == (a,) and events._forward_hooks == [a.on_forward]
        assert a.forward == 0


def test_nested_and_an_observer_left_inside_is_dropped():
    a, stray = Counter(), Counter()
    with events.observing(a):
        with events.unobserved():
            with events.unobserved():
                assert events.observers() == ()
            events.add_observer(stray)
        assert events.observers() == (a,)
        assert events._forward_hooks == [a.on_forward]


def test_inside_a_muted_backward_the_mode_is_kept():
    a = Counter()
    with events.observing(a):
        events.mute_internal_forward()
        try:
            with events.unobserved():
                F.square(Variable(np.array(2.0))).backward()
            assert events._forward_hooks == [a.on_forward]   # forward_calls_in_backward: heard while muted
            assert events._muted[0] == 1
        finally:
            events.unmute_internal_forward()
