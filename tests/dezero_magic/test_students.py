"""Students' own book-style classes (steps 7, 11-14, 16, 17) drawn by %%dezero.

The classes are defined inside the %%dezero cell, as a student types them,
so the magic must find classes that did not exist before the cell ran.
"""
import sys

import pytest

from student_code import DIAMOND_RUN, STEP14, STEP17, STEP7, STEP7_RUN


def run(shell, displayed, code):
    result = shell.run_cell("%%dezero\n" + code)
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

    new = run(shell, displayed, "GENERATIONS = True\n" + DIAMOND_RUN)
    g = new.graph
    order = [g.functions[s.func] for s in g.steps]
    assert [f.generation for f in order] == [2, 1, 1, 0]
    x = next(v for v in g.variables.values() if v.label == "x")
    assert x.grad == "64"                              # d(2 x^4)/dx at 2
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
