"""Graphs of students' own classes that QA found false or silent: a leaf
changed after the pass (a gradient step) drawn with its new value, a cell
that also used dezero's classes, `__slots__` classes without backward
steps, a graph nobody holds any more (a def, a `del`, a list), a forward
that raised, "freed" said of grads a crashed pass never stored, and the
count of an early-popped function's backward calls."""
import re
import sys

from dezero_magic.adapters import cell_roots
from dezero_magic.backward_watch import BackwardWatch
from dezero_magic.student_cell_notes import mixed_notes
from dezero_magic.trace import EMPTY
from student_code import BOOK_MUL, SHORT_CLASSES, STEP17, STEP18
from test_students import run
from test_students_pass_notes import changed, run_failing

STEP18_MUL = STEP18 + BOOK_MUL

GRADIENT_STEPS = """
x = Variable(np.array(2.0))
for i in range(2):
    y = x * x
    x.cleargrad()
    y.backward()
    x.data -= 0.1 * x.grad
"""


def test_a_leaf_changed_after_the_pass_shows_the_value_the_pass_used(shell, displayed):
    # x was 1.6 when the last pass ran (its grad 3.2 is that pass's); it is 1.28 now.
    shell.run_cell(STEP18_MUL)
    trace = run(shell, displayed, GRADIENT_STEPS)
    x = next(v for v in trace.graph.variables.values() if v.label == "x")
    assert x.value == "1.6" and x.grad == "3.2"
    [note] = [n for n in trace.graph.notes if n.startswith("Values shown are those your last backward pass used")]
    assert "x is now 1.28" in note


def test_a_leaf_left_alone_after_the_pass_gets_no_values_note(shell, displayed):
    shell.run_cell(STEP18_MUL)
    trace = run(shell, displayed, GRADIENT_STEPS.replace("    x.data -= 0.1 * x.grad\n", ""))
    assert not [n for n in trace.graph.notes if "changed after it" in n]
    assert next(v for v in trace.graph.variables.values() if v.label == "x").value == "2"


def test_a_newer_forward_from_the_changed_leaf_is_drawn_as_it_is(shell, displayed):
    # y2 was computed from the new x after the pass: its value is x's now, no note
    shell.run_cell(STEP18_MUL)
    trace = run(shell, displayed, GRADIENT_STEPS + "y2 = x * x\n")
    assert not [n for n in trace.graph.notes if "changed after it" in n]


MIXED = """
import dezero, dezero.functions as F
x = Variable(np.array(1.0))
y = x * x
z = dezero.Variable(np.array(2.0))
w = F.sin(z)
w.backward()
y.backward()
"""


class _Seen:
    calls = ()


def test_the_mixed_note_names_the_students_variable(shell):
    shell.run_cell(STEP18_MUL)
    shell.run_cell(MIXED)
    names = ["dezero", "F", "x", "y", "z", "w"]
    [note] = mixed_notes(_Seen(), shell.user_ns, names)
    assert note.startswith("This cell used both your own classes and dezero's: one graph is drawn, dezero's.")
    assert "`%dezero y`" in note
    assert mixed_notes(None, shell.user_ns, names) == []
    assert mixed_notes(_Seen(), shell.user_ns, ["z", "w"]) == []  # dezero's only


def test_a_cell_with_both_kinds_of_classes_says_one_graph_is_drawn(shell, displayed):
    shell.run_cell(STEP18_MUL)
    trace = run(shell, displayed, MIXED)
    assert [n for n in trace.graph.notes if n.startswith("This cell used both your own classes and dezero's")]


# The short classes with `__slots__` and no `__weakref__`: not weakly referable.
SLOTS = changed(changed(SHORT_CLASSES, "class Variable:\n",
                        'class Variable:\n    __slots__ = ("data", "grad", "creator")\n'),
                "class Function:\n", 'class Function:\n    __slots__ = ("inputs", "outputs")\n') + """
class Twice(Function):
    __slots__ = ()
    def forward(self, a): return 2 * a
    def backward(self, gy): return 2 * gy

class Sin(Function):
    __slots__ = ()
    def forward(self, a): return np.sin(a)
    def backward(self, gy): return gy * np.cos(self.inputs[0].data)
"""


def test_slots_classes_without_weakref_get_their_backward_steps(shell, displayed):
    shell.run_cell(SLOTS)
    trace = run(shell, displayed, "x = Variable(np.array(1.0))\ny = Sin()(Twice()(x))\ny.backward()")
    assert [trace.graph.functions[s.func].op for s in trace.graph.steps] == ["Sin", "Twice"]


def test_the_watch_keeps_no_slots_function_alive(shell):
    shell.run_cell(SLOTS)
    twice = shell.user_ns["Twice"]()
    before = sys.getrefcount(twice)
    twice.inputs, twice.outputs = (), ()
    with BackwardWatch() as watch:
        twice.backward(1.0)
    [call] = watch.calls
    assert call.func_ref is None and call.func_kind == "Twice"
    assert sys.getrefcount(twice) == before
    assert call.func_for({id(twice): twice}) is twice
    assert call.func_for({id(twice): object()}) is None  # another object under that id


