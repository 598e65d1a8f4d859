"""The Gradients view: backprop's grads next to numerical ones (the book's
step 4 vs step 6), and for a scalar function of one scalar input a plot of
f and its derivatives around the point (step 34).

The numbers come from `dezero_magic.numgrad` (central differences on the
recorded graph's live Functions). The view is built when its tab is first
opened (it re-runs the forward dozens of times); a view whose objects are
gone, or changed since the graph was recorded, says why. A graph of
dezero's own functions is checked with the cell when that is cheap; one
with the user's own classes is checked only when they press the button the
view offers instead, as their forward may do more than compute (what it
prints is hidden; see `dezero_magic.isolation`). When a leaf grad FAILs,
a block under the table names which class's backward is wrong, each checked
alone (`dezero_magic.which_backward`).
"""
import ipywidgets as widgets
import numpy as np

from dezero_magic.exc_text import described
from dezero_magic.first_pass import check_first_pass, find_pair
from dezero_magic.grad_tolerance import sci
from dezero_magic.numgrad import GradCheck, check_gradients, derivative_curves, find_which
from dezero_magic.stepped_entries import EPS, F_NONFINITE, entry_index
from dezero_magic.reevaluate import passes
from dezero_magic.render.escape import esc
from dezero_magic.reused_instance import gradients_cause, gradients_why, reused
from dezero_magic.widgets import lifecycle, style
from dezero_magic.widgets.lazy_tab import too_big_to_make_early
from dezero_magic.widgets.first_pass_block import first_pass_html, summary_word
from dezero_magic.widgets.int_leaves import constants_row, float_hint, is_literal_constant, labels_result, skipped_text
from dezero_magic.widgets.plots import curves_layout, curves_png, img_tag
from dezero_magic.which_backward import ran_text

HEADER = ("variable", "value", "analytic grad (backprop)", "numerical grad (central difference)",
          "relative error", "result")
ORDER_NAMES = {0: "f(x)", 1: "f'(x)", 2: "f''(x)", 3: "f'''(x)"}
SHOWN = 4
OWN_CODE = ("This graph has your own classes ({names}). Checking its grads against numerical ones runs your "
            "forward again, about {runs} times, so it is not done until you ask for it.")
HIDDEN = "What your code prints then is hidden, but its other effects (a list it appends to, say) happen again."
WHICH_INTRO = ("Each function class's backward alone, at the inputs one of its calls in this graph had: what it "
               "returns for a fixed gy against central differences of sum(gy * forward(x)), re-running that "
               "forward alone on copies.")
ALL_OK = ("Each backward is right on its own, so the FAIL comes from how the grads were put together: a grad "
          "overwritten instead of added up where a variable is used twice (book step 14), or a function's "
          "backward run before all of its output's grad had arrived (book step 16).")
STORED_OK = ("Each backward is right on its own, so the FAIL comes from what your Variable.backward stored: "
             "other grads than the backwards returned (the note below names them; book steps 12-13 "
             "store the grad each backward returned for its input).")


def _fmt(a):
    """A short, fixed-width preview of an array (at most SHOWN entries)."""
    if a is None:
        return "-"
    a = np.asarray(a)
    flat = a.reshape(-1)
    body = " ".join(f"{v:.6g}" for v in flat[:SHOWN])
    if a.ndim == 0:
        return body
    more = " …" if flat.size > SHOWN else ""
    return f"shape {a.shape}: [{body}{more}]"


def _result(leaf, graph=None):
    if leaf.differs:
        return f"differs, not judged: {leaf.reason}"
    if leaf.passed is None and leaf.kinks and not leaf.nonfinite:
        return f"not differentiable here, not checked: {leaf.reason}"
    if leaf.passed is None:
        return labels_result(leaf, graph) or f"not checked: {leaf.reason}{float_hint(leaf)}"
    text = "pass" if leaf.passed else "FAIL"
    if leaf.passed and leaf.within_atol is not None:   # (its relative error may read 1.00e+00: a grad near 0)
        text += f" (difference {leaf.abs_error:.1e} within atol {sci(leaf.within_atol)})".replace("-", "\u2011")
    if leaf.checked < leaf.size:
        text += f" ({leaf.checked} of {leaf.size} entries checked)"
    if leaf.reason:
        text += f": {leaf.reason}"
    return text


