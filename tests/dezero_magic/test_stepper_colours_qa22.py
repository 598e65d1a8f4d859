"""QA session 22 (a lecturer's pass through notebooks 04-06):

- L22-B: the Backward stepper drew a node whose running grad is an array
  white ("no grad") over its |grad| colour key, where the Graph tab colours
  it (every tensor cell of notebook 06): the running grads are texts, and a
  magnitude was read from scalar texts only.
- L22-G: the key's scale changed from step to step (notebook 05's step 36:
  gx's 48 was yellow at step 2, under 0-48, and blue at step 6, under
  0-192): the scale is now one for the stepper, the largest grad of the pass.
"""
import re

import pytest

from dezero_magic.render.svg import render_svg
from dezero_magic.running_grads import text_absmax
from dezero_magic.widgets.backward_tab import BOOK, TOP_NOTE, BackwardView

from widget_html import nodes, run_traced, var_id

STEP_41 = ('x = Variable(np.random.default_rng(0).standard_normal((2, 3)), name="x")\n'
           'W = Variable(np.random.default_rng(1).standard_normal((3, 4)), name="W")\n'
           'y = F.sum(F.matmul(x, W))\ny.name = "y"\ny.backward()\n')
STEP_36 = ('x = Variable(np.array(2.0), name="x")\ny = x ** 2\ny.backward(create_graph=True)\n'
           'gx = x.grad\nx.cleargrad()\nz = gx ** 3 + y\nz.backward()\n')
NO_GRAD = "#f4f4f4"


def fills(svg):
    """{variable id: fill} of the ovals drawn (not covered: a window leaves out the nodes it cuts)."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'data-node-id="(v\d+)"><title>.*?</title><ellipse[^>]*fill="([^"]+)"', svg, re.S)}


def key_top(svg):
    """The colour key's top, as written after its bar."""
    return re.search(r'<g class="dz-legend">.*?<text[^>]*>\|grad\| 0</text><rect[^>]*/><text[^>]*>([^<]*)</text>',
                     svg, re.S).group(1)


def test_array_grads_are_coloured_as_in_the_graph_tab(shell):
    trace = run_traced(shell, STEP_41)
    view = BackwardView(trace)
    view.slider.value = view.slider.max   # MatMul popped: x and W hold their final (array) grads
    step, whole = fills(view.figure.value), fills(render_svg(trace.graph, trace.layout))
    for name in ("x", "W"):
        vid = var_id(trace, name)
        assert step[vid] != NO_GRAD and step[vid] == whole[vid], (name, step, whole)


def test_a_freed_array_grad_is_coloured_while_it_is_held(shell):
    # the MatMul output's grad [1 1 ...] is freed after the cell (the Graph tab has none to
    # colour), but at step 1 the stepper shows it held: coloured by the numbers it shows
    trace = run_traced(shell, STEP_41)
    view = BackwardView(trace)
    view.slider.value = 1
    out = trace.graph.functions[trace.graph.steps[1].func].outputs[0]
    assert "[1 1 1 1" in " ".join(nodes(view.figure.value)[out][1])
    assert fills(view.figure.value)[out] != NO_GRAD


def test_one_colour_scale_for_every_step(shell):
    trace = run_traced(shell, STEP_36)
    view = BackwardView(trace)
    gx = next(v.id for v in trace.graph.variables.values() if v.label == "gx")
    seen, tops = {}, set()
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        svg = view.figure.value
        tops.add(key_top(svg))
        texts = nodes(svg).get(gx, (None, []))[1]
        if gx in fills(svg) and "grad 48" in texts:
            seen[k] = fills(svg)[gx]
    assert tops == {f"192 ({TOP_NOTE})"}, tops       # dz/dx = 96 + 4 = 100; gx's grad 3 * 8**2 = 192
    assert len(seen) >= 2 and len(set(seen.values())) == 1, seen


def test_the_book_replay_keeps_one_scale_too(shell):
    trace = run_traced(shell, STEP_36)
    view = BackwardView(trace)
    view.mode.value = BOOK
    tops = set()
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        tops.add(key_top(view.figure.value))
    assert len(tops) == 1, tops


@pytest.mark.parametrize("text, read", [
    ("2", (2.0, True)), ("32 + 64", (96.0, True)), ("[1 -2] + [3 4]", (4.0, True)),
    ("(2, 2) [1 2 -3 4]", (4.0, True)), ("(2, 3) [0.1 -2 0.5 1 …]", (2.0, False)),
    ("[nan 1]", (1.0, True)), ("nan", None), ("1+2j", None), ("True", None), ("", None),
    ("[1 2] + [1 2 3]", None), ("[2] + [1 2]", (4.0, True))])
def test_a_grads_size_read_from_its_text(text, read):
    assert text_absmax(text) == read
