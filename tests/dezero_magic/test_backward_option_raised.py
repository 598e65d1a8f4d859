"""`%%dezero -b y` whose y.backward() raises after the cell itself ran: the
caption, the text summary and the Backward tab say that the backward -b
called raised, not the cell (QA: "INCOMPLETE — the cell raised")."""
from dezero_magic.widgets.backward_tab import BackwardView

from widget_html import text_of

BOOM = ("class Boom(Function):\n"
        "    def forward(self, x):\n        return x * 2\n"
        "    def backward(self, gy):\n        raise ValueError('boom in backward')\n")


def test_a_failing_minus_b_backward_is_named_where_the_cell_was(shell, displayed):
    shell.run_cell("from dezero import Function\n" + BOOM)
    result = shell.run_cell("%%dezero -o _t -b y\nx = Variable(np.array(2.0))\ny = Boom()(x)")
    assert not result.success and str(result.error_in_exec) == "boom in backward"  # the user's own error
    trace = shell.user_ns["_t"]
    what = "y.backward() (called by -b y) raised"
    assert trace.caption().startswith(f"INCOMPLETE — {what}; this is the graph recorded until then.")
    assert "the cell raised" not in trace.caption()
    assert trace.text().splitlines()[0].endswith(f"(INCOMPLETE: {what})")
    said = text_of(BackwardView(trace).message.value).strip()
    assert said.startswith("The cell ran, but y.backward() (called by -b y) raised its error before a backward "
                           "step was recorded")
    assert "could call" not in said


def test_a_cell_that_raised_itself_is_still_said_to_have_raised(shell, displayed):
    result = shell.run_cell("%%dezero -o _t -b y\nx = Variable(np.array(2.0))\ny = F.exp(x)\n"
                            "raise ValueError('in the cell')")
    assert not result.success
    trace = shell.user_ns["_t"]
    assert trace.caption().startswith("INCOMPLETE — the cell raised;")
    assert trace.text().splitlines()[0].endswith("(INCOMPLETE: the cell raised)")
