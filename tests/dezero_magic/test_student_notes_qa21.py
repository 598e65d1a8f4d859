"""QA session 21, a student working through steps 18-33: `%dezero gx`
after `y.backward(create_graph=True)` says its leaves' grads are y's, not
gx's; their own Config.enable_backprop left False by an earlier cell is
told; a partial `class Variable:` cell that replaced the whole class is
told; a tuple given to %dezero / -b names its item and the trailing comma;
-h says when -b runs."""
import contextlib
import io

from IPython.core.error import UsageError

from dezero_magic.redefined_class import redefined_note
from student_code import STEP18
from widget_html import text_of

CREATE_GRAPH = "x = Variable(np.array(3.0), name='x')\ny = x ** 3\ny.backward(create_graph=True)\ngx = x.grad"


def _notes(trace):
    return " ".join(trace.graph.notes)


def _html_text(trace):
    return " ".join(text_of(trace.html()).split())


# S21-2 ---------------------------------------------------------------------

def test_line_magic_on_a_grad_says_the_leaves_grads_are_the_earlier_backwards(shell, displayed):
    shell.run_cell(CREATE_GRAPH)
    result = shell.run_cell("%dezero gx")
    assert result.success
    trace = displayed[-1]
    assert trace.graph.variables and any(v.grad == "27" for v in trace.graph.variables.values())
    notes = _notes(trace)
    assert "earlier backward, y.backward(create_graph=True)" in notes
    assert "x.grad is gx itself (dy/dx), not d(gx)/dx" in notes
    assert "call x.cleargrad(), then gx.backward()" in notes
    assert "x.grad is gx itself" in trace.text()
    assert "x.grad is gx itself (dy/dx)" in _html_text(trace)
    # after the second backward x.grad is d(gx)/dx: no such note
    shell.run_cell("x.cleargrad()\ngx.backward()")
    shell.run_cell("%dezero gx")
    assert "earlier backward" not in _notes(displayed[-1])
    # a plain first-order pass: x.grad is y's derivative, which the drawing shows as meant
    shell.run_cell("a = Variable(np.array(3.0))\nb = a ** 3\nb.backward()")
    shell.run_cell("%dezero b")
    assert "earlier backward" not in _notes(displayed[-1])


def test_line_magic_on_a_grad_names_the_backward_that_made_it_not_another_user_of_x(shell, displayed):
    # R21-4: `a` uses x too and comes first in the namespace, but y's backward made gx
    shell.run_cell("x = Variable(np.array(3.0))\na = x * 2")
    shell.run_cell("y = x ** 3\ny.backward(create_graph=True)\ngx = x.grad")
    shell.run_cell("%dezero gx")
    notes = _notes(displayed[-1])
    assert "earlier backward, y.backward(create_graph=True)" in notes and "(dy/dx)" in notes
    assert "a.backward" not in notes and "da/dx" not in notes
    # two that could have made it: neither is named
    shell.run_cell("y2 = x ** 3")
    shell.run_cell("%dezero gx")
    notes = _notes(displayed[-1])
    assert "earlier backward, a backward(create_graph=True)" in notes and "(the first derivative)" in notes
    assert "y.backward" not in notes and "y2.backward" not in notes
    # the backward's output dropped: `a` is not named in its place
    shell.run_cell("del y, y2\nx.cleargrad()\n(x ** 3).backward(create_graph=True)\ngx = x.grad")
    shell.run_cell("%dezero gx")
    notes = _notes(displayed[-1])
    assert "earlier backward, a backward(create_graph=True)" in notes and "a.backward" not in notes
    # an output that kept its grad (retain_grad=True; seed 2, so its derivative is not gx) is named
    shell.run_cell("x.cleargrad()\nb = x ** 3\nb.grad = Variable(np.array(2.0))\n"
                   "b.backward(retain_grad=True, create_graph=True)\ngx = x.grad")
    shell.run_cell("%dezero gx")
    assert "earlier backward, b.backward(create_graph=True)" in _notes(displayed[-1])


# S21-3 ---------------------------------------------------------------------

BACKPROP_CELL = "x = Variable(np.array(2.0))\ny = square(x)\ny.backward()"


def test_their_config_left_off_by_an_earlier_cell_is_told(shell, displayed):
    shell.run_cell(STEP18)
    shell.run_cell("Config.enable_backprop = False")
    result = shell.run_cell("%%dezero\n" + BACKPROP_CELL)
    assert not result.success  # as a plain cell: their backward meets creator None
    trace = displayed[-1]
    notes = _notes(trace)
    assert "Your Config.enable_backprop was already False when this cell started" in notes
    assert "`Config.enable_backprop = True`" in notes and "with no_grad():" in notes
    assert "Your Config.enable_backprop was already False" in trace.text()
    assert "`Config.enable_backprop = True`" in _html_text(trace)
    # not told when the cell switches it on itself, or under --no-grad, or when it is on
    shell.run_cell("%%dezero\nConfig.enable_backprop = True\n" + BACKPROP_CELL)
    assert "already False" not in _notes(displayed[-1])
    shell.run_cell("Config.enable_backprop = False")
    shell.run_cell("%%dezero --no-grad\nx = Variable(np.array(2.0))\ny = square(x)")
    assert "already False" not in _notes(displayed[-1])
    shell.run_cell("Config.enable_backprop = True")
    shell.run_cell("%%dezero\n" + BACKPROP_CELL)
    assert "already False" not in _notes(displayed[-1])


BOOK_STEP18_CELL = """Config.enable_backprop = True
x = Variable(np.ones((10, 10, 10)))
y = square(square(square(x)))
y.backward()

Config.enable_backprop = False
x = Variable(np.ones((10, 10, 10)))
y = square(square(square(x)))
"""


