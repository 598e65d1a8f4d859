"""The notes %%dezero writes about students' own classes (steps 13-16):
right code gets none, each note says what the numbers show, and a note
stays a line. QA found each case in a student's notebook."""
import pytest

from dezero_magic import backward_watch
from dezero_magic.cell_names import top_level_names
from student_code import BOOK_MUL, DIAMOND_RUN, STEP14, STEP17, SUPER_DIAMOND
from test_students import ops_in_backward_order, run

STEP14_ADDING = STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:")
STEP14_OVERWRITING = STEP14.replace("class Variable:", "ACCUMULATE = False\nclass Variable:")
STEP16 = STEP17.replace("class Variable:", "GENERATIONS = True\nclass Variable:")


def var(trace, label):
    return next(v for v in trace.graph.variables.values() if v.label == label)


@pytest.mark.parametrize("code", [
    "x = Variable(np.array(1/3))\ny = x * x\ny.backward()",
    DIAMOND_RUN.replace("2.0", "1/3"),       # a gets 2/9 twice: 0.4444 + 0.4444 reads as 0.8889
])
def test_right_grads_whose_previews_round_get_no_note(shell, displayed, code):
    # The note compared the 4-digit text on the node ("0.6667") with the sum
    # at full precision, and told a student whose code was right that x.grad
    # (0.6667) was "not their sum 0.6667".
    shell.run_cell(STEP16 + BOOK_MUL)
    trace = run(shell, displayed, code)
    assert trace.graph.steps and trace.graph.notes == [], trace.graph.notes


def test_an_overwritten_grad_is_still_told_at_full_precision(shell, displayed):
    shell.run_cell(STEP14_OVERWRITING)
    trace = run(shell, displayed, "x = Variable(np.array(1/3))\ny = add(square(x), square(x))\ny.backward()")
    assert ("x received 2 grads (0.6667, 0.6667) but x.grad is 0.6667, not their sum 1.333: a later grad "
            "overwrote an earlier one") in trace.graph.notes[0]


def test_a_grad_off_by_less_than_the_preview_shows_gets_digits_that_differ(shell, displayed):
    shell.run_cell(STEP14_ADDING.replace("x.grad = x.grad + gx", "x.grad = x.grad + gx + 1e-5"))
    trace = run(shell, displayed, "x = Variable(np.array(1/3))\ny = add(square(x), square(x))\ny.backward()")
    [note] = trace.graph.notes
    assert "but x.grad is 1.33334333333, not their sum 1.33333333333." in note


def test_a_backward_that_calls_super_is_one_step(shell, displayed):
    # The profile hook saw A.backward and then Square.backward (through
    # super()) and counted each step twice: "D D C C A A B B A A".
    shell.run_cell(STEP14_ADDING)
    trace = run(shell, displayed, SUPER_DIAMOND)
    assert ops_in_backward_order(trace) == ["D", "C", "A", "B", "A"]
    assert not any("received" in n for n in trace.graph.notes), trace.graph.notes
    [note] = trace.graph.notes
    assert note.startswith("The A that made a ran its backward (it ran 2 times) before the B")
    assert float(var(trace, "x").grad) == pytest.approx(float(shell.user_ns["x"].grad), rel=1e-3)


def test_parameters_of_the_cells_defs_are_no_roots(shell, displayed):
    # Book code reuses w, x0, x1 as parameter names; an earlier cell's
    # variables of those names were drawn as stray leaves.
    shell.run_cell(STEP16)
    shell.run_cell("w = Variable(np.array(7.0))\nx0 = Variable(np.array(5.0))\nx1 = Variable(np.array(6.0))")
    trace = run(shell, displayed, "def f(w):\n    return square(w)\n\n"
                                  "def add2(x0, x1):\n    return add(x0, x1)\n\n"
                                  "a = Variable(np.array(3.0))\nb = add2(f(a), a)\nb.backward()")
    g = trace.graph
    assert sorted(v.value for v in g.variables.values()) == ["12", "3", "9"]
    assert not {"w", "x0", "x1"} & {v.label for v in g.variables.values()}
    # An earlier cell's variable the cell reads at its top level is still drawn.
    again = run(shell, displayed, "b = square(x0)\nb.backward()")
    assert var(again, "x0").value == "5"


