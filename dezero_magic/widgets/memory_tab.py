"""The Memory view: what each memory mode of steps 16-18 keeps.

A ToggleButtons picks the mode; the panel below shows that mode's bytes
per category (data held only by the user's names, grads, kept for
backward; each array counted once), which grads are freed and
which variables are not kept, COMPUTED from the recorded arrays' sizes
(`dezero_magic.memory`). With `%%dezero --modes` a matplotlib chart of the
MEASURED peak and retained memory of each re-run (tracemalloc) follows; the
no-weakrefs mode, which no re-run can switch, has a row saying so. A cell
without any Function gets a sentence saying why there is nothing to measure
(`no_graph_text`), not a table of zeros.
Standard ipywidgets only; every name is escaped.
"""
import ipywidgets as widgets

from dezero_magic.memory import (CATEGORIES, DATA_TITLE, DEFAULT, MODE_LABELS, NO_GRAD, NO_WEAKREFS, freed_by_kind,
                                 human_bytes, keep_units, mode_figures)
from dezero_magic.numgrad_reasons import grad_output
from dezero_magic.modes import HEADER, INTERRUPTED, MEASURED, noise_note, result_rows
from dezero_magic.render import palette
from dezero_magic.render.escape import esc
from dezero_magic.trace import EMPTY
from dezero_magic.widgets import style
from dezero_magic.widgets.node_names import var_name
from dezero_magic.widgets.plots import bar_chart_png, img_tag

MAX_NAMES = 12
# One colour a category, from the colour-blind-safe scale; the bars also carry their numbers.
CATEGORY_COLOURS = {"data": palette.STOPS[1], "grads": palette.STOPS[2], "kept": palette.STOPS[0]}
COMPUTED = "computed from the recorded arrays' sizes"
# Why a cell's input may be missing from DATA_TITLE (QA: "data 8 B" beside a 1,176 B input).
MEMORY_CLASS = "dz-memory-view"
# The caption under every page repeats the --modes table (there it survives an
# export, where this tab is never built); under this tab, which shows the
# table already, the caption's copy is hidden. A browser without :has() shows both.
ONE_TABLE_CSS = (f"<style>.widget-vbox:has(> .{MEMORY_CLASS} .dz-memory-measured) > .widget-html .dz-modes"
                 "{display:none}</style>")
COUNTED_ONCE = (f"Each array is counted once: one a Function keeps for its backward is under "
                f"'kept for backward', even when a name of yours holds it too; '{DATA_TITLE}' "
                "is what no Function holds.")


# The buttons offer a fourth mode; its row in the measured table says why no run measured it
# (QA: four buttons, three measured rows, and the prose "once per memory mode").
NOT_MEASURED = ("not measured: whether a Function holds its outputs by weak reference is written in its "
                "class (dezero's always does, from book step 17), not a setting a re-run could switch, so "
                "every run above holds them as the class does; this mode's figures, under its button above, "
                "are computed from the recorded graph")
NOT_MEASURED_ROW = (MODE_LABELS[NO_WEAKREFS], "-", "-", NOT_MEASURED)

LINE_MAGIC = ("%dezero draws a graph that already exists: these are what each of dezero's memory modes "
              "(steps 17-18) would keep for it, computed from its arrays. The cell that built it ran "
              "unwatched, so which mode it ran in is not known, and none is marked.")


# When no graph was recorded, a table of zeros read as if x, a, b, y held 0 B (QA): these say why instead,
# in the terms of the other tabs (backward_tab.NO_CREATOR, trace.EMPTY).
WHAT_MODES_DIFFER_IN = ("The memory modes of steps 17–18 differ only in what a graph keeps: the inputs each "
                        "Function holds for its backward, and the grads of what it made.")
NO_CREATOR = ("Your Variable class has no `creator` yet (book steps 1–6), so no graph was recorded and there is "
              f"nothing to measure here. {WHAT_MODES_DIFFER_IN} Book step 7 adds `creator`; then this tab "
              "shows what each mode keeps.")
NO_GRAPH = "{why} There is nothing to measure here. " + WHAT_MODES_DIFFER_IN
NO_GRAPH_NOTED = ("No graph was recorded (the notes below say why), so there is nothing to measure here. "
                  f"{WHAT_MODES_DIFFER_IN}")


