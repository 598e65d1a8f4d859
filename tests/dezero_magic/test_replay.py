"""The book's steps 8–14 backward (a list, pop the last) replayed on a traced graph."""
import gc

import numpy as np
import pytest

from dezero import Variable
from dezero.gradcheck import numerical_diff
from dezero_magic.graph import BackwardStep
from dezero_magic.replay import POP_LIMIT, generation_order, list_order, replay
from dezero_magic.trace import Trace

from graphs import diamond
from student_code import DIAMOND_RUN, STEP17

# The lecture's example with the book's own names: a = A(x); b = B(a); c = C(a); y = D(b, c).
ABCD = '''
class A(dezero.Function):      # square
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        x, = self.inputs
        return 2 * x * gy

class B(dezero.Function):      # exp
    def forward(self, x):
        return np.exp(x)
    def backward(self, gy):
        return self.outputs[0]() * gy

class C(dezero.Function):      # square
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        x, = self.inputs
        return 2 * x * gy

class D(dezero.Function):      # add
    def forward(self, b, c):
        return b + c
    def backward(self, gy):
        return gy, gy

def f(x):
    a = A()(x)
    return D()(B()(a), C()(a))
'''
ABCD_RUN = "%%dezero -o t\n" + ABCD + "x = Variable(np.array(0.5), name='x')\ny = f(x)\ny.backward()\n"


def ops(trace, ids):
    return [trace.graph.functions[f].op for f in ids]


def label_id(trace, label):
    return next(v.id for v in trace.graph.variables.values() if v.label == label)


def exact(x):
    """dy/dx of y = exp(x^2) + x^4, and the part that flows through C alone."""
    a = x * x
    return (np.exp(a) + 2 * a) * 2 * x, 2 * a * 2 * x


def test_book_order_diverges_and_its_grad_is_wrong(shell, displayed):
    assert shell.run_cell(ABCD_RUN).success
    trace = shell.user_ns["t"]
    x = shell.user_ns["x"]
    grad_before = x.grad
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    assert ops(trace, rp.order) == ["D", "C", "A", "B", "A"]
    assert ops(trace, rp.generation_order) == ["D", "C", "B", "A"]
    assert rp.generation_order == [s.func for s in trace.graph.steps]   # the engine's recorded order
    assert rp.diverges_at == 2 and ops(trace, rp.repeated) == ["A"]
    assert not rp.truncated and rp.steps[4].repeat and not rp.steps[2].repeat
    vx = label_id(trace, "x")
    full, through_c = exact(0.5)
    assert float(rp.correct_grads[vx]) == pytest.approx(full, rel=1e-3)
    assert float(rp.book_grads[vx]) == pytest.approx(full + through_c, rel=1e-3)
    assert vx in rp.wrong
    # the right one is what dezero computed, and the numerical derivative (step 4)
    assert float(x.grad.data) == pytest.approx(full, rel=1e-9)
    num = numerical_diff(shell.user_ns["f"], Variable(np.array(0.5)))
    assert float(rp.correct_grads[vx]) == pytest.approx(float(num), rel=1e-3)
    # the user's grads were not touched
    assert x.grad is grad_before and shell.user_ns["y"].grad is None  # freed by backward, still


def test_book_grad_against_torch(shell, displayed):
    torch = pytest.importorskip("torch")
    assert shell.run_cell(ABCD_RUN).success
    trace = shell.user_ns["t"]
    xt = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    a = xt * xt
    (torch.exp(a) + a * a).backward()
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    assert float(rp.correct_grads[label_id(trace, "x")]) == pytest.approx(xt.grad.item(), rel=1e-3)
    assert float(rp.book_grads[label_id(trace, "x")]) != pytest.approx(xt.grad.item(), rel=1e-2)


def test_per_step_grads_mark_the_second_addition(shell, displayed):
    assert shell.run_cell(ABCD_RUN).success
    trace = shell.user_ns["t"]
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    va = trace.graph.functions[rp.order[2]].outputs[0]   # a, made by A (a local of f: unlabelled)
    vx = label_id(trace, "x")
    assert rp.steps[2].accumulated == [] and vx in rp.steps[2].gxs          # A, first time
    assert va in rp.steps[3].accumulated                                     # B adds to a's grad
    assert rp.steps[4].accumulated == [vx]                                   # A again adds to x's
    assert [s.queue for s in rp.steps][:2] == [[rp.order[1], rp.order[3]], [rp.order[2], rp.order[3]]]
    assert rp.steps[-1].queue == [] and rp.steps[-1].queue_total == 0


def test_freed_objects_give_the_order_only(shell, displayed):
    assert shell.run_cell(ABCD_RUN).success
    trace = shell.user_ns.pop("t")
    for name in ("x", "y", "_", "__", "___"):
        shell.user_ns.pop(name, None)
    shell.displayhook.flush()
    gc.collect()
    if any(r() is not None for r in trace.output_refs):
        pytest.skip("something else keeps the output alive")
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    assert ops(trace, rp.order) == ["D", "C", "A", "B", "A"]
    assert rp.book_grads is None and rp.correct_grads is None
    assert "no longer exists" in rp.status and "only the order" in rp.status