def test_top_level_names_leave_out_what_is_local_to_defs_classes_and_comprehensions():
    code = ("@deco\ndef f(w, k=default):\n    global g\n    return square(w)\n"
            "class A(Base):\n    z = q\n"
            "ys = [square(x) for x in xs]\nh = lambda x1: x1\na = f(v)\n")
    assert top_level_names(code) == ["deco", "default", "Base", "ys", "xs", "h", "a", "f", "v", "g"]
    assert top_level_names("x = (") == []


def test_a_grad_left_from_an_earlier_backward_is_told_as_a_leftover(shell, displayed):
    # Book step 14 without cleargrad: the second pass adds 3 to the 2 x held.
    # The note said "not their sum 3" and nothing about why.
    shell.run_cell(STEP14_ADDING)
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\n"
                                  "y = add(add(x, x), x)\ny.backward()")
    [note] = trace.graph.notes
    assert note == ("x received 3 grads (1, 1, 1) but x.grad is 5, their sum 3 plus what it held before: "
                    "x.grad already held 2 from an earlier backward; call x.cleargrad() before backward "
                    "(step 14).")
    # The earlier backward may be an earlier cell's; one grad is enough to tell.
    shell.run_cell("x = Variable(np.array(3.0))\ny = square(x)\ny.backward()")
    later = run(shell, displayed, "y = square(x)\ny.backward()")
    assert later.graph.notes == ["x received 1 grad (6) but x.grad is 12, their sum 6 plus what it held "
                                 "before: x.grad already held 6 from an earlier backward; call x.cleargrad() "
                                 "before backward (step 14)."]


def test_a_note_lists_a_few_grads_and_counts_the_rest(shell, displayed):
    shell.run_cell(STEP14_OVERWRITING)
    trace = run(shell, displayed, "x = Variable(np.array(1.0))\ny = add(x, x)\n"
                                  "for i in range(19):\n    y = add(y, x)\ny.backward()")
    [note] = [n for n in trace.graph.notes if "received" in n]
    assert note.startswith("x received 21 grads (1, 1, 1, 1, 1, 1, … and 15 more) but x.grad is 1, "
                           "not their sum 21")
    assert len(note) < 200


def test_no_sum_is_checked_when_the_pass_lost_its_first_steps(shell, displayed, monkeypatch):
    # An endless backward (one Square instance used twice) keeps only its
    # last calls: the grads kept are not all x received, so their sum says nothing.
    monkeypatch.setattr(backward_watch, "MAX_CALLS", 10)
    shell.run_cell(STEP14_ADDING)
    trace = run(shell, displayed, "x = Variable(np.array(1.0))\ny = add(x, x)\n"
                                  "for i in range(19):\n    y = add(y, x)\ny.backward()")
    assert float(shell.user_ns["x"].grad) == 21.0 and trace.graph.elided_steps == 10
    assert trace.graph.notes == [], trace.graph.notes


@pytest.mark.parametrize("returns, said", [
    ("gy", "Add2.backward returned 1 grad for its 2 inputs, so x1 got none: return one grad per input, "
           "as a tuple"),
    ("gy, gy, gy", "Add2.backward returned 3 grads for its 2 inputs: the extra ones were dropped"),
])
def test_a_backward_that_returns_the_wrong_number_of_grads_is_told(shell, displayed, returns, said):
    # zip() in the student's loop pairs grads with inputs silently: x1 showed "grad —", unexplained.
    shell.run_cell(STEP14_ADDING)
    trace = run(shell, displayed, "class Add2(Function):\n    def forward(self, x0, x1):\n        return x0 + x1\n"
                                  f"    def backward(self, gy):\n        return {returns}\n"
                                  "x0 = Variable(np.array(2.0))\nx1 = Variable(np.array(3.0))\n"
                                  "y = Add2()(x0, x1)\ny.backward()")
    assert [n for n in trace.graph.notes if said in n], trace.graph.notes


def test_a_right_number_of_grads_gets_no_such_note(shell, displayed):
    shell.run_cell(STEP14_ADDING)
    trace = run(shell, displayed, "x0 = Variable(np.array(2.0))\nx1 = Variable(np.array(3.0))\n"
                                  "y = add(square(x0), x1)\ny.backward()")
    assert not [n for n in trace.graph.notes if "backward returned" in n]


