"""A loop whose backward goes on through the graph of earlier iterations
(book step 59 without unchain_backward): a note says so and names the fix
(QA tensors 5: the counts were right, nothing said why)."""
import pytest

LOOP = '''
x = Variable(np.array(1.0))
h = Variable(np.array(0.0))
W = Variable(np.array(0.5))
for i in range(6):
    h = F.tanh(h * W + x)
    loss = h * h
    W.cleargrad()
    loss.backward()
'''


def _notes(shell, cell):
    assert shell.run_cell("%%dezero -o _t\n" + cell).success
    return shell.user_ns["_t"].graph.notes


def test_a_recurrent_loop_without_unchain_backward_is_told(shell, displayed):
    said = [n for n in _notes(shell, LOOP) if "unchain_backward" in n]
    assert len(said) == 1, said
    # the last pass popped its 4 calls and the 3 (Mul, Add, Tanh) of each of the 5 iterations before
    assert said[0].startswith("Each backward went on through the graph of earlier iterations: the last pass took "
                              "19 steps, 15 of them through functions the previous backward had run through too")
    assert "loss.unchain_backward() after each update" in said[0] and "book step 59" in said[0]


@pytest.mark.parametrize("cell", [
    LOOP + "    loss.unchain_backward()\n",
    # an ordinary training loop: each pass pops its own iteration's calls only
    "W = Variable(np.array(0.5))\nfor i in range(5):\n    loss = F.sum((W * np.arange(3.0) - 1.0) ** 2)\n"
    "    W.cleargrad()\n    loss.backward()\n    W.data -= 0.1 * W.grad.data\n",
    # higher-order derivatives: the second pass runs through the grads' graph the first made
    "x = Variable(np.array(2.0))\ny = x ** 4\ny.backward(create_graph=True)\ngx = x.grad\nx.cleargrad()\n"
    "gx.backward()\n",
    # two outputs of one x, each with its own backward: the passes share no function (QA R22-3:
    # the second pass's step through y2's Pow, made before the first pass, was told as re-run history)
    "x = Variable(np.array(2.0))\ny1 = x ** 2\ny2 = x ** 3\ny1.backward()\nx.cleargrad()\ny2.backward()\n",
    # the same y backwarded again, to see grads add up (QA V22)
    "x = Variable(np.array(2.0))\ny = x * x\ny.backward()\ny.backward()\n",
    "x = Variable(np.array(2.0))\ny = F.sin(x) * x\nfor i in range(3):\n    x.cleargrad()\n    y.backward()\n",
])
def test_a_loop_whose_passes_stay_in_their_own_iteration_is_not(shell, displayed, cell):
    assert not [n for n in _notes(shell, cell) if "earlier iterations" in n]
