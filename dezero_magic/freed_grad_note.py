"""A note for a cell that failed on None where it had read a grad: `gx =
x.grad` gave None because x is no leaf any more.

Step 33's Newton loop written `x = x - gx / gx2` (as the update of a plain
number would be) makes x the output of Sub: the next `y.backward()` frees
its grad (retain_grad=False keeps only the leaves'), `gx = x.grad` is None,
and `gx.backward()` raises "'NoneType' object has no attribute 'backward'",
which says nothing of why. Book step 18's lesson fails the same way where
the variable was an intermediate all along (`a = F.square(x)`; `a.grad`
after `y.backward()`): that note names retain_grad instead.
"""
from dezero_magic.cell_names import grad_reads, rebinds_from_itself
from dezero_magic.links import is_variable_like
from dezero_magic.naming import attr_of


def freed_grad_note(error, code, namespace):
    """The note when `error` is an AttributeError on None and the cell read
    that None as the grad of a variable that is no leaf now; else None."""
    if not isinstance(error, AttributeError) or not str(error).startswith("'NoneType' object has no attribute"):
        return None
    for var, _, name in grad_reads(code)[0]:
        held = namespace.get(var)
        if name is None or name not in namespace or namespace[name] is not None or not is_variable_like(held):
            continue
        creator = attr_of(held, "creator")
        if creator is None:
            continue
        if not rebinds_from_itself(code, var):
            return (f"{name} is None: it is {var}.grad, and {var} is an intermediate variable "
                    f"({type(creator).__name__} made it): backward frees an intermediate's grad once it has "
                    f"used it, and keeps only the leaves' (retain_grad=False, book step 18). To read it, call "
                    f"backward(retain_grad=True), or run the cell as %%dezero --retain-grad.")
        return (f"{name} is None: it is {var}.grad, and {var} is no leaf any more: {type(creator).__name__} made "
                f"it (a line like `{var} = {var} - ...` rebound {var} to a computed value), so backward freed its "
                f"grad, as it frees every intermediate's (retain_grad=False). Update the data instead, as step "
                f"33's loop does: `{var}.data -= ...`, and {var} stays a leaf.")
    return None
