"""Students' own book-style classes (steps 6, 7, 11-14, 16-18) drawn by %%dezero.

The classes are defined inside the %%dezero cell, as a student types them,
so the magic must find classes that did not exist before the cell ran.
"""
import sys

import pytest

from dezero_magic.render.escape import esc
from student_code import DIAMOND_RUN, STEP14, STEP17, STEP18, STEP6, STEP7, STEP7_RUN


def run(shell, displayed, code, flags=""):
    result = shell.run_cell(f"%%dezero {flags}\n" + code)
    assert result.success, result.error_in_exec
    assert sys.getprofile() is None
    return displayed[-1]


def ops_in_backward_order(trace):
    return [trace.graph.functions[s.func].op for s in trace.graph.steps]


def test_step7_recursive_backward(shell, displayed):
    trace = run(shell, displayed, STEP7 + STEP7_RUN)
    g = trace.graph
    assert trace.source == "objects"
    assert sorted(f.op for f in g.functions.values()) == ["Exp", "Square", "Square"]
    assert ops_in_backward_order(trace) == ["Square", "Exp", "Square"]
    x = next(v for v in g.variables.values() if v.label == "x")
    assert x.leaf and x.generation == 0
    assert float(x.grad) == pytest.approx(float(shell.user_ns["x"].grad), rel=1e-3)
    assert [v.generation for v in sorted(g.variables.values(), key=lambda v: v.generation)] == [0, 1, 2, 3]


def test_step7_classes_from_an_earlier_cell(shell, displayed):
    shell.run_cell(STEP7)
    trace = run(shell, displayed, STEP7_RUN)
    assert ops_in_backward_order(trace) == ["Square", "Exp", "Square"]


def test_step11_multiple_inputs_and_outputs_lists(shell, displayed):
    trace = run(shell, displayed, STEP14 + "ACCUMULATE = True\nx0 = Variable(np.array(2.0))\n"
                "x1 = Variable(np.array(3.0))\ny = add(square(x0), x1)\ny.backward()")
    g = trace.graph
    add = next(f for f in g.functions.values() if f.op == "Add")
    assert len(add.inputs) == 2
    assert {g.variables[v].label for v in add.inputs} == {"", "x1"}
    x0 = next(v for v in g.variables.values() if v.label == "x0")
    assert float(x0.grad) == 4.0


def test_step14_overwritten_grad_is_shown(shell, displayed):
    trace = run(shell, displayed, STEP14 + "ACCUMULATE = False\nx = Variable(np.array(3.0))\n"
                "y = add(x, x)\ny.backward()")
    g = trace.graph
    x = next(v for v in g.variables.values() if v.label == "x")
    assert x.grad == "1"  # the student's bug, drawn as it is
    assert g.steps[0].accumulated == [x.id]
    assert any("overwrote" in n and "not their sum 2" in n for n in g.notes)
    fixed = run(shell, displayed, "ACCUMULATE = True\nx = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()")
    x = next(v for v in fixed.graph.variables.values() if v.label == "x")
    assert x.grad == "2" and not any("overwrote" in n for n in fixed.graph.notes)


def test_step15_list_order_and_step16_generation_order(shell, displayed):
    old = run(shell, displayed, STEP17 + "GENERATIONS = False\n" + DIAMOND_RUN)
    g = old.graph
    order = [s.func for s in g.steps]
    a = next(f.id for f in g.functions.values() if f.generation == 0)
    assert len(order) == 5 and order.count(a) == 2   # D, C, A, B, A: A runs twice
    assert g.functions[order[0]].op == "Add" and order[2] == a and order[4] == a
    assert g.steps[0].pending and g.steps[-1].pending == []
    x = next(v for v in g.variables.values() if v.label == "x")
    assert x.grad == "96"                              # the wrong gradient
    [note] = [n for n in g.notes if "ran its backward" in n]
    assert note.startswith("The Square that made a ran its backward (it ran 2 times) before the Square "
                           "that uses a (making v2) had given a its grad")
    assert "are wrong. Book step 16 fixes it" in note

    new = run(shell, displayed, "GENERATIONS = True\n" + DIAMOND_RUN)
    g = new.graph
    order = [g.functions[s.func] for s in g.steps]
    assert [f.generation for f in order] == [2, 1, 1, 0]
    x = next(v for v in g.variables.values() if v.label == "x")
    assert x.grad == "64"                              # d(2 x^4)/dx at 2
    assert not any("ran its backward" in n for n in g.notes)
    # the queue after the first step holds the two generation-1 functions
    assert {g.functions[f].op for f in g.steps[0].pending} == {"Square"} and len(g.steps[0].pending) == 2