def no_graph_text(graph, why=EMPTY):
    """Why this tab shows no table (a graph without any Function), or None when it has one;
    `why`: what the caption says of an empty graph without notes (Trace.caption: a cell
    that only read y, made earlier, is not told "no variable of the cell has a creator")."""
    if graph.functions:
        return None
    if not graph.variables:
        if graph.creatorless:
            return NO_CREATOR
        return NO_GRAPH_NOTED if graph.notes else NO_GRAPH.format(why=why)
    # Leaves only (`%dezero x` on a leaf): the four tables were the same; say what they all held.
    variables = list(graph.variables.values())
    one = len(variables) == 1
    data = sum(v.nbytes for v in variables)
    with_grad = [v for v in variables if v.grad_nbytes > 0 or v.grad is not None]
    grads = sum(v.grad_nbytes or v.nbytes for v in with_grad)   # (a grad has its variable's shape)
    its = "its" if one else "their"
    held = f"{its} data, {human_bytes(data)}, " + (f"and {its} {'grad' if one else 'grads'}, {human_bytes(grads)}"
                                                   if with_grad else "and no grad")
    return (f"No Function made {_names(graph, list(graph.variables))}, so there is no graph: every memory mode "
            f"keeps the same, {held}. {WHAT_MODES_DIFFER_IN}")


def _hex(rgb):
    return "#%02x%02x%02x" % tuple(rgb)


def _names(graph, ids):
    """Readable names of variable ids, as the other panels give them (the
    label, else 'Op output'; the id only where a name repeats)."""
    names = [var_name(graph, vid) for vid in ids]
    if len(names) > MAX_NAMES:
        names = names[:MAX_NAMES] + [f"and {len(names) - MAX_NAMES} more"]
    return ", ".join(names) if names else "none"


# A grey edge: the dark purple of "kept" was 1.3:1 on a dark theme's #111 (#8a8a8a: 5:1 there, 3.4:1 on white).
_EDGE = ";border:1px solid #8a8a8a;box-sizing:border-box"


def _bars(fig, scale):
    """Category rows with a proportional bar (width to the largest figure of any mode)."""
    rows = []
    for key, title in CATEGORIES:
        n = fig.bytes_of(key)
        width = 0 if scale == 0 else max(1 if n else 0, round(300 * n / scale))
        colour = _hex(CATEGORY_COLOURS[key])
        rows.append(
            f'<tr><td style="padding:2px 12px 2px 0">{esc(title)}</td>'
            f'<td style="padding:2px 12px 2px 0;text-align:right;font-weight:bold;white-space:nowrap">'
            f'{esc(keep_units(human_bytes(n)))}</td>'
            # (the class: a dark theme's lighter tint, style.DARK_BAR_COLOURS)
            f'<td><div style="background:{colour};height:18px;width:{width}px{_EDGE if width else ""}" '
            f'class="dz-bar-{esc(key)}"></div></td></tr>')
    return style.scroll_x(f'<table style="border-collapse:collapse;font-size:{style.FONT_PX}px">{"".join(rows)}</table>')


def _lists(graph, fig):
    lines = []
    if fig.mode == NO_GRAD:
        lines.append(("Grads kept", _names(graph, fig.grads_kept) + " (backward stops at the output: no creators)"))
        lines.append(("No longer kept by functions (freed unless your names hold them)",
                      _names(graph, fig.released)))
    else:
        lines.append(("Grads kept", _names(graph, fig.grads_kept)))
        lines.append(("Grads freed after use (retain_grad=False)", _names(graph, fig.grads_freed)))
        lines.append(("Kept for backward (Function inputs)", _names(graph, fig.kept_inputs)))
        if fig.mode == NO_WEAKREFS:
            lines.append(("Unused outputs kept alive by reference cycles", _names(graph, fig.cycle_kept)))
        else:
            outputs, others = freed_by_kind(graph, fig.released)
            lines.append(("Outputs already freed (functions hold them by weak reference)", _names(graph, outputs)))
            if others:   # (a leaf is no function's output)
                lines.append(("Other variables freed (nothing held them any more)", _names(graph, others)))
    items = "".join(f"<li><b>{esc(k)}:</b> {esc(v)}</li>" for k, v in lines)
    notes = "".join(f"<li>{esc(keep_units(n))}</li>" for n in fig.notes)
    return f'<ul style="margin:4px 0">{items}{notes}</ul>'