def _sampled(leaf):
    """Flat indices of the entries checked, when only some were (else None)."""
    if leaf.numerical is None or leaf.checked >= leaf.size:
        return None
    where = np.flatnonzero(~np.isnan(leaf.numerical.reshape(-1)))[:SHOWN]
    return where if where.size else None   # every sampled entry NaN: the whole preview says so


def _at(values, where):
    """The entries `where` (flat indices) of `values`, each with its index: the
    checked entries are spread over the array, and unlabelled they read as the
    first ones the value column and the Graph tab show (QA: 0.177369 beside
    the Graph's -0.1779 looked like a sign error)."""
    a = np.asarray(values)
    flat = a.reshape(-1)
    # index and value joined (U+00A0): at 1024 px they wrapped apart, "[667]" beside the wrong number
    return ", ".join(f"[{entry_index(a.shape, i)}]\u00a0{flat[i]:.6g}" for i in where) + " …"


def _analytic(leaf):
    where = _sampled(leaf)
    if where is None or leaf.analytic is None or np.shape(leaf.analytic) != np.shape(leaf.numerical):
        return _fmt(leaf.analytic)  # (a grad of another shape: its own first entries; the result says why)
    return _at(leaf.analytic, where)


def _value(leaf):
    """The value column: at the checked entries when only some were (as the grad columns)."""
    where = _sampled(leaf)
    if where is None or np.shape(leaf.value) != np.shape(leaf.numerical):
        return _fmt(leaf.value)
    return f"shape {np.shape(leaf.value)}: {_at(leaf.value, where)}"


def _numerical(leaf):
    if leaf.numerical is None:
        return "-"
    where = _sampled(leaf)
    return _fmt(leaf.numerical) if where is None else _at(leaf.numerical, where)


def table_html(check, graph=None, first=None):
    """The leaf table (escaped), or the reason it is not available; then, in a
    higher-order cell, the check of the first derivative (`first_pass`)."""
    if not check.available:
        return style.block(esc(check.reason), title="Gradient check") + first_pass_html(first, which_html)
    rows = []
    # Named leaves (x, W) first: the constants a formula makes (2 in 2 * x) follow, and on
    # Goldstein-Price they are twenty rows that used to bury x and y; int ones, one line (QA S22-4).
    constants = [leaf for leaf in check.leaves if is_literal_constant(leaf, graph)]
    # No backward ran in the cell: a numerical grad has no backprop grad to stand beside (QA Q23-7)
    unasked = not check.backward_ran and not check.line_magic
    for leaf in sorted((lf for lf in check.leaves if lf not in constants), key=lambda lf: lf.label == lf.var_id):
        # a non-breaking hyphen (U+2011): "1.05e-08" wrapped as "1.05e-" / "08" in a narrow column
        err = "-" if leaf.rel_error is None else f"{leaf.rel_error:.2e}".replace("-", "\u2011")
        label = f"unnamed ({leaf.label})" if leaf.label == leaf.var_id else leaf.label   # as the other tabs say it
        columns = (_fmt(leaf.value), _fmt(leaf.analytic), "-") if unasked else (
            _value(leaf), _analytic(leaf), _numerical(leaf))
        rows.append((label, *columns, err, _result(leaf, graph)))
    if constants:
        rows.append(constants_row(constants))
    checked = [leaf.passed for leaf in check.leaves if leaf.passed is not None]
    summary = summary_word(first, _summary(check, graph), bool(checked) and all(checked))
    explain = (f"Grads of {check.output_label} with respect to the leaf variables. Numerical: "
               f"(f(x+h) - f(x-h)) / 2h with h = {EPS:g}, re-running the graph's forward on copies. "
               + check.tolerance.text())
    if any(leaf.nonfinite for leaf in check.leaves) or check.unchecked == F_NONFINITE:
        explain += (" Where f or the input is NaN/Inf at the point or within h of it, no central difference "
                    "exists: not checked.")
    if any(leaf.kinks for leaf in check.leaves):
        explain += (" Where f has a kink at or within h of the point (relu at 0, a max-pooling tie), the "
                    "slopes from left and right differ and no numerical grad is a reference: not checked.")
    explain = esc(explain)
    notes = "".join(f"<li>{esc(n)}</li>" for n in check.notes)
    body = (style.table(rows, header=HEADER) + f'<div style="margin-top:4px">{summary}</div>'
            + f'<div style="color:{style.MUTED}">{explain}</div>' + (f"<ul>{notes}</ul>" if notes else ""))
    return (style.block(body, title="Gradient check", klass="dz-gradients-table") + which_html(check.which, graph)
            + first_pass_html(first, which_html))