def test_grads_the_students_step_18_backward_freed_are_shown_as_freed(shell, displayed):
    from dezero_magic.memory import DEFAULT, mode_figures
    from student_code import STEP18

    shell.run_cell(STEP18)
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\nt = square(x)\ny = square(t)\ny.backward()")
    assert shell.user_ns["t"].grad is None and shell.user_ns["x"].grad is not None
    freed = {v.label for v in trace.graph.variables.values() if v.grad_freed}
    assert freed == {"t", "y"}
    figures = {f.mode: f for f in mode_figures(trace.graph)}[DEFAULT]
    assert {trace.graph.variables[v].label for v in figures.grads_freed} == {"t", "y"}
    # kept with retain_grad=True: nothing is called freed
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\nt = square(x)\ny = square(t)\n"
                                  "y.backward(retain_grad=True)")
    assert not any(v.grad_freed for v in trace.graph.variables.values())


def test_a_recursive_backward_has_no_queue_and_a_loop_has_one(shell, displayed):
    from dezero_magic.widgets.backward_tab import NO_QUEUE, BackwardView
    from student_code import STEP7, STEP7_RUN
    from widget_html import text_of

    view = BackwardView(run(shell, displayed, STEP7 + STEP7_RUN))
    assert view.slider.max == 3
    for k in (1, 3):
        view.slider.value = k
        assert NO_QUEUE in text_of(view.queue.value) and "last step" not in text_of(view.queue.value)
    shell.run_cell(STEP16)
    view = BackwardView(run(shell, displayed, DIAMOND_RUN))
    assert "in the order it will be popped" in text_of(view.queue.value)
    view.slider.value = view.slider.max
    assert "empty: this was the last step" in text_of(view.queue.value)


def test_backward_run_twice_on_one_graph_is_one_note(shell, displayed):
    shell.run_cell(STEP16)
    trace = run(shell, displayed, DIAMOND_RUN + "y.backward()\n")
    leftover = [n for n in trace.graph.notes if "held before" in n or "already held" in n]
    assert len(leftover) == 1 and "backward ran again on a graph whose grads nobody cleared" in leftover[0]


def test_a_backward_that_returns_a_list_is_read_as_the_books_loop_reads_it(shell, displayed):
    # `if not isinstance(gxs, tuple): gxs = (gxs,)`: the list is x0's one grad, x1 gets none.
    shell.run_cell(STEP14_ADDING.replace("        return gy, gy\n", "        return [gy, gy]\n", 1))
    trace = run(shell, displayed, "x0 = Variable(np.array(2.0))\nx1 = Variable(np.array(3.0))\n"
                                  "y = add(x0, x1)\ny.backward()")
    assert shell.user_ns["x1"].grad is None
    # (said as a list, not as "returned 1 grad": it returned two, in a list)
    assert [n for n in trace.graph.notes if "Add.backward returned a list" in n
            and "x0 got the whole list and x1 none" in n]
    step = trace.graph.steps[0]
    assert list(step.gxs) == [var(trace, "x0").id]


def test_the_stepper_sizes_ovals_for_the_sums_it_shows_of_students_grads(shell, displayed):
    from dezero_magic.layout import CHAR_PX
    from dezero_magic.widgets.backward_tab import BackwardView, running_grads

    shell.run_cell(STEP17.replace("class Variable:", "GENERATIONS = False\nclass Variable:"))  # step 15
    trace = run(shell, displayed, DIAMOND_RUN)
    view = BackwardView(trace)
    assert "32 + 64" in running_grads(trace.graph.steps, view.slider.max)[0].values()
    for k in range(1, view.slider.max + 1):
        grads, _ = running_grads(trace.graph.steps, k)
        for vid, text in grads.items():
            width = trace.layout.sizes[vid][0]
            assert len("grad " + text) * CHAR_PX * 1.1 < width, (k, vid, text, width)


