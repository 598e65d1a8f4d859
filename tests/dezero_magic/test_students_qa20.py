"""QA session 20, a student's own classes under %%dezero: syntax errors from
IPython's transforms (an IndentationError) shown as in a plain cell and
reported before exec; one-line automagic cells (`cd`, `pwd`) run as in a
plain cell; a SyntaxWarning printed as often as in a plain cell; a backward
that returned a list, or raised, told as such on the Gradients tab and in
the book comparison; the comparison's own .grad column where the student's
code stored another grad than the replay's sums; int data's hint; and the
comparison's counts in the singular."""
import contextlib
import io
import os
import re
import warnings

import dezero_magic.widgets as dzw
from dezero_magic.graph import BackwardStep, FuncNode, Graph, VarNode
from dezero_magic.replay import Replay
from dezero_magic.widgets import lifecycle
from dezero_magic.widgets.backward_tab import BOOK, BackwardView
from dezero_magic.widgets.book_comparison import YOURS, comparison_html
from student_code import STEP14
from widget_html import text_of

INDENTED = "def f(x):\n      y = x ** 2\n    return y\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

MUL_LIST = '''
class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1
    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return [gy * x1, gy * x0]
a = Variable(np.array(3.0))
b = Variable(np.array(2.0))
y = Mul()(a, b)
y.backward()
'''

RECURSING = '''
class Bad(Function):
    def forward(self, x):
        return 2 * x
    def backward(self, gy):
        return self.backward(gy)
x = Variable(np.array(1.0))
y = Bad()(x)
y.backward()
'''


def _captured(shell, cell):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = shell.run_cell(cell)
    return result, ANSI.sub("", out.getvalue() + err.getvalue())


def _squeezed(fragment):
    return " ".join(text_of(fragment).split())


def _gradients(shell, cell):
    """The Gradients page's table text (its check run: the graph holds the student's classes)."""
    shell.run_cell("%%dezero -o tt\n" + cell)
    view = dzw.view_for(shell.user_ns["tt"])
    page = view.views["Gradients"]
    if page.run is not None:
        page.run.click()
    text = _squeezed(page.table.value)
    lifecycle.close_view(view)
    return text


def _book(shell, cell):
    """The Backward tab's book comparison (the grads computed: the student asked)."""
    shell.run_cell("%%dezero -o tt\n" + cell)
    view = BackwardView(shell.user_ns["tt"])
    view.mode.value = BOOK
    return view.comparison.value


# --- F2, F6.9: a syntax error from IPython's transforms ----------------------------

def test_an_indentation_error_shows_as_in_a_plain_cell_counted_from_the_magic_line(shell, displayed):
    plain, plain_text = _captured(shell, INDENTED)
    result, text = _captured(shell, "%%dezero\n" + INDENTED)
    assert isinstance(plain.error_before_exec, IndentationError) and plain.error_before_exec.lineno == 3
    error = result.error_before_exec
    assert isinstance(error, IndentationError) and result.error_in_exec is None
    assert error.lineno == 4                           # the `%%dezero` line is line 1 of the cell
    assert "cellrun" not in text and "transform_cell" not in text and "Traceback" not in text, text
    assert "IndentationError: unindent does not match any outer indentation level" in text
    assert len(text.strip().splitlines()) == len(plain_text.strip().splitlines())  # the short display
    assert displayed == []                             # nothing ran: no graph


def test_a_syntax_error_is_reported_before_exec_as_in_a_plain_cell(shell, displayed):
    result, text = _captured(shell, "%%dezero\nx = 1\ndef g(:\n    pass\n")
    assert isinstance(result.error_before_exec, SyntaxError) and result.error_in_exec is None
    assert result.error_before_exec.lineno == 3 and "line 3" in text
    assert displayed == []


# --- F3: one-line automagic ------------------------------------------------------

def test_one_line_automagic_cells_run_as_in_a_plain_cell(shell, displayed, tmp_path):
    here = os.getcwd()
    try:
        result, text = _captured(shell, f"%%dezero\ncd {tmp_path}\n")
        assert result.success, text
        assert os.getcwd() == str(tmp_path) and "NameError" not in text
        result, text = _captured(shell, "%%dezero\npwd\n")
        assert result.success and str(tmp_path) in text, text
    finally:
        os.chdir(here)


def test_a_python_line_still_runs_numbered_from_the_magic_line(shell, displayed):
    result, text = _captured(shell, "%%dezero\nundefined_name_qa20\n")
    assert isinstance(result.error_in_exec, NameError)
    assert "line 2" in text                             # a one-line body keeps the cell's numbering


# --- F6.8: a SyntaxWarning, as often as in a plain cell -----------------------------

def _syntax_warnings(shell, cell):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        shell.run_cell(cell)
    return [w for w in seen if issubclass(w.category, SyntaxWarning)]


def test_a_syntax_warning_is_printed_as_often_as_in_a_plain_cell(shell, displayed):
    body = "if 'qa20' is globals():\n    pass\nx = 1\n"
    plain = _syntax_warnings(shell, body)
    traced = _syntax_warnings(shell, "%%dezero\n" + body)
    assert plain and len(traced) == len(plain), [str(w.message) + str(w.filename) for w in traced]


