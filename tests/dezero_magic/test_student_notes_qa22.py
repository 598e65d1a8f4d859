"""QA session 22, a student's own book classes: a backward pass the user
interrupted (the list-pop loop of `f = Square(); y = f(f(x))` never ends) is
told as interrupted, not as "Your Variable.backward raised" (S22-3); and with
`output.creator = self` instead of set_creator, the generation note's "should
be" numbers are those the links give, listed in forward order (S22-6)."""
import sys

from student_code import DIAMOND_RUN, STEP14, STEP17

# A Ctrl-C that lands in the student's loop after 50 steps (as Interrupt does: the
# pass never ends on its own, as in a plain cell), made deterministic for the test.
STOP = '''
pressed = [0]
def interrupt_after_50():
    pressed[0] += 1
    if pressed[0] == 50:
        raise KeyboardInterrupt
'''
LOOPING = "x = Variable(np.array(0.5))\nf = Square()\ny = f(f(x))\ny.backward()\n"


def _interrupted(shell, displayed, classes):
    shell.run_cell(classes)
    result = shell.run_cell("%%dezero\n" + LOOPING)
    assert isinstance(result.error_in_exec, KeyboardInterrupt), result.error_in_exec
    assert sys.getprofile() is None
    return " ".join(displayed[-1].graph.notes)


def test_an_interrupt_in_the_students_loop_is_told_as_an_interrupt(shell, displayed):
    looped = STEP14.replace("                    funcs.append(x.creator)\n",
                            "                    funcs.append(x.creator)\n                    interrupt_after_50()\n")
    assert looped != STEP14
    notes = _interrupted(shell, displayed, STOP + looped + "ACCUMULATE = True\n")
    assert "Your Variable.backward raised" not in notes and "never stored" not in notes, notes
    assert "The backward pass was interrupted after 50 backward steps" in notes, notes
    assert "your code raised nothing" in notes
    assert "The list of functions to run (funcs) kept getting f: Square (making y) back (its backward ran 50 times)" in notes, notes


def test_an_interrupt_inside_a_functions_backward_is_not_told_as_its_raise(shell, displayed):
    stopped = STEP14.replace("        return 2 * self.inputs[0].data * gy\n",
                             "        interrupt_after_50()\n        return 2 * self.inputs[0].data * gy\n")
    assert stopped != STEP14
    notes = _interrupted(shell, displayed, STOP + stopped + "ACCUMULATE = True\n")
    assert "raised: the pass stopped there" not in notes, notes
    assert "The backward pass was interrupted after" in notes and "kept getting f: Square" in notes, notes


def test_a_real_raise_in_the_loop_is_still_told_as_raised(shell, displayed):
    # the step-13 typo's kind: Variable.backward itself raises after a step returned
    typo = "                    raise ValueError('typo')\n"
    append = "                    funcs.append(x.creator)\n"
    broken = STEP14.replace(append, append + typo)
    shell.run_cell(broken + "ACCUMULATE = True\n")
    result = shell.run_cell("%%dezero\nx = Variable(np.array(0.5))\ny = square(square(x))\ny.backward()")
    assert isinstance(result.error_in_exec, ValueError)
    notes = " ".join(displayed[-1].graph.notes)
    assert "Your Variable.backward raised after the backward of" in notes and "interrupted" not in notes, notes


def test_generations_left_at_0_by_creator_set_directly_are_told_with_the_links_numbers(shell, displayed):
    direct = STEP17.replace("output.set_creator(self)", "output.creator = self")
    assert direct != STEP17
    shell.run_cell(direct + "GENERATIONS = True\n")
    shell.run_cell("%%dezero\n" + DIAMOND_RUN.replace("np.array(2.0))", "np.array(2.0), name='x')"))
    note = [n for n in displayed[-1].graph.notes if n.startswith("Your variables' generation")]
    assert note, displayed[-1].graph.notes
    # by the links: a = square(x) is 1, the two square(a) are 2, y = add(...) is 3; in forward order
    assert "a 0 (should be 1), v2 0 (should be 2), v3 0 (should be 2) and y 0 (should be 3)" in note[0] \
        or "a 0 (should be 1), v2 0 (should be 2), v3 0 (should be 2), y 0 (should be 3)" in note[0], note[0]
    assert "call output.set_creator(self)" in note[0]