STEP11 = """
import numpy as np

class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None
    def set_creator(self, func):
        self.creator = func

def as_array(x):
    return np.array(x) if np.isscalar(x) else x

class Function:
    def __call__(self, inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(xs)
        outputs = [Variable(as_array(y)) for y in ys]
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs

class Add(Function):
    def forward(self, xs):
        x0, x1 = xs
        y = x0 + x1
        return (y,)
"""


def test_variables_in_a_list_the_cell_bound_are_roots(shell):
    shell.run_cell(STEP11 + "xs = [Variable(np.array(2)), Variable(np.array(3))]\nys = Add()(xs)\nn = 3")
    ns = shell.user_ns
    roots = cell_roots(["xs", "ys", "n", "Add"], ns, lambda name: name != "xs")
    assert roots == [ns["ys"][0]]
    assert cell_roots(["ys"], ns, lambda name: False) == []


def test_outputs_held_only_in_a_list_are_drawn(shell, displayed):
    shell.run_cell(STEP11)
    trace = run(shell, displayed, "xs = [Variable(np.array(2)), Variable(np.array(3))]\nys = Add()(xs)")
    assert [f.op for f in trace.graph.functions.values()] == ["Add"]


def test_a_graph_made_inside_a_def_is_told_not_called_empty(shell, displayed):
    shell.run_cell(STEP18_MUL)
    trace = run(shell, displayed, "def f(x):\n    y = x * x\n    y.backward()\n    return x.grad\n"
                                  "x = Variable(np.array(0.5))\nf(x)")
    [note] = [n for n in trace.graph.notes if n.startswith("Your classes ran (1 backward call), but no variable")]
    assert "return it from the function" in note


def test_a_graph_deleted_at_the_end_of_the_cell_is_told_not_called_empty(shell, displayed):
    shell.run_cell(STEP18_MUL)
    trace = run(shell, displayed, "for i in range(3):\n    x = Variable(np.array(float(i)))\n    y = x * x\n"
                                  "    y.backward()\ndel x, y")
    assert trace.text() != EMPTY
    assert trace.text().startswith("dezero graph: nothing drawn\nnote: Your classes ran (3 backward calls), but no variable left in the notebook")
    assert "nothing left to draw" in trace.text()


def test_a_forward_returning_one_value_in_step_11_is_told(shell, displayed):
    shell.run_cell(changed(STEP11, "return (y,)", "return y"))
    trace = run_failing(shell, displayed, "xs = [Variable(np.array(2)), Variable(np.array(3))]\nys = Add()(xs)")
    assert trace.text() != EMPTY
    [note] = [n for n in trace.graph.notes if n.startswith("The cell raised")]
    assert note.startswith("The cell raised in your Add.__call__ before any of your Functions finished, so no "
                           "Function is drawn")
    assert "'numpy.int64' object is not iterable" in note
    assert "Add.forward returned one value" in note and "return (y,)" in note


def test_another_error_in_a_students_forward_gets_no_tuple_hint(shell, displayed):
    shell.run_cell(changed(STEP11, "return (y,)", "raise ValueError('mine')"))
    trace = run_failing(shell, displayed, "xs = [Variable(np.array(2)), Variable(np.array(3))]\nys = Add()(xs)")
    [note] = [n for n in trace.graph.notes if n.startswith("The cell raised")]
    assert note.startswith("The cell raised in your Add.forward before any of your Functions finished")
    assert "ValueError: mine" in note and "returned one value" not in note


# Step 13 with seed 003's typo: `gxs = (gx,)` raises UnboundLocalError in the
# loop after Square's backward returned, before its grad was stored.
TYPO = changed(STEP17, "                gxs = (gxs,)\n", "                gxs = (gx,)\n")


def test_grads_a_crashed_loop_never_stored_are_not_called_freed(shell, displayed):
    shell.run_cell(TYPO)
    trace = run_failing(shell, displayed, "GENERATIONS = True\nx = Variable(np.array(2.0))\nz = square(square(x))\n"
                                          "z.backward()")
    assert not [v.id for v in trace.graph.variables.values() if v.grad_freed]
    assert "freed" not in trace.text()
    [note] = [n for n in trace.graph.notes if n.startswith("Your Variable.backward raised after the backward of")]
    assert "were never stored" in note


