"""What Python's number protocols do with a Variable (not in the book).

A training loop prints its loss: `f"{loss:.4f}"` now formats the number a
one-element Variable holds (it raised "unsupported format string passed to
Variable.__format__"); `float(loss)`, `"%.4f" % loss`, `round(loss, 3)` and
math.exp(v) still refuse (a float has no graph: math.exp(x) in place of
F.exp(x) would cut it without a word), but say what to write. Installed on
import (dezero/__init__ imports this module).
"""
import numpy as np

from dezero.core import Variable


def _format(self, spec):
    if not spec:
        return str(self)
    data = self.data
    if isinstance(data, np.ndarray) and data.size == 1:
        return format(data.item(), spec)
    shape = getattr(data, "shape", None)
    raise TypeError(f"format spec {spec!r} needs one number, and this Variable holds an array of shape {shape}: "
                    f"format one of its numbers (f'{{v.data[0]:{spec}}}') or the array (np.round(v.data, 4))")


def _float(self):
    raise TypeError("float(v) of a dezero Variable (also '%.4f' % v, and math.exp(v) & co.): a Python float has no "
                    "graph. For the number, use v.data.item() (v.data is the ndarray inside); to compute with "
                    "gradients, use dezero.functions (F.exp(v), not math.exp(v)); to print a one-number "
                    "Variable, f'{v:.4f}' works")


def _round(self, ndigits=None):
    raise TypeError("round(v) of a dezero Variable: round its array, np.round(v.data, 3) (no gradients), or "
                    "print it with f'{v:.3f}'")


Variable.__format__ = _format
Variable.__float__ = _float
Variable.__round__ = _round