def figures_html(graph, fig, scale):
    """The panel of one mode (escaped HTML); a mode the cell cannot run to its end in says why instead."""
    if fig.cannot_run:
        return style.block(esc(keep_units(fig.cannot_run)), title=fig.label, klass="dz-memory-figures")
    head = f"{fig.label}: bytes per category, {COMPUTED}"
    counted = f'<div style="margin:2px 0">{esc(COUNTED_ONCE)}</div>'
    return style.block(_bars(fig, scale) + counted + _lists(graph, fig), title=head, klass="dz-memory-figures")


def measured_html(results):
    """The --modes chart and a table of the same numbers (errors per mode)."""
    ok = [r for r in results if r.ok]
    rows = [tuple(map(keep_units, row)) for row in result_rows(results) + ([NOT_MEASURED_ROW] if results else [])]
    chart = ""
    if ok:
        png = bar_chart_png([r.label for r in ok],
                            {"peak": [r.peak_bytes for r in ok], "retained": [r.retained_bytes for r in ok]},
                            title="Memory per mode, measured (tracemalloc)")
        chart = img_tag(png, "Measured peak and retained memory per mode")
    table = style.table(rows, header=HEADER)
    note = noise_note(results)
    said = f'<div style="margin:4px 0">{esc(keep_units(note))}</div>' if note else ""
    return style.block(chart + table + said, title=f"Per mode, {MEASURED}", klass="dz-memory-measured")


def memory_view(trace):
    """VBox: mode ToggleButtons, the computed panel, and the measured chart when --modes ran."""
    graph = trace.graph
    said = no_graph_text(graph, trace.caption() if not graph.variables and not graph.notes else EMPTY)
    if said is not None:
        return _without_table(trace, said)
    figs = {f.mode: f for f in mode_figures(graph, _no_grad_raised(trace), grad_output(trace))}
    scale = max((f.bytes_of(k) for f in figs.values() if not f.cannot_run for k, _ in CATEGORIES), default=0)
    panels = {f.label: figures_html(graph, f, scale) for f in figs.values()}
    ran = MODE_LABELS.get(graph.ran_as)
    # It opens on the mode the cell ran in, marked: a --retain-grad cell opened on the default
    # and listed as freed the grads its Graph tab showed.
    options = [(_marked(label) if label == ran else label, label) for label in panels]
    buttons = widgets.ToggleButtons(options=options, value=ran or MODE_LABELS[DEFAULT],
                                    description="Mode:", style={"button_width": "auto"})
    head = ""
    if getattr(trace, "own_classes", trace.source == "objects"):
        head = style.block(esc("Your own classes: these are what dezero's modes (steps 17-18) would keep "
                               "for this graph. Your code frees what it frees; the Graph tab shows which "
                               "grads it kept."))
    elif getattr(trace, "line_magic", False):
        # dezero's own classes, drawn by %dezero NAME: the cell that built the graph ran unwatched
        head = style.block(esc(LINE_MAGIC))
    panel = widgets.HTML(style.CSS + head + panels[buttons.value])

    def show(change):
        panel.value = style.CSS + head + panels[change["new"]]

    buttons.observe(show, names="value")
    return _box(trace, buttons, panel)


def _no_grad_raised(trace):
    """The error of the --modes re-run under no_grad, when it raised and the default run did not
    (a cell that raises in every mode says nothing of no_grad); else None."""
    results = {r.mode: r for r in getattr(trace, "mode_results", None) or ()}
    run, default = results.get(NO_GRAD), results.get(DEFAULT)
    if run is None or run.ok or run.error == INTERRUPTED or (default is not None and not default.ok):
        return None
    return run.error


def _box(trace, buttons, panel):
    """The tab: the mode buttons (None: no graph), the panel, and what --modes measured, if it ran."""
    measured = None
    if getattr(trace, "mode_results", None):
        measured = widgets.HTML(ONE_TABLE_CSS + measured_html(trace.mode_results))
    box = widgets.VBox([w for w in (buttons, panel, measured) if w is not None])
    box.add_class(MEMORY_CLASS)
    box.modes, box.figures, box.measured = buttons, panel, measured
    return box


def _marked(label):
    """The mode the cell ran in: 'retain_grad=False (default, this run)', not '... (default) (this run)'."""
    return label[:-1] + ", this run)" if label.endswith(")") else label + " (this run)"


def _without_table(trace, said):
    """The view of a cell without a graph: why there is nothing to measure (and what --modes measured)."""
    return _box(trace, None, widgets.HTML(style.CSS + style.block(esc(keep_units(said)))))