def test_a_forgotten_generation_is_told_and_the_queue_shows_the_students_numbers(shell, displayed):
    from dezero_magic.widgets.backward_tab import BackwardView
    from widget_html import text_of

    forgot = STEP16.replace("        self.generation = func.generation + 1\n", "")
    assert forgot != STEP16
    shell.run_cell(forgot)
    trace = run(shell, displayed, DIAMOND_RUN)
    note = [n for n in trace.graph.notes if n.startswith("Your variables' generation")]
    assert note and "self.generation = func.generation + 1" in note[0] and "(should be 1)" in note[0]
    queue = text_of(BackwardView(trace).queue.value)
    assert "generation 0 in your code (by the links: 1)" in queue
    shell.run_cell(STEP16)  # done right: nothing to say
    trace = run(shell, displayed, DIAMOND_RUN)
    assert not [n for n in trace.graph.notes if "generation" in n]
    assert "in your code" not in text_of(BackwardView(trace).queue.value)


@pytest.mark.parametrize("code, magic", [
    # a graph cut by the node budget: its far creators are not drawn
    ("x = Variable(np.array(1.0))\ny = x\nfor i in range(600):\n    y = add(y, x)\ny.backward()", "%%dezero"),
])
def test_right_generations_and_sums_are_not_blamed_on_a_cut_graph(shell, displayed, code, magic):
    shell.run_cell(STEP16)
    trace = run(shell, displayed, code)
    assert trace.graph.elided_functions > 0
    assert not [n for n in trace.graph.notes if "generation" in n or "not their sum" in n], trace.graph.notes
    assert float(shell.user_ns["x"].grad) == 601.0


def test_dezero_graphs_unchained_or_cut_get_no_generation_note(shell, displayed):
    shell.run_cell("x = Variable(np.array(1.0))\nh = x\nfor i in range(5):\n    h = F.tanh(h)\n"
                   "h.unchain_backward()\ny = F.sin(h) * 2")
    shell.run_cell("%dezero y")
    assert not [n for n in displayed[-1].graph.notes if "generation" in n]


def test_one_function_object_called_twice_is_told(shell, displayed):
    shell.run_cell(STEP16)
    trace = run(shell, displayed, "sq = Square()\nx = Variable(np.array(3.0))\na = sq(x)\nb = sq(a)\n"
                                  "b.backward()")
    note = [n for n in trace.graph.notes if n.startswith("One Square object (sq: Square) was called more than once")]
    assert note and "a came from an earlier call" in note[0], trace.graph.notes
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\na = square(x)\nb = square(a)\nb.backward()")
    assert not [n for n in trace.graph.notes if "called more than once" in n]


def test_a_variable_without_backward_yet_is_told_so_in_the_backward_tab(shell, displayed):
    import re

    from dezero_magic.widgets.backward_tab import NO_BACKWARD, NO_BACKWARD_METHOD, BackwardView
    from student_code import STEP7
    from widget_html import text_of

    # step 7 before its Variable.backward: creators, but nothing to call
    before = re.sub(r"    def backward\(self\):\n(        .*\n|\n)*?(?=class Function)", "", STEP7, count=1)
    assert "def backward(self):" not in before.split("class Function")[0]
    shell.run_cell(before)
    trace = run(shell, displayed, "A = Square()\nx = Variable(np.array(0.5))\ny = A(x)")
    assert trace.graph.functions and not trace.graph.steps
    assert NO_BACKWARD_METHOD in text_of(BackwardView(trace).message.value)
    shell.run_cell(STEP7)  # with it, and no backward run: the usual advice
    trace = run(shell, displayed, "A = Square()\nx = Variable(np.array(0.5))\ny = A(x)")
    assert NO_BACKWARD[:40] in text_of(BackwardView(trace).message.value)


def test_the_stepper_shows_an_overwritten_grad_as_the_students_code_kept_it(shell, displayed):
    from dezero_magic.widgets.backward_tab import BackwardView
    from widget_html import text_of

    shell.run_cell(STEP14_OVERWRITING)
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()")
    assert float(shell.user_ns["x"].grad) == 1.0  # the step-13 bug: 1, not 2
    view = BackwardView(trace)
    view.slider.value = view.slider.max
    text = text_of(view.info.value)
    assert "your backward kept only the last grad (x.grad = gx): x.grad ends as 1" in text
    x = var(trace, "x")
    assert f'data-node-id="{x.id}"' in view.figure.value
    assert "grad 1 + 1" not in text_of(view.figure.value) and "grad 1" in text_of(view.figure.value)


