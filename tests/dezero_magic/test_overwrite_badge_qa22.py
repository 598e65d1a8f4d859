"""QA B22-5: step 14's bug (a step-13 backward overwrites x.grad instead of adding) was
marked on x with the "+=" badge of an accumulated grad, while the step text said the
grad was not added: the badge reads "=" there, and the step line's badge too."""
import re

from dezero_magic.widgets.backward_tab import BackwardView
from student_code import STEP14
from widget_html import text_of


def _trace(shell, accumulate):
    head = f"ACCUMULATE = {accumulate}\nclass Variable:"
    assert shell.run_cell(STEP14.replace("class Variable:", head)).success
    assert shell.run_cell("%%dezero -o _t\nx = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\n").success
    return shell.user_ns["_t"]


def _badges(svg):
    return re.findall(r'<g class="dz-badge"><title>([^<]*)</title>.*?>([^<]*)</text></g>', svg)


def _said(view):
    texts = []
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        texts.append(" ".join(text_of(re.sub(r"<style.*?</style>", " ", view.info.value, flags=re.S)).split()))
    return " ".join(texts)


def test_an_overwritten_grad_is_badged_as_overwritten(shell, displayed):
    trace = _trace(shell, accumulate=False)
    assert float(shell.user_ns["x"].grad) == 1.0   # the bug, as plain Python gives it
    view = BackwardView(trace)
    said = _said(view)
    assert "your backward kept only the last grad (x.grad = gx)" in said
    marks = [m for svg in (view.figure.value, trace.svg()) for m in _badges(svg)]
    assert marks and all(mark == "=" and "kept only the last" in title for title, mark in marks), marks


def test_an_added_grad_keeps_the_accumulated_badge(shell, displayed):
    trace = _trace(shell, accumulate=True)
    marks = _badges(BackwardView(trace).figure.value) + _badges(trace.svg())
    assert marks and all(mark == "+=" for _, mark in marks), marks
