"""Notes on students' backward passes that QA found false or missing (a
backward that raised read as one returning too few grads, a reused Function
read as a generation slip, grads changed in place, an overwrite hidden by
retain_grad=False, the `funcs.append` outside the loop, a backward without
`return`, step 7 without the seed), and the right code that gets none."""
import sys

import pytest

from dezero_magic.backward_watch import BackwardWatch
from student_code import BOOK_MUL, DIAMOND_RUN, STEP7, STEP7_RUN, STEP14, STEP17, STEP18
from test_students import run
from test_students_notes import STEP16

TWO_SQUARES = ("x = Variable(np.array(2.0))\ny = Variable(np.array(3.0))\n"
               "z = add(square(x), square(y))\nz.backward()")


def changed(code, old, new):
    assert code.count(old) == 1, old
    return code.replace(old, new)


def run_failing(shell, displayed, code):
    """A %%dezero cell that raises: its trace is still shown."""
    result = shell.run_cell("%%dezero\n" + code)
    assert result.error_in_exec is not None
    assert sys.getprofile() is None
    return displayed[-1]


class _Func:
    """Function-like enough for the profile hook (inputs, outputs, no creator)."""
    inputs = outputs = ()

    def __init__(self, behaviour):
        self.behaviour = behaviour

    def backward(self, gy):
        return self.behaviour(gy)


def test_the_watch_tells_a_backward_that_raised_from_one_that_returned_none():
    # A profile hook's `return` event carries None both ways; the one that
    # raised was recorded as returning one grad (None).
    def fails(gy):
        return gy * [][0]  # raises in the middle of the return statement

    with BackwardWatch() as watch:
        with pytest.raises(IndexError):
            _Func(fails).backward(1.0)
        _Func(lambda gy: None).backward(1.0)
        _Func(lambda gy: (gy, gy)).backward(1.0)
    raised, none, two = watch.calls
    assert raised.raised and raised.gxs is None and not raised.returned_none
    assert none.returned_none and none.gxs is None and not none.raised
    assert len(two.gxs) == 2 and not two.raised and not two.returned_none


@pytest.mark.parametrize("code, cell", [
    (STEP16 + BOOK_MUL.replace("return gy * x1, gy * x0", "return gy * x1, gy * x0q"),
     "x = Variable(np.array(2.0))\ny = Variable(np.array(3.0))\nz = mul(x, y)\nz.backward()"),
    (STEP16 + BOOK_MUL.replace("return gy * x1, gy * x0", "raise ValueError('mine')"),
     "x = Variable(np.array(2.0))\ny = Variable(np.array(3.0))\nz = mul(x, y)\nz.backward()"),
])
def test_a_backward_that_raises_gets_no_grad_count_note(shell, displayed, code, cell):
    # F1: "Mul.backward returned 1 grad for its 2 inputs, so y got none".
    shell.run_cell(code)
    trace = run_failing(shell, displayed, cell)
    assert not [n for n in trace.graph.notes if "backward returned" in n], trace.graph.notes
    assert len(trace.graph.steps) == 1
    # the backward that raised is named, as dezero's own are (x0q: a NameError in it)
    [note] = [n for n in trace.graph.notes if n.startswith("The backward of ")]
    # ... by what is drawn, not by a node id the graph does not show
    assert note.startswith("The backward of Mul (making ") and " raised: the pass stopped" in note
    assert f"({trace.graph.steps[0].func})" not in note


def test_arrays_as_inputs_and_a_backward_that_raises_get_no_grad_count_note(shell, displayed):
    # F1: "Square.backward returned 1 grad for its 0 inputs" beside the true note.
    shell.run_cell(changed(STEP16, "        self.inputs = inputs\n", "        self.inputs = xs\n"))
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\ny.backward()")
    assert [n for n in trace.graph.notes if n.startswith("Square's inputs are arrays")]
    assert not [n for n in trace.graph.notes if "grad for its" in n], trace.graph.notes


def test_a_reused_function_is_no_generation_slip(shell, displayed):
    # F2: f(f(x)) in right step-16 code: the second call moved f.generation,
    # and the first call's output read as set_creator's fault.
    shell.run_cell(STEP16)
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\nf = Square()\ny = f(f(x))\ny.backward()")
    notes = trace.graph.notes
    assert [n for n in notes if n.startswith("One Square object (f: Square) was called more than once")]
    assert not [n for n in notes if "generation" in n], notes