def test_the_gradients_tab_says_a_variable_has_no_backward_yet(shell, displayed):
    import re

    from dezero_magic.numgrad import check_gradients
    from dezero_magic.widgets.gradients_tab import table_html
    from student_code import STEP7
    from widget_html import text_of

    before = re.sub(r"    def backward\(self\):\n(        .*\n|\n)*?(?=class Function)", "", STEP7, count=1)
    shell.run_cell(before)
    trace = run(shell, displayed, "A = Square()\nx = Variable(np.array(0.5))\ny = A(x)")
    text = text_of(table_html(check_gradients(trace)))
    assert "your Variable class has no backward() yet (book step 7 adds it)" in text and "-b" not in text


def test_a_grad_their_step_18_backward_freed_before_the_last_grad_came_is_no_overwrite(shell, displayed):
    # The step-16 typo (generation not +1) pops a's creator early; retain_grad=False
    # then frees a.grad, and the last grad alone is what a holds: their code adds.
    from student_code import STEP18

    shell.run_cell(STEP18.replace("self.generation = func.generation + 1", "self.generation = func.generation"))
    cell = "x = Variable(np.array(2.0))\na = square(x)\ny = add(square(a), square(a))\ny.backward({})"
    for retain in ("", "retain_grad=True"):
        notes = " ".join(run(shell, displayed, cell.format(retain)).graph.notes)
        assert "overwrote" not in notes and "generation" in notes and "incomplete" in notes, notes
    # a real overwrite (x.grad = gx) in the same situation is still told
    shell.run_cell(STEP18.replace("x.grad = gx if x.grad is None else x.grad + gx", "x.grad = gx"))
    notes = " ".join(run(shell, displayed, cell.format("retain_grad=True")).graph.notes)
    assert "a later grad overwrote an earlier one" in notes


def test_set_creator_called_on_the_input_is_told_as_such_not_as_a_reused_function(shell, displayed):
    from student_code import STEP7

    assert "output.set_creator(self)" in STEP7
    shell.run_cell(STEP7.replace("output.set_creator(self)", "input.set_creator(self)"))
    trace = run(shell, displayed, "x = Variable(np.array(0.5))\na = Square()(x)\nb = Square()(a)")
    notes = " ".join(trace.graph.notes)
    assert "called more than once" not in notes
    assert "The creator of x, a is the function they were given to as input" in notes
    assert "output.set_creator(self)" in notes


def test_a_forward_without_return_is_drawn_as_none_and_told(shell, displayed):
    from student_code import STEP7

    shell.run_cell(STEP7 + "\nclass Cube(Function):\n    def forward(self, x):\n        y = x ** 3\n"
                   "    def backward(self, gy):\n        return 3 * self.input.data ** 2 * gy\n")
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\ny = Cube()(x)")
    assert [f.op for f in trace.graph.functions.values()] == ["Cube"]  # (y and its creator were left out)
    y = var(trace, "y")
    assert y.value == "None"
    assert any(n.startswith("y.data is None: Cube.forward returned None") for n in trace.graph.notes)


def test_a_tuple_grad_is_drawn_as_a_tuple_and_told(shell, displayed):
    from student_code import STEP7

    shell.run_cell(STEP7 + "\nclass Square2(Function):\n    def forward(self, x):\n        return x ** 2\n"
                   "    def backward(self, gy):\n        return (2 * self.input.data * gy,)\n")
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\na = Square2()(x)\ny = Exp()(a)\n"
                                  "y.grad = np.array(1.0)\ny.backward()")
    assert var(trace, "x").grad.startswith("tuple ")
    assert any("The grad of x is a tuple, not an array" in n for n in trace.graph.notes)


def test_arrays_stored_as_a_functions_inputs_are_told(shell, displayed):
    assert STEP14.count("        self.inputs = inputs\n") == 1
    shell.run_cell(STEP14_ADDING.replace("        self.inputs = inputs\n", "        self.inputs = xs\n"))
    trace = run(shell, displayed, "x0 = Variable(np.array(2.0))\nx1 = Variable(np.array(3.0))\ny = add(x0, x1)")
    assert any(n.startswith("Add's inputs are arrays, not Variables") for n in trace.graph.notes), trace.graph.notes
    shell.run_cell(STEP14_ADDING)
    trace = run(shell, displayed, "x0 = Variable(np.array(2.0))\nx1 = Variable(np.array(3.0))\ny = add(x0, x1)")
    assert not any("are arrays, not Variables" in n for n in trace.graph.notes)
