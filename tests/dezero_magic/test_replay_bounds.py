"""What the book replay's grads may cost: big arrays are compared a chunk at a
time, a replay beyond its budget shows the order only, and where both orders
agree the backward runs once."""
import numpy as np
import pytest

from dezero_magic import replay as replay_mod
from dezero_magic.replay import CHUNK, _same, replay
from widget_html import run_traced, var_id

BIG_DIAMOND = ("x = Variable(np.linspace(0.5, 1.5, {n}), name='x')\na = F.square(x)\n"
               "y = F.sum(F.square(a) + F.square(a))\ny.backward()")


@pytest.fixture
def allclose_sizes(monkeypatch):
    """The sizes of the arrays np.allclose is given (its temporaries are as big)."""
    sizes = []
    real = np.allclose
    monkeypatch.setattr(np, "allclose", lambda a, b, **kw: sizes.append(np.size(a)) or real(a, b, **kw))
    return sizes


def test_big_grads_are_compared_a_chunk_at_a_time(shell, displayed, allclose_sizes):
    t = run_traced(shell, BIG_DIAMOND.format(n=3 * CHUNK + 7))
    rp = replay(t)
    assert var_id(t, "x") in rp.wrong                       # the step-15 lesson holds on big arrays
    assert allclose_sizes and max(allclose_sizes) <= CHUNK


def test_same_finds_a_difference_in_the_last_chunk_only():
    a = np.ones((5, CHUNK + 3))
    b = a.copy()
    assert _same(a, b)
    b[-1, -1] = 2.0
    assert not _same(a, b)
    assert not _same(a, a[:4])                               # shapes differ
    nan = np.full(2 * CHUNK, np.nan)
    assert _same(nan, nan.copy())                            # NaN equals NaN here, as before


def test_a_broadcast_grad_is_compared_without_a_full_copy(allclose_sizes):
    view = np.broadcast_to(np.float64(3.0), (4, 2 * CHUNK))   # what sum's backward hands on
    assert _same(view, np.full((4, 2 * CHUNK), 3.0))
    assert max(allclose_sizes) <= CHUNK


def test_a_replay_beyond_its_budget_shows_the_order_and_says_why(shell, displayed, monkeypatch):
    t = run_traced(shell, BIG_DIAMOND.format(n=10))
    monkeypatch.setattr(replay_mod, "REPLAY_NUMBERS", 50)
    rp = replay(t)
    assert rp.book_grads is None and rp.diverges_at is not None
    assert "the grads were not computed" in rp.status and "only the order is shown" in rp.status
    assert "(this replay stops at 50)" in rp.status


def test_where_both_orders_agree_the_backward_runs_once(shell, displayed, monkeypatch):
    t = run_traced(shell, "x = Variable(np.array(0.5), name='x')\ny = F.sin(F.exp(x))\ny.backward()")
    calls = []
    real = replay_mod.replay_backward
    monkeypatch.setattr(replay_mod, "replay_backward", lambda f, gys: calls.append(f) or real(f, gys))
    rp = replay(t)
    assert rp.diverges_at is None and len(calls) == 2        # Sin, Exp: once each
    assert rp.book_grads == rp.correct_grads and rp.wrong == []
    assert "grads computed" in rp.status
