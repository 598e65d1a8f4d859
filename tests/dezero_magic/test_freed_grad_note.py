"""Step 33's Newton loop with `x = x - gx / gx2`: x is no leaf in the next
iteration, its grad is freed, `gx = x.grad` is None and gx.backward() raises;
the cell's note says why (QA session 21, S21-6)."""
NEWTON_REBINDING = """
x = Variable(np.array(2.0))
for i in range(3):
    y = x ** 4 - 2 * x ** 2
    x.cleargrad()
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    gx2 = x.grad
    x = x - gx / gx2
"""


def _notes(shell, displayed, cell):
    result = shell.run_cell("%%dezero\n" + cell)
    return result, " ".join(displayed[-1].graph.notes)


def test_a_grad_read_as_none_from_a_rebound_variable_is_explained(shell, displayed):
    plain = shell.run_cell(NEWTON_REBINDING)
    assert isinstance(plain.error_in_exec, AttributeError)
    result, notes = _notes(shell, displayed, NEWTON_REBINDING)
    assert isinstance(result.error_in_exec, AttributeError)        # the cell fails as a plain cell does
    assert "gx is None: it is x.grad, and x is no leaf any more: Sub made it" in notes, notes
    assert "`x.data -= ...`" in notes and "step 33" in notes


def test_the_step_33_loop_that_updates_the_data_gets_no_such_note(shell, displayed):
    result, notes = _notes(shell, displayed, NEWTON_REBINDING.replace("x = x - gx / gx2", "x.data -= gx.data / gx2.data"))
    assert result.success and "no leaf any more" not in notes


def test_another_none_error_is_not_blamed_on_a_grad(shell, displayed):
    result, notes = _notes(shell, displayed, "x = Variable(np.array(2.0))\ng = x.grad\nz = None\nz.backward()")
    assert isinstance(result.error_in_exec, AttributeError) and "no leaf any more" not in notes
