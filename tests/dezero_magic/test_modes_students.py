"""Students' own book-style classes in `%%dezero --modes`, and in the note of a cell that raised.

QA: a --modes cell `y = square(x); y.backward(); print(x.grad)` printed 4.0 but
left x.grad at 16.0 (each re-run's backward added to the student's x), and its
three rows were one run, since only dezero's Config was switched.
"""
import pytest

from dezero_magic.modes import MODES, measure_modes, results_text
from dezero_magic.preview import format_snapshot, snapshot
from dezero_magic.rerun import run_body_once
from student_code import STEP7, STEP17, STEP18

NO_CONFIG = "not applied to your classes: your code has no Config.enable_backprop or retain_grad yet"


def modes_of(shell, body):
    result = shell.run_cell("%%dezero --modes -o _t\n" + body)
    assert result.success, result.error_in_exec
    return {r.mode: r for r in shell.user_ns["_t"].mode_results}


@pytest.mark.parametrize("classes", [STEP17 + "GENERATIONS = True\n", STEP18], ids=["step17", "step18"])
def test_the_reruns_leave_a_students_variable_as_the_cell_left_it(shell, capsys, classes):
    shell.run_cell(classes + "x = Variable(np.array(2.0))")
    modes_of(shell, "y = square(x)\ny.backward()\nprint(x.grad)")
    assert capsys.readouterr().out.splitlines()[0] == "4.0"   # the cell's own print, then the graph
    x, y = shell.user_ns["x"], shell.user_ns["y"]
    assert float(x.grad) == 4.0                       # one backward's worth, not four (16.0)
    assert y.creator.inputs[0] is x                  # the cell's graph, not a re-run's copy


def test_the_reruns_leave_a_students_function_objects_alone(shell):
    shell.run_cell(STEP7 + "x = Variable(np.array(0.5))\nA = Square(); B = Exp(); C = Square()")
    results = modes_of(shell, "a = A(x)\nb = B(a)\ny = C(b)\ny.grad = np.array(1.0)\ny.backward()")
    assert all(r.ok for r in results.values()), results
    ns = shell.user_ns
    assert ns["A"].input is ns["x"] and ns["C"].output is ns["y"]   # not a re-run's copies


def test_modes_switch_a_students_step18_config(shell):
    # (note: a bound method, shared with the re-runs; `seen` itself is copied for each)
    shell.run_cell(STEP18 + "x = Variable(np.array(2.0))\nseen = []\nnote = seen.append")
    results = modes_of(shell, "note(Config.enable_backprop)\ny = square(x)\n"
                              "note(y.creator is not None)")
    # the traced run, then default, retain_grad, no_grad: the student's Functions made no graph under no_grad
    assert shell.user_ns["seen"] == [True, True, True, True, True, True, False, False]
    assert shell.user_ns["Config"].enable_backprop is True
    assert "enable_backprop" in vars(shell.user_ns["Config"])
    assert results["default"].note is None and results["no_grad"].note is None
    # The book's step-18 Config has no retain_grad (backward takes it): that row says so.
    assert results["retain_grad"].note.startswith("not applied to your classes: your Config has no retain_grad")
    assert "argument of backward" in results["retain_grad"].note


def test_a_students_config_with_retain_grad_is_switched_and_restored(shell):
    shell.run_cell(STEP18.replace("class Config:\n    enable_backprop = True",
                                  "class Base:\n    enable_backprop = True\n    retain_grad = False\n"
                                  "class Config(Base):\n    pass")
                   + "x = Variable(np.array(2.0))\nseen = []\nnote = seen.append")
    results = modes_of(shell, "y = square(x)\nnote((Config.enable_backprop, Config.retain_grad))")
    assert shell.user_ns["seen"] == [(True, False), (True, False), (True, True), (False, False)]
    assert all(r.note is None for r in results.values())
    # Inherited values stay inherited: the subclass got no copies of its own.
    assert "retain_grad" not in vars(shell.user_ns["Config"]) and "enable_backprop" not in vars(shell.user_ns["Config"])


def test_classes_without_config_get_a_note_in_the_rows(shell):
    shell.run_cell(STEP17 + "GENERATIONS = True\nx = Variable(np.array(2.0))")
    results = modes_of(shell, "y = square(x)\ny.backward()")
    assert results["default"].note is None
    for key in ("retain_grad", "no_grad"):
        assert results[key].note.startswith(NO_CONFIG), results[key].note
        assert "(book step 18 adds them), so this run did what the default run did" in results[key].note
    text = results_text(list(results.values()))
    assert text.count(NO_CONFIG) == 2


def test_a_cell_that_defines_its_own_config_is_told_why_it_was_not_switched(shell):
    results = modes_of(shell, STEP18 + "y = square(Variable(np.array(2.0)))")
    assert results["default"].note is None
    assert "this cell defines their Config anew in every run" in results["no_grad"].note


def test_pure_dezero_cells_get_no_note_though_a_students_classes_are_defined(shell):
    shell.run_cell(STEP18)
    shell.run_cell("from dezero import Variable")
    results = modes_of(shell, "x = Variable(np.array(2.0))\ny = F.square(x)\ny.backward()")
    assert all(r.ok and r.note is None for r in results.values()), results


def test_a_students_config_is_restored_when_a_rerun_is_interrupted():
    class Config:
        enable_backprop = True

    class Square:  # a student's Function class: the cell may run it
        def backward(self, gy):
            return gy

    class Shell:  # what run_body_once reads of a shell
        seen = []
        user_ns = {"Config": Config, "Square": Square, "seen": seen, "note": seen.append}

        def transform_cell(self, body):
            return body

    run_body = run_body_once(Shell(), "f = Square()\nnote(Config.enable_backprop)\nraise KeyboardInterrupt")
    results = measure_modes(run_body, modes=[MODES[2]])  # Stop ends the measurement, not the cell
    assert "interrupted" in results[0].error
    assert Shell.user_ns["seen"] == [False] and vars(Config)["enable_backprop"] is True


def test_an_object_preview_is_marked_where_it_is_cut_not_silently_cut():
    # QA: "The cell raised in Square(variable(2.0), which ..." lost its ")".
    class Mine:
        def __init__(self, text):
            self.text = text

        def __repr__(self):
            return self.text

    assert format_snapshot(snapshot(Mine("variable(2.0)"))) == "variable(2.0)"
    long = format_snapshot(snapshot(Mine("variable([1. 2. 3. 4. 5.])")))
    assert long.endswith("…") and len(long) <= 16 and long.startswith("variable([1.")


def test_the_failure_note_shows_a_students_variable_whole(shell, displayed):
    shell.run_cell(STEP18 + "Variable.__repr__ = lambda self: 'variable(' + str(self.data) + ')'")
    result = shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\ny = F.square(x)")
    assert isinstance(result.error_in_exec, TypeError)
    assert "your notebook's own Variable class, not dezero.Variable" in str(result.error_in_exec)
    notes = displayed[-1].graph.notes
    assert any(n.startswith("The cell raised in Square(x variable(2.0)), which") for n in notes), notes