def test_students_classes_step17(shell, displayed):
    result = shell.run_cell("%%dezero\n" + STEP17 + "GENERATIONS = True\n" + DIAMOND_RUN)
    assert result.success
    trace = displayed[-1]
    x = shell.user_ns["x"]
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    assert [trace.graph.functions[f].op for f in rp.order] == ["Add", "Square", "Square", "Square", "Square"]
    vx = next(v for v, node in trace.graph.variables.items() if node.leaf)
    assert rp.correct_grads[vx] == "64" and rp.book_grads[vx] == "96"
    assert float(x.grad) == 64.0  # untouched


def test_a_chain_has_the_same_order(shell, displayed):
    assert shell.run_cell("%%dezero -o t\nx = Variable(np.array(0.3))\ny = F.exp(F.sin(F.square(x)))\n"
                          "y.backward()").success
    rp = replay(shell.user_ns["t"])
    assert rp.order == rp.generation_order and rp.diverges_at is None and rp.repeated == []
    assert rp.wrong == [] and rp.book_grads == rp.correct_grads


def test_no_backward_gives_none(shell, displayed):
    assert shell.run_cell("%%dezero -o t\nx = Variable(np.array(0.3))\ny = F.exp(x)").success
    assert replay(shell.user_ns["t"]) is None


def test_exponential_replay_is_cut(shell, displayed):
    # y = x + x, twelve times: the list algorithm pops 2^13 - 1 functions; it stops at POP_LIMIT.
    assert shell.run_cell("%%dezero -o t\ny = x = Variable(np.array(1.0))\nfor _ in range(12):\n"
                          "    y = y + y\ny.backward()").success
    trace = shell.user_ns["t"]
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    assert rp.truncated and len(rp.order) == POP_LIMIT and len(rp.generation_order) == 12
    assert "partial" in rp.status
    assert float(rp.correct_grads[next(v.id for v in trace.graph.variables.values() if v.leaf)]) == 4096


def test_order_on_a_plain_graph_without_objects():
    g = diamond()
    g.steps = [BackwardStep(index=0, func="D")]
    order, queues, truncated = list_order(g, "D")
    assert order == ["D", "C", "A", "B", "A"] and not truncated
    assert queues[0] == (["C", "B"], 2)
    assert generation_order(g, "D") == ["D", "C", "B", "A"]
    rp = replay(Trace(g))
    assert rp.book_grads is None and "no longer exists" in rp.status


def test_unchained_graph_gives_the_order_only(shell, displayed):
    assert shell.run_cell(ABCD_RUN).success
    trace = shell.user_ns["t"]
    shell.user_ns["y"].creator.inputs[1].unchain()   # c loses its creator C after the cell
    rp = replay(trace, run_own_code=True)   # (the test's own classes: as the switch asks)
    assert ops(trace, rp.order) == ["D", "C", "A", "B", "A"]
    assert rp.book_grads is None and "unchained" in rp.status


def test_the_users_own_classes_are_replayed_only_when_asked(shell, displayed):
    assert shell.run_cell(ABCD_RUN).success
    trace = shell.user_ns["t"]
    rp = replay(trace)                        # at display time: nothing of theirs runs
    assert ops(trace, rp.order) == ["D", "C", "A", "B", "A"]
    assert rp.book_grads is None and sorted(rp.own_classes) == ["A", "B", "C", "D"] and not rp.ran_own_code
    assert "runs only when you ask for it; only the order is shown" in rp.status
    asked = replay(trace, run_own_code=True)
    assert asked.ran_own_code and asked.book_grads is not None
    assert "other effects of your code (a list it appends to, say) happened again" in asked.status


def test_the_book_replay_shows_as_many_elements_as_the_generation_steps(shell):
    # QA: with -v the generation steps said [1 1 1 1 1 1], the book list's [1 1 1 1 …]
    from widget_html import run_traced

    for flags, shown in (("-v", "[1 1 1 1 1 1]"), ("", "(6,) [1 1 1 1 …]")):
        t = run_traced(shell, "x = Variable(np.zeros(6), name='x')\ny = F.sum(F.exp(x) + x)\ny.backward()", flags)
        rp = replay(t)
        assert shown in rp.book_grads.values(), rp.book_grads     # Sum's grad: six ones
        assert t.graph.steps[-1].gxs and shown in t.graph.steps[-1].gxs.values()


def test_the_book_comparisons_kept_note_names_variables_in_the_graphs_order():
    from dezero_magic.graph import Graph, VarNode
    from dezero_magic.widgets.book_comparison import _kept_note

    graph = Graph()
    graph.variables = {vid: VarNode(vid, grad_overwritten=True) for vid in ("v2", "v10")}
    note = _kept_note(graph, {"v10", "v2"})
    assert note.index("v2") < note.index("v10"), note
