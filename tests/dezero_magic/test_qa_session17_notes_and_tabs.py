"""QA session 17: a forgotten model.cleargrads() told as harmless, `%%dezero -h`
alone refused, a backward from a grad without a graph told as nothing,
--no-grad's memory mode, `%dezero gx` of dezero's classes called "your own
classes", the check table's sampled entries without indices, and byte
labels that wrapped between the number and the unit."""
import gc
import re

import numpy as np
import pytest
from IPython.core.error import UsageError

import dezero_magic.widgets as dzw
from dezero_magic.memory import MODE_LABELS, NO_GRAD
from dezero_magic.modes import ModeResult
from dezero_magic.numgrad import check_gradients
from dezero_magic.widgets import lifecycle
from dezero_magic.widgets.gradients_tab import gradients_view
from dezero_magic.widgets.memory_tab import LINE_MAGIC, measured_html, memory_view
from widget_html import run_traced, text_of

NBSP = "\u00a0"

FORGOTTEN_CLEARGRADS = """
from dezero.models import MLP
from dezero import optimizers
np.random.seed(0); x = np.random.rand(10, 1); t = np.sin(2 * np.pi * x)
model = MLP((10, 1)); opt = optimizers.SGD(0.2).setup(model)
for i in range(3):
    loss = F.mean_squared_error(model(x), t)
    model.cleargrads          # no parentheses
    loss.backward(); opt.update()
"""


def _carried(trace):
    return [n for n in trace.graph.notes if "earlier backward" in n]


# -- 1. grads carried over: parameters are not harmless ---------------------------------------------

def test_a_forgotten_cleargrads_on_parameters_says_the_training_is_wrong(shell, displayed):
    [note] = _carried(run_traced(shell, FORGOTTEN_CLEARGRADS))
    assert "model.l0.W, model.l0.b" in note
    assert "Harmless" not in note and "step 34" not in note
    assert "update()" in note and "model.cleargrads() before backward" in note
    # QA: a student who wrote `model.cleargrads` thinks they cleared: the note names the slip
    assert "`model.cleargrads` without parentheses" in note and "write model.cleargrads()" in note


@pytest.mark.parametrize("code, slip", [
    ("model.cleargrads\n", "model.cleargrads"), ("for p in ps:\n    p.cleargrad\n", "p.cleargrad"),
    ("# forgot model.cleargrads here\nmodel.cleargrads()\n", None), ("f = model.cleargrads; f()\n", None),
    ("print('call model.cleargrads first')\n", None), ("model.cleargrads(\n", None)])
def test_only_a_bare_statement_naming_cleargrads_is_the_slip(code, slip):
    from dezero_magic.tracer_notes import _uncalled_cleargrads

    assert _uncalled_cleargrads(code) == slip


def test_a_cell_without_the_slip_is_not_told_of_one(shell, displayed):
    [note] = _carried(run_traced(shell, FORGOTTEN_CLEARGRADS.replace("    model.cleargrads          # no parentheses\n",
                                                                     "")))
    assert "without parentheses" not in note and "model.cleargrads() before backward" in note


def test_a_forgotten_cleargrad_on_a_data_variable_is_still_harmless(shell, displayed):
    [note] = _carried(run_traced(shell, "x = Variable(np.array(2.0), name='x')\ny = x ** 3\n"
                                        "y.backward()\ny.backward()"))
    assert "Harmless unless you read it" in note and "x.cleargrad() before backward" in note
    assert "optimizer" not in note


def test_a_parameter_outside_a_model_gets_cleargrad(shell, displayed):
    [note] = _carried(run_traced(shell, "from dezero import Parameter\nW = Parameter(np.array(2.0), name='W')\n"
                                        "y = W * 3\ny.backward()\ny = W * 3\ny.backward()"))
    assert "update()" in note and "W.cleargrad()" in note and "Harmless" not in note


# -- 2. -h as the whole cell; -o described as each magic checks it -----------------------------------

@pytest.mark.parametrize("cell", ["%%dezero -h", "%%dezero --help\n", "%%dezero -v -h"])
def test_h_alone_in_the_cell_prints_the_cell_magics_help(shell, displayed, capsys, cell):
    result = shell.run_cell(cell)
    out = capsys.readouterr().out
    assert result.success, result.error_in_exec
    assert "--retain-grad" in out and "(The cell was not run: -h shows this help" in out and not displayed


def test_an_empty_cell_without_h_is_still_refused(shell, displayed):
    result = shell.run_cell("%%dezero -v")
    assert isinstance(result.error_in_exec, UsageError) and "cell body is empty" in str(result.error_in_exec)


