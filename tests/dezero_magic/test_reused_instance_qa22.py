"""QA S22-2: a student's cell that calls ONE Function object twice (`ops = {'sq': Square()}`):
their list-pop backward gives h.grad 4 (numerically 2) and x none. The Gradients tab's verdict names
the reused object (not an overwritten grad or an early backward), and the book comparison no longer
says "Same order ... ✓ same" of a replay that has one Square node for two calls."""
import re

import dezero_magic.widgets as dzw
from dezero_magic.graph import Graph
from dezero_magic.reused_instance import is_reused, popped_again, reused
from dezero_magic.widgets import lifecycle
from dezero_magic.widgets.backward_tab import BOOK, BackwardView
from dezero_magic.widgets.book_comparison import SAME, YOURS
from dezero_magic.widgets.gradients_tab import ALL_OK
from student_code import STEP14
from widget_html import text_of

CELL = ("ops = {'sq': Square(), 'add': Add()}\nx = Variable(np.array(3.0))\nh = Variable(np.array(1.0))\n"
        "y = ops['add'](ops['sq'](x), ops['sq'](h))\ny.backward()\n")


def _squeezed(fragment):
    return " ".join(text_of(re.sub(r"<style.*?</style>", " ", fragment, flags=re.S)).split())


def _setup(shell):
    assert shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:")).success
    assert shell.run_cell("%%dezero -o tt\n" + CELL).success
    assert float(shell.user_ns["h"].grad) == 4.0   # the student's own run, as plain Python gives it
    return shell.user_ns["tt"]


def test_the_note_the_views_read_is_there(shell):
    found = reused(_setup(shell).graph)
    assert [(r.op, r.made) for r in found] == [("Square", "v2")]
    assert reused(Graph()) == []


def test_the_stepper_line_for_the_second_pop(shell):
    # (for the Backward tab's step 3, where "they must be added, together 2 + 2" showed the bogus grad as due)
    graph = _setup(shell).graph
    square = next(f.id for f in graph.functions.values() if f.op == "Square")
    add = next(f.id for f in graph.functions.values() if f.op == "Add")
    assert is_reused(graph, square) and not is_reused(graph, add)
    assert popped_again("Square", "h", "4") == (
        "Square was popped again: one Square object stands for more than one call but keeps only its last call's "
        "input, so this grad, meant for an earlier call's input, goes to h a second time (now 4; the earlier "
        "call's input gets none)")


def test_the_gradients_verdict_names_the_reused_object(shell):
    view = dzw.view_for(_setup(shell))
    page = view.views["Gradients"]
    page.run.click()
    text = _squeezed(page.table.value)
    lifecycle.close_view(view)
    assert "FAIL" in text
    assert ("The 1 checked leaf grad FAILS the check: one Square object was called more than once and keeps only "
            "its last call") in text, text
    assert ("the FAIL comes from one Square object called more than once: it keeps only its last call's input "
            "and output") in text
    assert "Make a new one per call: Square()(x)" in text
    # neither wrong cause of before
    assert _squeezed(ALL_OK) not in text and "added up twice" not in text


def test_the_book_comparison_does_not_call_the_replay_the_same(shell):
    view = BackwardView(_setup(shell))
    view.mode.value = BOOK
    text = _squeezed(view.comparison.value)
    assert "Same order on this graph" not in text and SAME not in text, text
    assert ("This replay is not what your code ran: one Square object was called more than once, and the graph, "
            "like the object, keeps only its last call") in text
    assert "Your backward popped 3 functions; the replay pops 2." in text
    # beside the replay's grads, what the student's run stored: h 4 (marked), x none
    assert YOURS in text
    assert re.search(r"\bh 2 2 4\b", text) and re.search(r"\bx none none none\b", text), text


def test_the_stepper_does_not_call_the_second_grad_one_to_add(shell, displayed):
    view = BackwardView(_setup(shell))
    texts = []
    for k in range(1, view.slider.max + 1):
        view.slider.value = k
        texts.append(_squeezed(view.info.value))
    said = " ".join(texts)
    assert "Square was popped again: one Square object stands for more than one call" in said
    assert "they must be added (book step 14)" not in said