def test_an_invalid_escape_warns_as_often_as_in_a_plain_cell(shell, displayed):
    # (review: dezero_magic's own reads of the cell's syntax tree warned again, `<unknown>:1`;
    # a DeprecationWarning on 3.11, a SyntaxWarning on 3.12+)
    def warned(cell):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            shell.run_cell(cell)
        return [w for w in seen if issubclass(w.category, (SyntaxWarning, DeprecationWarning))
                and "escape" in str(w.message)]

    body = "s_qa20 = '\\d'\nx = Variable(np.array(1.0))\ny = x * 2\n"
    plain = warned(body)
    traced = warned("%%dezero\n" + body)
    assert plain and len(traced) == len(plain), [(str(w.message), w.filename) for w in traced]


# --- F4, F5: a backward that returned a list, or raised -----------------------------

def test_a_backward_returning_a_list_is_told_as_a_list_on_the_gradients_tab(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    text = _gradients(shell, MUL_LIST)
    assert "forget `return`" not in text, text
    assert "FAIL" not in text, text
    assert "Mul.backward returned a list" in text and "so a got the whole list and b none" in text
    assert "its grad is a list" in text                 # a's row: the whole list, not a wrong backward
    assert "`return gx0, gx1`, not `return [gx0, gx1]`" in text


def test_the_book_comparison_says_the_backward_returned_a_list(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    text = _squeezed(_book(shell, MUL_LIST))
    assert "Mul.backward returned a list" in text and "1 grads" not in text, text
    assert "`return gx0, gx1`" in text


def test_the_cells_note_says_the_backward_returned_a_list_not_one_grad(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    shell.run_cell("%%dezero -o tt\n" + MUL_LIST)
    notes = " ".join(shell.user_ns["tt"].graph.notes)
    assert "Mul.backward returned a list" in notes and "returned 1 grad" not in notes, notes
    assert "got the whole list" in notes and "`return gx0, gx1`" in notes


def test_a_backward_returning_none_for_a_constant_is_not_said_to_return_too_few(shell, displayed):
    # (review: `return gy * c, None` read "returned fewer grads than its 2 inputs": it returned two)
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    text = _gradients(shell, "class MulC(Function):\n    def forward(self, x, c):\n        return x * c\n"
                             "    def backward(self, gy):\n        return gy * self.inputs[1].data, None\n"
                             "x = Variable(np.array(3.0))\nc = Variable(np.array(2.0))\ny = MulC()(x, c)\n"
                             "y.backward()")
    assert "returned fewer grads" not in text, text
    assert "returned None for it (fine for a constant" in text


def test_a_backward_that_recursed_is_said_to_have_raised_not_to_lack_return(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        text = _gradients(shell, RECURSING)
    assert "forget `return`" not in text, text
    assert "Bad.backward raised RecursionError" in text


def test_a_backward_without_return_is_still_asked_about_return(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    cell = ("class Sin(Function):\n    def forward(self, x):\n        return np.sin(x)\n"
            "    def backward(self, gy):\n        gx = np.cos(self.inputs[0].data) * gy\n"
            "x = Variable(np.array(1.0))\ny = Sin()(x)\ny.backward()\n")
    assert "Sin.backward ran but returned no grad for it (None): did it forget `return`?" in _gradients(shell, cell)


# --- F6.7: int data -----------------------------------------------------------------

def test_int_data_says_to_make_it_float(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    text = _gradients(shell, "x = Variable(np.array(2))\ny = square(x)\ny.backward()\n")
    assert ("int64 data cannot hold the nudge of h = 0.0001 that the numerical check makes: make the data float, "
            "e.g. np.array(2.0) instead of np.array(2), to check it") in text


# --- F6.3: the comparison beside what the student's code stored ----------------------

def test_the_book_comparison_shows_the_grad_the_overwriting_code_stored(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = False\nclass Variable:"))
    html = _book(shell, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\n")
    table = html[html.rindex("<table"):]
    headers = [text_of(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    assert headers[-1] == YOURS
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table) if re.search(r"<td[^>]*>x</td>", r))
    cells = [text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    assert cells[1] == "2" and cells[-1] == "1"        # the replay's sum, and what their code kept
    assert "Your code's .grad of x is not what either order gives: a later grad overwrote" in _squeezed(html)


def test_the_book_comparison_has_no_extra_column_when_the_code_added_up(shell, displayed):
    shell.run_cell(STEP14.replace("class Variable:", "ACCUMULATE = True\nclass Variable:"))
    html = _book(shell, "x = Variable(np.array(3.0))\ny = add(x, x)\ny.backward()\n")
    assert YOURS not in text_of(html) and "(1 backward call in all)" in _squeezed(html)


# --- F6.6: wording --------------------------------------------------------------------

def _chain_graph():
    graph = Graph()
    graph.variables = {"v0": VarNode("v0", label="x"), "v1": VarNode("v1", label="a", leaf=False)}
    graph.functions = {"f0": FuncNode("f0", "Square", inputs=["v0"], outputs=["v1"])}
    graph.steps = [BackwardStep(0, "f0")]
    return graph


def test_a_list_that_pops_after_generation_order_finished_says_so():
    graph = _chain_graph()
    rp = Replay(order=["f0", "f0"], generation_order=["f0"], diverges_at=1, repeated=["f0"], truncated=False,
                steps=[], start="f0")
    text = _squeezed(comparison_html(graph, rp))
    assert "pops nothing" not in text
    assert "after generation order has finished (1 pop, one per function)" in text, text

