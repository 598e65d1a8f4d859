"""Interrupt pressed while %%dezero draws the graph, after the cell's own
code ran (QA robust 1): one line says so, the cell's variables and output
are kept, the cell fails as interrupted (Run All stops) without a traceback
through the magic's layout code."""
import pytest
from IPython.utils.capture import capture_output

import dezero_magic.trace as trace_module


@pytest.fixture
def interrupted_layout(monkeypatch):
    def layout(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(trace_module, "compute_layout", layout)


def test_an_interrupt_while_drawing_keeps_the_cell_and_says_so(shell, interrupted_layout):
    with capture_output() as out:
        result = shell.run_cell("%%dezero --static\nx = Variable(np.array(2.0))\ny = F.exp(x)\nprint('ran')\ny")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)  # Run All stops here, as asked
    assert shell.user_ns["y"].data == pytest.approx(7.389056, rel=1e-6)
    assert "ran" in out.stdout
    assert ("%%dezero: drawing the graph was interrupted; the cell itself ran to its end (its variables and "
            "output are kept). Run the cell again to see its graph.") in out.stderr
    assert "Traceback" not in out.stdout + out.stderr and "layout" not in out.stdout + out.stderr


def test_a_cell_that_raised_is_still_failed_by_its_own_error(shell, interrupted_layout):
    with capture_output() as out:
        result = shell.run_cell("%%dezero --static\nx = Variable(np.array(2.0))\nraise ValueError('own')")
    assert isinstance(result.error_in_exec, ValueError)
    assert "the cell itself had raised the error shown above" in out.stderr
