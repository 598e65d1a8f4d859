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


STEP_18_LESSON = """
x = Variable(np.array(2.0))
a = F.square(x)
y = F.square(a) + F.square(a)
y.backward()
ga = a.grad
print(ga.data)
"""


def test_an_intermediate_all_along_is_told_retain_grad_not_to_update_its_data(shell, displayed):
    # QA R22-2: step 18's lesson got the Newton advice ("a = a - ... rebound a", "a.data -= ...")
    result, notes = _notes(shell, displayed, STEP_18_LESSON)
    assert isinstance(result.error_in_exec, AttributeError)
    assert "ga is None: it is a.grad, and a is an intermediate variable (Square made it)" in notes, notes
    assert "backward(retain_grad=True)" in notes and "--retain-grad" in notes and "step 18" in notes
    assert "no leaf any more" not in notes and ".data -=" not in notes
    result, notes = _notes(shell, displayed, STEP_18_LESSON.replace("y.backward()", "y.backward(retain_grad=True)"))
    assert result.success and "intermediate variable" not in notes


def test_an_augmented_update_counts_as_rebinding():
    from dezero_magic.cell_names import rebinds_from_itself

    assert rebinds_from_itself("x -= lr * gx", "x")
    assert rebinds_from_itself("x = x - gx / gx2", "x")
    assert not rebinds_from_itself("a = F.square(x)\nx.data -= 1", "x")
    assert not rebinds_from_itself("a = F.square(x)", "a")