def test_a_reused_function_in_step_7_makes_no_sum_notes(shell, displayed):
    # F8: A used twice links b back to a: the recursion runs until
    # RecursionError, and "b received 506 grads ... overwrote" was told.
    shell.run_cell(STEP7)
    trace = run_failing(shell, displayed, "A = Square(); B = Exp()\nx = Variable(np.array(0.5))\n"
                                          "a = A(x)\nb = B(a)\ny = A(b)\ny.grad = np.array(1.0)\ny.backward()")
    notes = trace.graph.notes
    assert [n for n in notes if n.startswith("One Square object (A: Square) was called more than once")]
    assert not [n for n in notes if "received" in n], notes


STEP16_IN_PLACE = changed(STEP16, "                x.grad = gx if x.grad is None else x.grad + gx\n",
                          "                if x.grad is None:\n                    x.grad = gx\n"
                          "                else:\n                    x.grad += gx\n")


def test_a_grad_array_changed_in_place_is_told(shell, displayed):
    # F3: Add's backward gives y's grad array itself to x, and `x.grad += gx`
    # adds into it: y.grad ends as 2, and nothing said so.
    shell.run_cell(STEP16_IN_PLACE)
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()")
    assert float(shell.user_ns["y"].grad) == 2.0
    [note] = trace.graph.notes
    assert note.startswith("y's grad changed in place after Add's backward took it: from 1 to 2 by the end "
                           "of the backward pass.")
    assert "`x.grad += gx`" in note and "Write x.grad = x.grad + gx" in note and "step 14" in note
    # three grads of 1 make x.grad 4: the sum note says why
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(add(x, x), x)\ny.backward()")
    assert float(shell.user_ns["x"].grad) == 4.0
    notes = trace.graph.notes
    assert [n for n in notes if n.startswith("The grads of y, ") and "changed in place" in n], notes
    assert [n for n in notes if n.startswith("x received 3 grads (1, 1, 1) but x.grad is 4, not their sum 3: "
                                             "x.grad is the very array that was y's grad, and your `+=` added "
                                             "into it in place")], notes


@pytest.mark.parametrize("cell", [
    "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()",
    "x = Variable(np.array(3.0))\ny = add(add(x, x), x)\ny.backward()",
    DIAMOND_RUN,
    TWO_SQUARES,
])
def test_right_step_16_code_gets_no_note(shell, displayed, cell):
    shell.run_cell(STEP16)
    trace = run(shell, displayed, cell)
    assert trace.graph.steps and trace.graph.notes == [], trace.graph.notes


def test_an_overwrite_is_told_when_retain_grad_false_freed_the_grad(shell, displayed):
    # F4: step 18's default frees a.grad, and `x.grad = gx` went unseen (x.grad 32, not 64).
    shell.run_cell(changed(STEP18, "x.grad = gx if x.grad is None else x.grad + gx", "x.grad = gx"))
    trace = run(shell, displayed, DIAMOND_RUN)
    assert float(shell.user_ns["x"].grad) == 32.0 and shell.user_ns["a"].grad is None
    assert trace.graph.notes == ["a received 2 grads (8, 8) but a.grad was 8 when its creator's backward took "
                                 "it, not their sum 16: a later grad overwrote an earlier one (step 14: add "
                                 "them, x.grad = x.grad + gx)."]
    shell.run_cell(STEP18)
    for retain in ("", "retain_grad=True"):
        trace = run(shell, displayed, DIAMOND_RUN.replace("y.backward()", f"y.backward({retain})"))
        assert trace.graph.notes == [], trace.graph.notes


def test_an_overwrite_is_told_beside_the_early_pop_when_nothing_freed_the_grad(shell, displayed):
    # F6: no generations and `x.grad = gx` at once: only the order was told,
    # as if retain_grad=False had freed a's grad (this backward has no retain_grad).
    shell.run_cell(changed(STEP17, "x.grad = gx if x.grad is None else x.grad + gx", "x.grad = gx")
                   .replace("class Variable:", "GENERATIONS = False\nclass Variable:"))
    notes = run(shell, displayed, DIAMOND_RUN).graph.notes
    assert [n for n in notes if n.startswith("The Square that made a ran its backward")], notes
    assert [n for n in notes if n.startswith("a received 2 grads (8, 8) but a.grad is 8, not their sum 16: a "
                                             "later grad overwrote")], notes