def test_grads_cleared_by_a_backward_without_retain_grad_are_told_in_its_terms(shell, displayed):
    clears = changed(STEP17, "                        funcs.append(x.creator)\n",
                     "                        funcs.append(x.creator)\n"
                     "            for y in f.outputs:\n                y().grad = None\n")
    shell.run_cell(clears)
    trace = run(shell, displayed, "GENERATIONS = True\nx = Variable(np.array(2.0))\nz = square(square(x))\n"
                                  "z.backward()")
    assert not [v.id for v in trace.graph.variables.values() if v.grad_freed]
    assert "retain_grad=False" not in trace.text()
    [note] = [n for n in trace.graph.notes if "your code set it back to None" in n]
    assert "has no retain_grad argument" in note


def test_the_early_pop_note_counts_every_backward_call(shell, displayed):
    # 12 doublings: the list-pop loop without `seen` runs 4,095 backward calls,
    # more than the 2,000 kept; the note counted only the kept ones.
    shell.run_cell(STEP17)
    trace = run(shell, displayed, "GENERATIONS = False\nx = Variable(np.array(1.0))\ny = x\n"
                                  "for i in range(12):\n    y = add(y, y)\ny.backward()")
    [note] = [n for n in trace.graph.notes if "ran its backward (it ran" in n]
    made, times = re.search(r"The Add that made v(\d+) ran its backward \(it ran ([\d,]+) times\)", note).groups()
    assert int(times.replace(",", "")) == 2 ** (12 - int(made))


def test_a_leaf_of_the_students_classes_is_told_in_their_terms(shell):
    # magic.py's note for `%dezero x` names no_grad(), F.accuracy and unchain(): dezero's, not theirs
    from dezero_magic.student_cell_notes import own_no_graph_note

    shell.run_cell(STEP18_MUL + "x = Variable(np.array(2.0))")
    note = own_no_graph_note("x", shell.user_ns["x"], shell.user_ns)
    assert note.startswith("x has no creator, so there is no graph behind it: it is a leaf you made (Variable(...))")
    assert "Config.enable_backprop was False" in note
    assert not [w for w in ("F.accuracy", "unchain", "no_grad()") if w in note]
    shell.run_cell("import dezero\nz = dezero.Variable(np.array(1.0))")
    assert own_no_graph_note("z", shell.user_ns["z"], shell.user_ns) is None


def test_the_gradients_tab_of_a_forward_without_return_says_what_happened(shell, displayed):
    # QA: "The Gradients view is unavailable (TypeError: ufunc 'isfinite' not supported ...)"
    # while the other tabs said "did Square.forward forget `return`?".
    import dezero_magic.widgets as dzw
    from student_code import STEP7, STEP7_RUN

    shell.run_cell(STEP7.replace("        return x ** 2\n", "        x ** 2\n"))
    shell.run_cell("%%dezero\n" + STEP7_RUN)
    page = dzw.view_for(displayed[-1]).views["Gradients"]
    text = re.sub(r"<[^>]+>", " ", "".join(getattr(c, "value", "") for c in page.children))
    assert "unavailable" not in text and "Gradient check" in text


def test_generations_of_classes_that_have_none_yet_are_said_to_be_the_links(shell, displayed):
    # QA: the step 8-15 classes have no `generation`, yet the queue and the details said
    # "generation 1" as if their code had them.
    import dezero_magic.widgets as dzw
    from dezero_magic.widgets.backward_queue import BY_LINKS
    from dezero_magic.widgets.graph_tab import func_details
    from student_code import DIAMOND_RUN, STEP14

    shell.run_cell(STEP14 + "\nACCUMULATE = True\n")
    shell.run_cell("%%dezero\n" + DIAMOND_RUN)
    trace = displayed[-1]
    assert trace.graph.generations_by_links
    fid = next(iter(trace.graph.functions))
    assert "by the links: your class has none yet" in func_details(trace.graph, fid)
    view = dzw.view_for(trace).views["Backward"]
    assert BY_LINKS in view.queue.value.replace("&#x27;", "'")
    shell.run_cell("%%dezero\nimport dezero\nz = dezero.Variable(np.array(1.0)) * 2\nz.backward()")
    assert not displayed[-1].graph.generations_by_links  # dezero's functions have theirs


def test_a_students_function_keeps_the_bytes_of_its_inputs_in_the_details(shell, displayed):
    # QA: node details said "keeps for backward: 0 bytes of inputs" for every student's
    # function, while the Memory tab counted the arrays those functions hold.
    from dezero_magic.widgets.graph_tab import func_details
    from student_code import STEP7

    shell.run_cell(STEP7)
    shell.run_cell("%%dezero\n" + STEP7_RUN_BIG)
    graph = displayed[-1].graph
    kept = {f.op: f.kept_nbytes for f in graph.functions.values()}
    assert kept == {"Square": 8 * 1000, "Exp": 8 * 1000}
    square = next(f.id for f in graph.functions.values() if f.op == "Square")
    assert "8000 bytes of inputs" in func_details(graph, square)


STEP7_RUN_BIG = """
A = Square(); B = Exp()
x = Variable(np.linspace(0, 1, 1000))
y = B(A(x))
"""
