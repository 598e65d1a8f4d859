"""The Gradients tab's part on the first derivative of a higher-order cell
(`dezero_magic.first_pass`): its own titled block, a FAIL in the warning
style with the wrong backward named, and the word the summary line adds so
that it never says "All ... pass" of gx's graph alone (escaped)."""
import numpy as np

from dezero_magic.grad_tolerance import sci
from dezero_magic.render.escape import esc
from dezero_magic.widgets import style


def _num(a):
    a = np.asarray(a).reshape(-1)
    return " ".join(f"{v:.6g}" for v in a[:4]) + (" …" if a.size > 4 else "")


def first_pass_html(first, which_html):
    """The block; '' without an earlier pass. `which_html`: gradients_tab's "which backward" renderer."""
    if first is None:
        return ""
    what = (f"Is {first.grad}, the grad {first.output}.backward(create_graph=True) left on {first.leaf}, really "
            f"d{first.output}/d{first.leaf}? Compared with central differences of {first.output}, re-running its "
            "forward on copies.")
    if first.passed is None:
        if first.analytic is not None:
            said = (f"{first.grad} differs from d{first.output}/d{first.leaf} (gave {_num(first.analytic)}, "
                    f"expected {_num(first.numerical)}), not judged: {first.reason}.")
        elif first.waiting:
            said = f"Not checked yet: {first.reason}."
        else:
            said = f"The first derivative was not checked, because {first.reason}."
        body = esc(said)
    else:
        got = (f"{first.grad} = {_num(first.analytic)}, d{first.output}/d{first.leaf} = {_num(first.numerical)} "
               f"(relative error {first.rel_error:.2e})")
        if first.passed:
            near_0 = (f", a difference of {first.abs_error:.1e} within atol {sci(first.within_atol)}: a grad near 0"
                      if first.within_atol is not None else "")
            body = esc(f"pass: {got}{near_0}.")
        else:
            body = style.warning(f"FAIL: {got}. A backward of {first.output}'s graph is wrong, so every grad "
                                 f"built on {first.grad} is wrong too, though {first.grad}'s own graph passes "
                                 "above.")
    block = style.block(f'<div style="color:{style.MUTED}">{esc(what)}</div><div>{body}</div>',
                        title=first.title, klass="dz-gradients-first")
    return block + (which_html(first.which) if first.passed is False else "")


def summary_word(first, summary, table_passes):
    """The summary line (escaped HTML) with what the first derivative's check found;
    `table_passes`: the table's checked leaf grads all pass (of gx's graph only)."""
    if first is None or first.passed is True:
        return summary
    if first.passed is False:
        head = style.warning(f"The first derivative FAILS the check: {first.grad} is not "
                             f"d{first.output}/d{first.leaf} (see \"{first.title}\" below).")
        if table_passes:   # not "All ... pass": that is of gx's own graph, differentiated from a wrong gx
            return head + esc(f" The table's leaf grads agree with {first.grad}'s graph, built on that wrong "
                              "grad: they say nothing of it.")
        return head + " " + summary
    if first.waiting:
        return summary + esc(f" The first derivative ({first.grad} from {first.output}) waits for the button.")
    return summary + esc(f" Only {first.grad}'s graph was checked, not whether {first.grad} is "
                         f"d{first.output}/d{first.leaf} (see \"{first.title}\" below).")