STEP16_QUEUE_OUTSIDE = changed(STEP16, "                if x.creator is not None:\n"
                                       "                    if GENERATIONS:\n"
                                       "                        add_func(x.creator)\n"
                                       "                    else:\n"
                                       "                        funcs.append(x.creator)\n",
                               "            if x.creator is not None:\n"
                               "                add_func(x.creator)\n")


def test_a_function_the_pass_never_reached_is_told(shell, displayed):
    # F5: the study note's indentation bug queues only the last input's creator.
    shell.run_cell(STEP16_QUEUE_OUTSIDE)
    trace = run(shell, displayed, TWO_SQUARES)
    assert shell.user_ns["x"].grad is None and len(trace.graph.steps) == 2
    [note] = trace.graph.notes
    assert note.startswith("Square (making v1) never ran its backward in this pass, so x got no grad: your "
                           "Variable.backward never queued it; the `if x.creator is not None:`"), note
    assert "inside the loop over the inputs" in note
    # a, whose other user did run, has a grad: it got none from the one that did not
    [note] = run(shell, displayed, DIAMOND_RUN).graph.notes
    assert note.startswith("Square (making v2) never ran its backward in this pass, so a got no grad from it: ")


@pytest.mark.parametrize("cell", [
    # a pass begun from an intermediate variable: c (downstream of b) never runs, rightly
    "x = Variable(np.array(2.0))\na = square(x)\nb = square(a)\nc = add(b, a)\nb.backward()",
    # a cut link: a has no creator any more
    "x = Variable(np.array(2.0))\na = square(x)\na.creator = None\ny = add(square(a), a)\ny.backward()",
    # a graph cut by the node budget
    "x = Variable(np.array(1.0))\ny = x\nfor i in range(600):\n    y = add(y, x)\ny.backward()",
])
def test_right_passes_that_skip_functions_rightly_get_no_never_ran_note(shell, displayed, cell):
    shell.run_cell(STEP16)
    trace = run(shell, displayed, cell)
    assert not [n for n in trace.graph.notes if "never ran" in n], trace.graph.notes


def test_a_step_7_backward_that_does_not_recurse_is_told(shell, displayed):
    shell.run_cell(changed(STEP7, "            x.backward()\n", ""))
    notes = run(shell, displayed, STEP7_RUN).graph.notes
    assert notes == ["Exp (making b) never ran its backward in this pass, so a got no grad: your "
                     "Variable.backward never went on to it; it must go on to the creator of every input "
                     "(book step 7: x.backward() for the input)."]


def test_a_backward_without_return_is_told_at_the_function_that_forgot_it(shell, displayed):
    # F7: the NEXT backward raised `float * NoneType`, pointing at the wrong function.
    shell.run_cell(changed(STEP16, "        return 2 * self.inputs[0].data * gy\n",
                           "        gx = 2 * self.inputs[0].data * gy\n"))
    trace = run_failing(shell, displayed, "x = Variable(np.array(2.0))\ny = add(square(square(x)), x)\n"
                                          "y.backward()")
    assert trace.graph.notes == ["Square.backward returned None: did it forget `return`? (the next backward "
                                 "got None as its grad)"]
    # Add's two grads as None: not "returned 1 grad for its 2 inputs"
    shell.run_cell(changed(STEP16, "        return gy, gy\n", "        gx = gy, gy\n"))
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\ny = Variable(np.array(3.0))\n"
                                  "z = add(x, y)\nz.backward()")
    assert trace.graph.notes == ["Add.backward returned None: did it forget `return`?"]


def test_step_7_without_the_seed_is_told(shell, displayed):
    # F9: y.backward() without y.grad = np.array(1.0): a TypeError, no word.
    shell.run_cell(STEP7)
    trace = run_failing(shell, displayed, STEP7_RUN.replace("y.grad = np.array(1.0)\n", ""))
    assert trace.graph.notes == ["y.grad was None when backward began: set y.grad = np.array(1.0) first "
                                 "(book step 7; step 9's backward does it for you)."]
    # with the seed, or a backward that seeds itself (step 9 on): nothing to tell
    assert run(shell, displayed, STEP7_RUN).graph.notes == []
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    assert run(shell, displayed, "x = Variable(np.array(2.0))\ny = square(x)\ny.backward()").graph.notes == []
