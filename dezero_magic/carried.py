"""Whether a grad a backward step left on an input also holds an earlier
backward's (not cleared): the tracer's test for an input a call uses more
than once (`y = x * x`), where x.grad after the step is the sum of the
uses' grads unless it held one before."""
import numpy as np

from dezero_magic.records import array_of


def holds_more_than(total, parts):
    """Whether `total` (the input's grad after the step) differs from the
    sum of `parts` (the step's grads for each use, in the engine's order of
    adding them): then an earlier grad was added too."""
    parts = [array_of(p) for p in parts if p is not None]
    if not parts:
        return False
    expected = parts[0]
    for part in parts[1:]:
        expected = expected + part
    try:
        return not np.array_equal(np.asarray(array_of(total)), np.asarray(expected), equal_nan=True)
    except (TypeError, ValueError):  # (an int grad takes no equal_nan; odd arrays: not told)
        return not np.array_equal(np.asarray(array_of(total)), np.asarray(expected))