def which_html(which, graph=None):
    """The "Which backward is wrong" block (escaped); '' when the local check did not run."""
    if which is not None and which.unavailable:   # left for the tab, opened when the graph was gone
        return style.block(esc(f"Not checked: {which.unavailable}."), title="Which backward is wrong",
                           klass="dz-gradients-which")
    if which is None or not which.classes:
        return ""
    items = []
    for c in which.classes:
        if c.verdict == "FAIL":
            line = style.warning(f"{c.name} — FAIL:") + esc(f" {c.detail}")
        elif c.verdict == "ok":
            line = esc(f"{c.name} — ok ({c.detail})")
        else:
            line = esc(f"{c.name} — could not check: {c.detail}")
        items.append(f"<li>{line}</li>")
    wrong = [c.name for c in which.wrong]
    if wrong:
        end = style.warning(f"Look at {' and '.join(wrong)}: it does not give the derivative of its forward."
                            if len(wrong) == 1 else f"Look at {', '.join(wrong)}: they do not give the "
                                                    "derivatives of their forward.")
    elif all(c.verdict == "ok" for c in which.classes):
        found = reused(graph) if graph is not None else []
        end = esc(STORED_OK if graph is not None and graph.stored_otherwise
                  else gradients_cause(found) if found else ALL_OK)
    else:
        end = esc("No backward that could be checked is wrong: look at the ones that could not be checked, "
                  "or at how the grads were put together (book steps 14 and 16).")
    body = (f'<div style="color:{style.MUTED}">{esc(WHICH_INTRO)}</div><ul>{"".join(items)}</ul>'
            f"<div>{end}</div>")
    return style.block(body, title="Which backward is wrong", klass="dz-gradients-which")


def _summary(check, graph=None):
    """One line under the table: what was checked and what it found (escaped)."""
    if check.waiting:
        return esc(OWN_CODE.format(names=", ".join(check.own_classes), runs=check.planned_runs))
    checked = [leaf for leaf in check.leaves if leaf.passed is not None]
    fails = sum(leaf.passed is False for leaf in checked)
    kinks = sum(leaf.passed is None and leaf.kinks > 0 for leaf in check.leaves)
    skipped = len(check.leaves) - len(checked)
    if fails:
        what = ("The 1 checked leaf grad FAILS" if len(checked) == 1
                else f"{fails} of {len(checked)} checked leaf grads FAIL")
        which = check.which.wrong if check.which is not None else []
        found = reused(graph) if graph is not None and not which else []
        why = ("a backward is wrong, or your Variable.backward stored other grads than they returned"
               if graph is not None and graph.stored_otherwise else gradients_why(found) if found
               else "a backward is wrong (or grads were added up twice)")
        said = style.warning(f"{what} the check: {why}")
        return said + (esc(f" (which one: {', '.join(c.name for c in which)}, see below)") if which else "")
    differ = sum(leaf.differs for leaf in check.leaves)
    if differ:
        return esc(_differ_summary(check, differ, len(checked)))
    if checked:
        text = ("The 1 checked leaf grad passes." if len(checked) == 1
                else f"All {len(checked)} checked leaf grads pass.")
        text += skipped_text(skipped, sum(is_literal_constant(leaf, graph) for leaf in check.leaves))
        return esc(text)
    if check.unchecked:
        holds = any(leaf.nonfinite for leaf in check.leaves) and check.unchecked == F_NONFINITE
        return esc(f"Nothing was checked: {check.unchecked}" + (" (an input holds NaN/Inf)." if holds else "."))
    if all(leaf.passed is None and leaf.nonfinite for leaf in check.leaves):
        return esc("Nothing was checked: f or the input is NaN/Inf at the point or within h of it, so no "
                   "central difference exists (see the result column).")
    if all(leaf.passed is None and getattr(leaf, "rounded", 0) for leaf in check.leaves):
        return esc("Nothing was checked: the output is too large for a nudge of h to show in its sum (see the "
                   "result column).")
    if kinks == len(check.leaves):
        return esc("Nothing was checked: the function is not differentiable at this point (the slopes "
                   "from left and right differ), so no numerical gradient can confirm or refute backprop.")
    if not check.backward_ran and not check.line_magic and any(leaf.analytic is not None for leaf in check.leaves):
        y = check.output_label if check.output_label.isidentifier() else "y"
        return esc("Nothing was checked: no backward ran in this cell, so the leaves' grads are from an earlier "
                   f"backward, not derivatives of {check.output_label} (to check them, clear them with "
                   f"cleargrad() and call {y}.backward() in the cell).")
    if not check.backward_ran and all(leaf.analytic is None for leaf in check.leaves):
        if not check.can_backward:
            return esc("Nothing to check: your Variable class has no backward() yet (book step 7 adds it), "
                       "so the leaves have no grad to compare.")
        y = check.output_label if check.output_label.isidentifier() else "y"
        return esc("Nothing to check: no backward ran in this cell, so the leaves have no grad to compare "
                   f"(call {y}.backward() in the cell, or use %%dezero -b {y}).")
    if all(np.asarray(leaf.value).dtype.kind in "iub" for leaf in check.leaves):
        return esc("Nothing was checked: the leaves hold int data, which the numerical check cannot nudge "
                   "by h (see the result column).")
    return esc("Nothing was checked: no leaf has a grad that can be compared (see the result column).")