def test_step17_weakref_outputs_and_names(shell, displayed):
    trace = run(shell, displayed, STEP17 + "GENERATIONS = True\nx = Variable(np.array(2.0), name='input')\n"
                "y = square(square(x))\ny.backward()")
    g = trace.graph
    assert {v.label for v in g.variables.values()} >= {"input", "y"}
    assert ops_in_backward_order(trace) == ["Square", "Square"]
    assert trace.output_refs[0]() is shell.user_ns["y"]


def test_student_cell_failing_midway_restores_the_profile_hook(shell, displayed):
    result = shell.run_cell("%%dezero\n" + STEP7 + "x = Variable(np.array(1.0))\ny = Square()(x)\n"
                            "y.grad = np.array(1.0)\ny.backward()\nraise ValueError('late')")
    assert isinstance(result.error_in_exec, ValueError)
    assert sys.getprofile() is None
    assert not displayed[-1].graph.complete and len(displayed[-1].graph.steps) == 1


def test_the_profile_hook_is_used_only_by_cells_that_can_run_a_students_classes(shell, monkeypatch):
    from dezero_magic import backward_watch

    shell.run_cell(STEP7 + STEP7_RUN + "def square(v):\n    return Square()(v)\nxs = [x]\n")
    ns = shell.user_ns
    shell.run_cell("import dezero\ndef g(v):\n    return dezero.functions.sin(v)\nd = dezero.Variable(np.array(1.0))")
    wants = {code: backward_watch.needed(code, ns) for code in (
        "y.backward()", "z = square(x)", "q = Square()", "xs[0].grad", "A.backward(x.grad)",
        "e = g(d)\ne.backward()", "import numpy as np\nn = np.ones(3)", "k = 1")}
    assert wants == {"y.backward()": True, "z = square(x)": True, "q = Square()": True, "xs[0].grad": True,
                     "A.backward(x.grad)": True, "e = g(d)\ne.backward()": False,
                     "import numpy as np\nn = np.ones(3)": False, "k = 1": False}
    assert backward_watch.needed("class F2:\n    def backward(self, gy):\n        return gy", {})


def _numbers(trace):
    """Node id -> its number (an unnamed variable is drawn as its id, vN)."""
    return {v.id: int(v.id[1:]) for v in trace.graph.variables.values()}


def test_unnamed_variables_are_numbered_in_forward_order(shell, displayed):
    for generations in ("True", "False"):   # steps 16-17 and step 15 (no generation order in backward)
        trace = run(shell, displayed, STEP17 + f"GENERATIONS = {generations}\n" + DIAMOND_RUN)
        lines = trace.text().splitlines()
        assert lines[1:5] == ["  [gen 0] Square(x) -> a", "  [gen 1] Square(a) -> v2",
                              "  [gen 1] Square(a) -> v3", "  [gen 2] Add(v2, v3) -> y"]
    chain = run(shell, displayed, "y = square(square(square(Variable(np.array(2.0)))))\ny.backward()")
    assert chain.text().splitlines()[1:4] == ["  [gen 0] Square(v0) -> v1", "  [gen 1] Square(v1) -> v2",
                                              "  [gen 2] Square(v2) -> y"]
    # Two branches of different depth: every function's inputs are numbered before its outputs.
    mixed = run(shell, displayed, "z = Variable(np.array(3.0))\nx = Variable(np.array(2.0))\n"
                "y = add(square(square(x)), square(z))\ny.backward()")
    n = _numbers(mixed)
    for f in mixed.graph.functions.values():
        assert max(n[v] for v in f.inputs) < min(n[v] for v in f.outputs), f
    in_order = sorted(mixed.graph.functions.values(), key=lambda f: f.order)
    assert [f.generation for f in in_order] == [0, 0, 1, 2]


def test_no_grad_switches_a_students_step18_config_off_for_the_cell(shell, displayed):
    shell.run_cell(STEP18)
    config = shell.user_ns["Config"]
    plain = run(shell, displayed, "x = Variable(np.array(2.0))\ny = square(square(x))")
    assert shell.user_ns["y"].creator is not None and len(plain.graph.functions) == 2
    assert not any("--no-grad" in n for n in plain.graph.notes)

    trace = run(shell, displayed, flags="--no-grad",
                code="x = Variable(np.array(2.0))\ny = square(square(x))\nseen = Config.enable_backprop")
    assert shell.user_ns["seen"] is False and config.enable_backprop is True
    assert shell.user_ns["y"].creator is None and trace.graph.functions == {}
    [note] = [n for n in trace.graph.notes if "--no-grad" in n]
    assert "your Config.enable_backprop was False while this cell ran (it is True again now)" in note
    assert "note: " + note in trace.text()