def test_the_help_transform_is_installed_once_across_reloads_and_removed_on_unload(shell):
    def installed():
        return sum(bool(getattr(t, "dezero_magic_help", False))
                   for t in shell.input_transformer_manager.line_transforms)

    shell.run_line_magic("unload_ext", "dezero_magic")
    assert installed() == 0
    shell.run_line_magic("load_ext", "dezero_magic")
    shell.run_line_magic("reload_ext", "dezero_magic")
    assert installed() == 1


def test_the_o_help_says_what_each_magic_refuses(shell, displayed, capsys):
    shell.run_cell("%%dezero -h\npass")
    cell = " ".join(capsys.readouterr().out.split())
    shell.run_cell("%dezero -h")
    line = " ".join(capsys.readouterr().out.split())
    shared = "refused if NAME holds anything else, is IPython's own (Out, _3, ...) or a Python builtin"
    assert shared in cell and shared in line
    assert "or the cell assigns it" in cell and "the cell assigns" not in line
    # what the help says is what each refuses
    shell.run_cell("y = Variable(np.array(2.0))\nz = y * 2")
    for refused in ("-o y", "-o Out", "-o len"):
        assert isinstance(shell.run_cell(f"%%dezero {refused}\nw = y * 3").error_in_exec, UsageError)
        assert isinstance(shell.run_cell(f"%dezero {refused} z").error_in_exec, UsageError)
    assert isinstance(shell.run_cell("%%dezero -o w\nw = y * 3").error_in_exec, UsageError)


# -- 3. a backward from a variable without creator -----------------------------------------------------

def _pass_note(trace):
    return [n for n in trace.graph.notes if n.startswith("The last backward pass")]


def test_a_backward_from_a_grad_made_without_a_graph_says_so(shell, displayed):
    trace = run_traced(shell, "x = Variable(np.array(2.0), name='x')\ny = x ** 3\ny.backward()\ngx = x.grad\n"
                              "x.cleargrad()\ngx.backward()")
    assert shell.user_ns["x"].grad is None
    [note] = _pass_note(trace)
    assert "gx has no creator" in note and "gx is x.grad from an earlier backward without create_graph=True" in note
    assert "y.backward(create_graph=True)" in note and "no_grad" not in note


def test_a_backward_from_a_value_made_under_no_grad_says_so(shell, displayed):
    trace = run_traced(shell, "x = Variable(np.array(2.0), name='x')\nwith dezero.no_grad():\n    y = x ** 3\n"
                              "y.backward()")
    [note] = _pass_note(trace)
    assert "y was computed under no_grad()" in note and "create_graph" not in note


def test_the_no_grad_option_is_named_in_the_note(shell, displayed):
    [note] = _pass_note(run_traced(shell, "x = Variable(np.array(2.0))\ny = F.exp(x)", "--no-grad -b y"))
    assert "y was computed under no_grad()" in note and "--no-grad" in note


def test_a_backward_with_steps_gets_no_such_note(shell, displayed):
    trace = run_traced(shell, "x = Variable(np.array(2.0))\ny = x ** 3\ny.backward(create_graph=True)\n"
                              "gx = x.grad\nx.cleargrad()\ngx.backward()")
    assert _pass_note(trace) == [] and trace.graph.steps


# -- 4. --no-grad's memory mode -----------------------------------------------------------------------

@pytest.mark.parametrize("code, flags", [("x = Variable(np.array(2.0))\ny = F.exp(x)\ny.backward()", "--no-grad"),
                                         ("x = Variable(np.array(2.0))\ny = F.exp(x)", "--no-grad -b y"),
                                         ("x = Variable(np.array(2.0))\ny = F.exp(x)", "--no-grad")])
def test_a_no_grad_cell_ran_as_no_grad(shell, displayed, code, flags):
    trace = run_traced(shell, code, flags)
    assert trace.graph.ran_as == NO_GRAD
    view = memory_view(trace)
    assert view.modes.value == MODE_LABELS[NO_GRAD]


# -- 5. %dezero gx of dezero's own classes ------------------------------------------------------------

GX = "x = Variable(np.array(2.0))\ny = x ** 3\ny.backward(create_graph=True)\ngx = x.grad"


def test_the_line_magic_on_a_dezero_grad_tells_no_own_classes_and_checks_it(shell, displayed):
    shell.run_cell(GX)
    assert shell.run_cell("%dezero gx").success
    trace = displayed[-1]
    view = dzw.view_for(trace)
    memory = text_of(view.views["Memory"].figures.value)
    assert "Your own classes" not in memory and " ".join(LINE_MAGIC.split()) in " ".join(memory.split())
    grads = text_of(view.views["Gradients"].table.value)
    assert "no longer exists" not in grads and "Grads of gx" in grads
    assert trace.output_refs[0]() is shell.user_ns["gx"]
    lifecycle.close_view(view)