def _differ_summary(check, differ, checked):
    out = check.output_label
    some = "1 leaf grad differs" if differ == 1 else f"{differ} leaf grads differ"
    text = (f"{some} from the numerical derivative of {out}, which says nothing of a wrong backward here: "
            f"%dezero shows the grads as the last backward left them, and that backward may not have started "
            f"at {out}. Run the backward from {out} in a %%dezero cell to check it.")
    if checked:
        text += f" {checked} other{'s' if checked > 1 else ''} pass{'es' if checked == 1 else ''}."
    return text


def plot_html(curves):
    """The f / derivatives plot as an inline PNG, '' when not applicable."""
    if not curves.available:
        return ""
    values = {k: np.where(np.isfinite(v), v, np.nan) for k, v in curves.curves.items()}
    how = "dezero.grad(create_graph=True)" if curves.analytic else "central differences"
    png = curves_png(curves.xs, values, curves.x0, ORDER_NAMES,
                     title=f"f and its derivatives around x = {curves.x0:.4g} ({how})")
    shown = ", ".join(ORDER_NAMES[k] for k in sorted(values))
    panels, framed = curves_layout(curves.xs, [values[k] for k in sorted(values)], curves.x0)
    caption = esc(f"{shown} on [{curves.xs[0]:.4g}, {curves.xs[-1]:.4g}]"
                  + (" (one panel each: their scales differ too much to share an axis)" if panels else "")
                  + f"; derivatives by {how}; the vertical line marks x = {curves.x0:.4g}"
                  + ("; the y range is the one near it, so a curve that grows fast further away "
                     "leaves the frame." if framed else "."))
    notes = "".join(f"<li>{esc(n)}</li>" for n in curves.notes)
    return style.block(img_tag(png, "f and its derivatives") + f"<div>{caption}</div>"
                       + (f"<ul>{notes}</ul>" if notes else ""),
                       title="f around the point", klass="dz-gradients-plot")


EARLY_S = 0.1   # a check expected to take longer waits until the tab is opened


def early_check(trace):
    """Check now, while the cell's objects are surely alive, when it is cheap:
    a tab opened after a later cell rebound y could no longer re-run it.
    Costlier checks (a CNN: ~1 s) wait for the tab, so no cell pays for them.
    A graph with the user's own classes is not re-run here (check_gradients
    runs dezero's own code alone unless asked): the tab offers it instead.
    Nor does it look for the wrong backward here: that costs calls, not a
    time it can keep to, so it runs when the tab is opened (`numgrad.find_which`)."""
    if hasattr(trace, "early_gradients"):
        return
    if too_big_to_make_early(trace):   # not even one forward pass now: it alone may take longer than the cell
        trace.early_gradients = None
        return
    check = check_gradients(trace, within_s=EARLY_S, find_wrong=False)
    curves = derivative_curves(trace) if check is not None and check.available else None
    trace.early_gradients = (check, curves) if check is not None else None
    if check is not None and find_pair(trace) is not None:
        # A cheap graph's first derivative too: after Run All a later cell has rebound y (QA: the
        # tab then said "y no longer exists"). The user's own classes only wait for the button here.
        trace.early_first = check_first_pass(trace)


