"""What `for r in v`, `list(v)`, `sum(v)` and `if v:` do with a Variable (not in the book).

Without `__iter__`, Python walked `v[0], v[1], ...` until IndexError, so a 0-d
Variable iterated as empty: `sum(loss)` was 0 and `list(loss)` [] without a
word (NumPy and torch refuse). Without `__bool__`, `if v:` asked len(): True
for any non-empty Variable (even [0.0]) and "len() of unsized object" for a
one-number one; a Variable's truth is never what `if loss:` means.
"""

_NO_ITERATION = ("iteration over a 0-d Variable (also sum(v), list(v), `for e in v`): it holds one number, "
                 "not a sequence. Use the Variable itself (e.g. loss, not sum(loss)), or v.data.item() for "
                 "the Python number")

_NO_TRUTH = ("a Variable has no truth value (bool(v), `if v:`, `not v`, `v and w`): test its array instead, "
             "e.g. `if v.data > 0` for one number or `if (v.data > 0).all()` for many; to test whether a "
             "variable is there at all, write `v is not None`")


class IterationAndTruth:
    """Mixin for dezero.core.Variable: iteration by rows, as before, and no truth value."""

    __slots__ = ()

    def __iter__(self):
        if getattr(self.data, "ndim", None) == 0:
            raise TypeError(_NO_ITERATION)
        # Each row through __getitem__ (a GetItem in the graph), as the sequence
        # protocol did; len() first, so that a Variable holding no data says so now.
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        raise TypeError(_NO_TRUTH)