def test_the_line_magic_on_own_classes_still_says_own_classes(shell, displayed):
    from student_code import STEP18

    shell.run_cell(STEP18)
    shell.run_cell("x = Variable(np.array(2.0))\ny = square(x)")
    assert shell.run_cell("%dezero y").success
    assert "Your own classes" in text_of(memory_view(displayed[-1]).figures.value)


def test_a_line_magic_variable_gone_is_told_as_the_drawn_variable(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0))")
    assert shell.run_cell("%dezero x ** 2").success       # an expression's value: no name holds it
    gc.collect()
    reason = check_gradients(displayed[-1]).reason
    assert "x ** 2, the variable %dezero drew, no longer exists" in reason
    assert "last backward" not in reason and "run the cell again" not in reason


# -- 6. sampled entries carry their indices -----------------------------------------------------------

@pytest.mark.parametrize("shape", [(60,), (6, 10)])
def test_sampled_entries_are_shown_with_their_indices(shell, displayed, shape):
    trace = run_traced(shell, f"np.random.seed(1)\nx = Variable(np.random.randn(*{shape}), name='x')\n"
                              "y = F.sum(F.sin(x) * x)\ny.backward()")
    text = text_of(gradients_view(trace).table.value)
    x = shell.user_ns["x"]
    g, data = x.grad.data.reshape(-1), x.data.reshape(-1)
    leaf = check_gradients(trace).leaves[0]
    checked = np.flatnonzero(~np.isnan(leaf.numerical.reshape(-1)))
    assert 0 < checked.size < g.size and "entries checked" in text
    for i in checked[:4]:
        index = ",".join(map(str, np.unravel_index(i, shape)))
        # value, analytic and numerical: the same entry, with its index
        assert f"[{index}]\u00a0{data[i]:.6g}" in text
        assert text.count(f"[{index}]\u00a0{g[i]:.6g}") == 2, (index, text)
    assert "entries " not in text.replace("entries checked", "")


# -- 7. numbers and units stay together ---------------------------------------------------------------

def test_byte_labels_join_number_and_unit_with_a_no_break_space(shell, displayed):
    trace = run_traced(shell, "x = Variable(np.ones(1000), name='x')\ny = F.sum(F.exp(x))\ny.backward()")
    html = memory_view(trace).figures.value
    labels = re.findall(r'font-weight:bold[^"]*">([^<]*)</td>', html)
    assert labels and all(re.fullmatch(r"[\d.]+\u00a0(B|KiB|MiB)", label) for label in labels), labels
    assert f"{NBSP}KiB" in html and f"{NBSP}B<" in html
    assert not re.search(r"\d (B|KiB|MiB)\b", text_of(html))


def test_the_measured_table_keeps_units_with_their_numbers():
    results = [ModeResult("default", "retain_grad=False (default)", 1500, 104, 0.25),
               ModeResult("no_grad", "no_grad", 800, 0, 0.125)]
    text = text_of(measured_html(results))
    assert f"1.5{NBSP}KiB" in text and f"104{NBSP}B" in text and f"0.250{NBSP}s" in text
    assert f"64{NBSP}KiB" in text                     # the noise note: tiny runs
    assert not re.search(r"\d (B|KiB|MiB|s)\b", text)


def test_a_forgotten_cleargrad_whose_grad_the_cell_reads_is_not_called_harmless(shell, displayed):
    # (session 21) Step 33's Newton step without the second cleargrad: gx2 = x.grad is dy/dx + d2y/dx2.
    [note] = _carried(run_traced(shell, "x = Variable(np.array(2.0), name='x')\ny = x ** 4 - 2 * x ** 2\n"
                                        "y.backward(create_graph=True)\ngx = x.grad\ngx.backward()\n"
                                        "gx2 = x.grad\nx.data -= gx.data / gx2.data"))
    assert "Harmless" not in note
    assert "the cell reads x.grad after that backward, so it gets the sum of the passes' grads" in note
    assert "Call x.cleargrad() before the backward whose grad you read (as step 33's loop does" in note


def test_a_grad_read_only_before_the_last_backward_keeps_the_harmless_note(shell, displayed):
    [note] = _carried(run_traced(shell, "x = Variable(np.array(2.0), name='x')\ny = x ** 3\n"
                                        "y.backward()\ng = x.grad\ny.backward()"))
    assert "Harmless unless you read it" in note and "(as steps 33 and 34 do)" in note