def gradients_view(trace):
    """VBox: the gradient-check table and, for scalar -> scalar, the plot;
    for a graph with the user's own classes, first a button that runs the
    check (`box.run`)."""
    early = getattr(trace, "early_gradients", None)
    check, curves = early if early is not None else (check_gradients(trace), None)
    if check.waiting and early is not None:
        # Offered when the cell ran; by now a later cell may have rebound its output (Run All, QA
        # L22-A): made again from the graph alone (none of the user's code runs), it says so at once.
        check = check_gradients(trace)
    find_which(trace, check)   # (an early check left it for now: it is bounded by calls, not time)
    first = getattr(trace, "early_first", None)
    first = check_first_pass(trace) if first is None or first.waiting else first
    box = widgets.VBox()
    box.run = None
    if check.waiting or (first is not None and first.waiting):
        _offer(box, trace, check, first)
    else:
        _show(box, trace, check, curves, first=first)
    return box


def _show(box, trace, check, curves, ran="", first=None):
    table = widgets.HTML(style.CSS + table_html(check, trace.graph, first) + ran)
    children = [table]
    plot = None
    if check.available:
        html = plot_html(curves if curves is not None else derivative_curves(trace))
        if html:
            plot = widgets.HTML(html)
            children.append(plot)
    box.children = children
    box.check, box.table, box.plot, box.first = check, table, plot, first


def _offer(box, trace, check, first=None):
    """The check of the user's own code, offered: the table as far as it goes
    without running their code, a button, and what pressing it does."""
    own = list(dict.fromkeys(check.own_classes + (first.own_classes if first is not None else [])))
    names = ", ".join(own)
    runs = (check.planned_runs if check.waiting else 0) + (first.planned_runs if first is not None else 0)
    note = widgets.HTML(style.CSS + table_html(check, trace.graph, first))
    # Projector type, on a row of its own: beside the note it was squeezed to "check by running your forward a…"
    button = widgets.Button(description=f"check by running your forward again (about {runs} runs)",
                            tooltip=f"re-runs the forward of {names} on copies of the leaves' data",
                            style=widgets.ButtonStyle(font_size=f"{style.FONT_PX}px"),
                            layout=widgets.Layout(width="auto", max_width="100%"))
    # (The offer holds no reference to the graph: a student's step-17 weakref
    # lesson must see y freed when rebound. So the check works while y lives.)
    y = check.output_label if check.output_label.isidentifier() else "the output"
    beside = widgets.HTML(style.block(esc(f"{HIDDEN} It needs {y} to still exist: press it before a later cell "
                                          f"rebinds {'that name' if y == 'the output' else y}. If a grad FAILs, "
                                          "each class's forward and backward then also run alone (a few hundred "
                                          "calls at most), to name the backward that is wrong.")))
    button.on_click(lambda _b: _run_own(box, trace))
    box.children = [note, button, beside]
    box.check, box.table, box.plot, box.run, box.first = check, note, None, button, first


def _run_own(box, trace):
    """The check and its plot, now that the user asked for their code to run."""
    offered = list(box.children)
    before = passes()
    try:
        check = check_gradients(trace, run_own_code=True)
        curves = derivative_curves(trace, run_own_code=True) if check.available else None
        first = check_first_pass(trace, run_own_code=True)
    except Exception as exc:  # noqa: BLE001 - shown here, as a page's failure is
        # (a forward at fault is named by the check itself: `forward_faults`)
        check, curves = GradCheck(False, f"The check stopped: re-running your forward, or the check itself, "
                                         f"raised {described(exc)}."), None
        first = None
    runs = passes() - before
    hidden = (check.hidden_lines + (curves.hidden_lines if curves is not None else 0)
              + (first.hidden_lines if first is not None else 0))
    said = ""
    if runs:  # (none ran: the table says why, e.g. the graph is gone)
        said = (f"Run when you asked: your forward ran again in {runs} pass{'es' if runs != 1 else ''} of the "
                "graph (counted)"
                + "".join(f"; {ran_text(w)}" for w in (check.which, getattr(first, "which", None)) if ran_text(w))
                + (f"; what it printed ({hidden} line{'s' if hidden != 1 else ''}) was hidden" if hidden else "")
                + "; other effects of your code happened again.")
        said = style.block(f'<div style="color:{style.MUTED}">{esc(said)}</div>')
    _show(box, trace, check, curves, ran=said, first=first)
    box.run = None
    for w in offered:
        lifecycle.close_view(w)