def test_the_book_step_18_cell_run_again_is_not_told_it_started_off(shell, displayed):
    # R21-3: the cell leaves Config.enable_backprop False; run again, it starts False,
    # but it switches it on itself, builds a graph and runs a backward
    shell.run_cell(STEP18)
    for _ in range(2):
        assert shell.run_cell("%%dezero\n" + BOOK_STEP18_CELL).success
        assert "already False" not in _notes(displayed[-1])
    # a cell that switches it off itself first: its own doing, not an earlier cell's
    shell.run_cell("%%dezero\nConfig.enable_backprop = False\nx = Variable(np.array(2.0))\ny = square(x)")
    assert "already False" not in _notes(displayed[-1])
    # switched on for a block by a helper the AST cannot read (setattr with a variable name):
    # its graph and backward show the value it started with did not stop it
    result = shell.run_cell("%%dezero\nwith using_config('enable_backprop', True):\n"
                            "    x = Variable(np.array(2.0))\n    y = square(x)\n    y.backward()")
    assert result.success and shell.user_ns["Config"].enable_backprop is False
    assert "already False" not in _notes(displayed[-1])
    # the original case is still told: an earlier cell left it False, this one just computes
    shell.run_cell("%%dezero\nx = Variable(np.array(2.0))\ny = square(x)")
    assert "Your Config.enable_backprop was already False" in _notes(displayed[-1])


# S21-4 ---------------------------------------------------------------------

def test_a_partial_class_variable_cell_is_told_where_variable_then_fails(shell, displayed):
    shell.run_cell(STEP18)
    shell.run_cell("x = Variable(np.array(2.0))")
    shell.run_cell("class Variable:\n    __array_priority__ = 200")
    result = shell.run_cell("%%dezero\ny = square(x)\ny.backward()")
    assert "takes no arguments" in str(result.error_in_exec)
    trace = displayed[-1]
    notes = _notes(trace)
    assert "Variable was redefined by a later cell" in notes
    assert "`Variable.__array_priority__ = 200`" in notes and "run the whole class again" in notes
    assert "Variable was redefined by a later cell" in trace.text()
    assert '"Variable() takes no arguments"' in _html_text(trace)
    assert '"Variable() takes' not in trace.html()  # the quotes are escaped in the HTML
    # the whole class run again: nothing to tell
    shell.run_cell(STEP18)
    shell.run_cell("%%dezero\ny = square(x)\ny.backward()\nz = Variable(1)")
    assert "redefined" not in _notes(displayed[-1])


def test_the_partial_class_cell_itself_is_told(shell, displayed):
    shell.run_cell(STEP18)
    shell.run_cell("x = Variable(np.array(2.0))")
    result = shell.run_cell("%%dezero\nclass Variable:\n    @property\n    def shape(self):\n"
                            "        return self.data.shape\n")
    assert result.success
    notes = _notes(displayed[-1])
    assert "Variable was redefined by this cell" in notes
    assert "`Variable.shape = property(shape)`" in notes


def test_the_earlier_class_is_found_in_the_input_history_too():
    partial = type("Variable", (), {"__array_priority__": 200})
    whole = "class Variable:\n    def __init__(self, data):\n        self.data = data\n    def backward(self):\n" \
            "        pass\n"
    note = redefined_note({"Variable": partial, "In": ["", whole, "class Variable:\n    pass"]})
    assert note is not None and "no __init__ or backward" in note
    assert redefined_note({"Variable": partial, "In": ["", "class Variable:\n    pass"]}) is None


# S21-7 ---------------------------------------------------------------------

def test_line_magic_on_a_tuple_names_its_item_and_the_comma(shell, displayed):
    shell.run_cell("x = Variable(np.array(2.0))\ny = F.square(x),")
    result = shell.run_cell("%dezero y")
    message = str(result.error_in_exec)
    assert isinstance(result.error_in_exec, UsageError)
    assert "trailing comma" in message and "%dezero y[0]" in message
    shell.run_cell("pair = (F.square(x), F.exp(x))")
    message = str(shell.run_cell("%dezero pair").error_in_exec)
    assert "It holds 2 items, all Variables" in message and "%dezero pair[0]" in message
    # R21-10: only one item is a Variable: that one is named, not "one of them"
    shell.run_cell("mixed = (5, F.square(x))\nthree = (F.exp(x), 5, F.square(x))")
    message = str(shell.run_cell("%dezero mixed").error_in_exec)
    assert "only mixed[1] is a Variable: give %dezero mixed[1]" in message and "one of them" not in message
    message = str(shell.run_cell("%dezero three").error_in_exec)
    assert "of which three[0], three[2] are Variables" in message and "three[1]" not in message


def test_b_on_a_tuple_names_its_item_and_the_comma(shell, displayed):
    result = shell.run_cell("%%dezero -b y\nx = Variable(np.array(2.0))\ny = F.square(x),")
    message = str(result.error_in_exec)
    assert isinstance(result.error_in_exec, UsageError)
    assert "trailing comma" in message and "-b y[0]" in message
    assert "-b y[0]" in _notes(displayed[-1])


# S21-8 ---------------------------------------------------------------------

def test_help_says_b_runs_only_without_a_backward_in_the_cell(shell):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        shell.run_cell("%%dezero -h\n")
    text = " ".join(out.getvalue().split())
    assert "only when the cell ran no backward pass itself" in text
    assert "only if the cell ran no backward pass itself" in text
    assert "call gx.backward() in the cell" in text