@pytest.mark.parametrize("error", ["ValueError('late')", "KeyboardInterrupt"])
def test_no_grad_restores_a_students_config_when_the_cell_raises(shell, displayed, error):
    shell.run_cell(STEP18)
    config = shell.user_ns["Config"]
    result = shell.run_cell("%%dezero --no-grad\nseen = Config.enable_backprop\n"
                            f"y = square(Variable(np.array(1.0)))\nraise {error}")
    assert result.error_in_exec is not None and shell.user_ns["seen"] is False
    assert config.enable_backprop is True and "enable_backprop" in vars(config)
    assert shell.user_ns["y"].creator is None
    assert sys.getprofile() is None


def test_no_grad_restores_an_inherited_enable_backprop_as_inherited(shell, displayed):
    shell.run_cell(STEP18.replace("class Config:\n    enable_backprop = True",
                                  "class Base:\n    enable_backprop = True\nclass Config(Base):\n    pass"))
    run(shell, displayed, flags="--no-grad", code="seen = Config.enable_backprop")
    assert shell.user_ns["seen"] is False
    assert "enable_backprop" not in vars(shell.user_ns["Config"]) and shell.user_ns["Config"].enable_backprop


def test_no_grad_note_when_the_students_classes_have_no_config(shell, displayed):
    trace = run(shell, displayed, flags="--no-grad", code=STEP17 + "GENERATIONS = True\n"
                "x = Variable(np.array(2.0))\ny = square(x)")
    assert shell.user_ns["y"].creator is not None and len(trace.graph.functions) == 1
    assert ("--no-grad sets dezero's Config only: your classes have no Config.enable_backprop it could "
            "switch off (book step 18 adds it), so they built their graph as usual.") in trace.graph.notes
    # Step 18's classes defined in the same cell: their Config did not exist when --no-grad was applied.
    same_cell = run(shell, displayed, flags="--no-grad", code=STEP18 + "y = square(Variable(np.array(2.0)))")
    assert shell.user_ns["y"].creator is not None and shell.user_ns["Config"].enable_backprop is True
    assert any("this cell defines its own Config" in n for n in same_cell.graph.notes)
    # dezero's own Variables (no Function called): no note about students' classes.
    own = run(shell, displayed, flags="--no-grad --retain-grad",
              code="import dezero\nd = dezero.Variable(np.array(1.0))")
    assert own.source == "objects" and len(own.graph.variables) == 1 and own.graph.notes == []


def test_retain_grad_note_and_the_students_backward_decides(shell, displayed):
    shell.run_cell(STEP18)
    trace = run(shell, displayed, flags="--retain-grad", code="x0 = Variable(np.array(1.0))\n"
                "x1 = Variable(np.array(1.0))\nt = add(x0, x1)\ny = add(x0, t)\ny.backward()")
    assert shell.user_ns["t"].grad is None            # their backward(retain_grad=False), not patched
    assert float(shell.user_ns["x0"].grad) == 2.0
    assert ("--retain-grad sets dezero's Config only: your Variable.backward decides itself which grads it "
            "keeps; call y.backward(retain_grad=True) in your code (book step 18).") in trace.graph.notes
    assert not any("--no-grad" in n for n in trace.graph.notes)
    kept = run(shell, displayed,
               "x0.cleargrad(); x1.cleargrad()\nt = add(x0, x1)\ny = add(x0, t)\ny.backward(retain_grad=True)")
    assert float(shell.user_ns["t"].grad) == 1.0 and kept.graph.notes == []
    # step 16's backward has no retain_grad: the advice would raise a TypeError
    shell.run_cell(STEP17.replace("class Variable:", "GENERATIONS = True\nclass Variable:"))
    old = run(shell, displayed, flags="--retain-grad", code="x = Variable(np.array(2.0))\ny = square(x)\n"
                                                             "y.backward()")
    [note] = old.graph.notes
    assert "has no retain_grad argument yet, so it keeps every grad anyway" in note
    assert "y.backward(retain_grad=True)" not in note


def test_steps_2_to_6_variables_without_creator_are_told_what_step_7_adds(shell, displayed):
    shell.run_cell(STEP6)
    shell.run_cell("w = Square()(Variable(np.array(2.0)))")
    error = shell.run_cell("%dezero w").error_in_exec          # the line magic says the same
    assert "%dezero w: Your Variable w has no `creator` attribute yet" in str(error)
    assert "not a Variable" not in str(error)
    trace = run(shell, displayed, flags="--static",
                code="x = Variable(np.array(3.0))\nA = Square()\ny = A(x)\n"
                     "y.grad = np.array(1.0)\nx.grad = A.backward(y.grad)\nn = np.ones(3)")
    assert trace.graph.functions == {} and trace.graph.variables == {}
    [note] = trace.graph.notes
    assert note.startswith("Your Variable objects x, y have no `creator` attribute yet")
    assert "there is no graph to draw" in note and "Book step 7 adds it" in note
    assert "set_creator" in note and f"<li>{esc(note)}</li>" in trace.html()
    # text/plain and the caption say so too, not "no Function was called"
    assert trace.text() == "dezero graph: nothing drawn\nnote: " + note and trace.caption() == "No graph to draw."
    # One Variable, defined in the same cell: the same message, in the singular.
    one = run(shell, displayed, STEP6 + "y = Square()(Variable(np.array(3.0)))")
    assert one.graph.notes[0].startswith("Your Variable y has no `creator` attribute yet")
    # Not for other objects with .data (a numpy array) or a cell that rebound no variable.
    for code in ("n = np.ones(3)", "class Box:\n    pass\nb = Box()", "k = x.data * 2"):
        assert run(shell, displayed, code).graph.notes == [], code


def test_only_the_last_backward_pass_is_drawn_and_checked(shell, displayed):
    # 02's step-14 cell: a pass, the grad cleared, a second pass. The five
    # grads x received in all are not "overwritten" into 3: the first pass is
    # counted, not drawn, and its grads are not summed with the second's.
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    shell.run_cell("def backward_step14(self):\n    return Variable._book_backward(self)\n"
                   "Variable._book_backward = Variable.backward\nVariable.backward = backward_step14")
    trace = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\n"
                                  "x.grad = None\ny = add(add(x, x), x)\ny.backward()")
    g = trace.graph
    assert float(shell.user_ns["x"].grad) == 3.0
    assert g.notes == [], g.notes
    assert sorted(f.op for f in g.functions.values()) == ["Add", "Add"] and len(g.steps) == 2
    assert g.elided_steps == 1 and "1 earlier backward step not kept" in trace.caption()


def test_the_stepper_shows_both_grads_of_an_input_used_twice(shell, displayed):
    # Step 13's add(x, x): both grads reach x in one step. The stepper showed
    # one, claimed it was "added", and after the fix summed 1 + 1 for x.grad = 3.
    from dezero_magic.widgets.backward_tab import BackwardView, running_grads
    from widget_html import text_of

    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = False\nclass Variable:"))
    bug = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()")
    [step] = bug.graph.steps
    x = next(v.id for v in bug.graph.variables.values() if v.label == "x")
    assert step.gxs[x] == "1 + 1" and step.accumulated == [x]
    info = text_of(BackwardView(bug).info.value)
    assert "grad out to x: 1 + 1 — your backward kept only the last grad (x.grad = gx): x.grad ends as 1" in info
    assert "added to the grad it already had" not in info
    shell.run_cell("ACCUMULATE = True")
    fixed = run(shell, displayed, "x = Variable(np.array(3.0))\ny = add(add(x, x), x)\ny.backward()")
    x = next(v.id for v in fixed.graph.variables.values() if v.label == "x")
    grads, marked = running_grads(fixed.graph.steps, len(fixed.graph.steps))
    assert grads[x] == "1 + 1 + 1" and x in marked and float(shell.user_ns["x"].grad) == 3.0


def test_the_books_step_24_core_is_stepped_like_a_students_own(shell, displayed):
    # Steps 28-29 import dezero.core_simple: it emits no events, so its backward is watched.
    from dezero_magic.numgrad import check_gradients

    shell.run_cell("from dezero.core_simple import Variable, setup_variable\nsetup_variable()")
    trace = run(shell, displayed, "x = Variable(np.array(2.0))\ny = x ** 4 - 2 * x ** 2\ny.backward()")
    assert trace.source == "objects"
    assert [trace.graph.functions[s.func].op for s in trace.graph.steps] == ["Sub", "Mul", "Pow", "Pow"]
    check = check_gradients(trace)
    x = next(leaf for leaf in check.leaves if leaf.label == "x")
    assert x.passed and float(x.analytic) == 24.0
    shell.run_cell("from dezero import Variable")
