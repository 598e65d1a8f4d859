"""The interactive view of a Trace, from standard ipywidgets 8 controls.

`view_for(trace)` returns an `ipywidgets.Tab` with the pages "Graph",
"Backward", "Gradients", "Memory" (the last two when their modules are
installed). Each page ends with the same caption widget: what the graph
holds and what was left out (beyond --max-nodes, an incomplete cell).
Backward, Gradients and Memory are built when their tab is first opened
(`lazy_tab`), so a cell never pays for a view nobody opens (the gradient
check re-runs the forward dozens of times);
the widgets of one view share their Layout and style models (`style.Kit`);
displaying a view hands it to `lifecycle`, which closes the views a re-run
cell replaces (a view is ~20 widget models instead of ~70, and re-running a
cell no longer adds any).
`Trace._repr_mimebundle_` merges this view into the static bundle and falls
back to the static SVG, with a notice, if building it raises.
"""
import importlib

import ipywidgets as widgets

from dezero_magic.modes import results_html
from dezero_magic.render.escape import esc
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_tab import BackwardView, early_replay
from dezero_magic.widgets.graph_tab import GraphView
from dezero_magic.widgets.lazy_tab import ViewTab

# Views that live in their own modules: (title, module, factory); a module
# that is not there yet leaves its tab out.
OPTIONAL_VIEWS = (("Gradients", "dezero_magic.widgets.gradients_tab", "gradients_view"),
                  ("Memory", "dezero_magic.widgets.memory_tab", "memory_view"))
# Built when first opened. Gradients reads the live objects then; numgrad
# says so when they changed since the cell (see lazy_tab).
BUILT_WHEN_OPENED = ("Backward", "Gradients", "Memory")


def caption_widget(trace, kit=None):
    """The trace's caption and notes, escaped, in projector type (plus the view's CSS)."""
    g = trace.graph
    colour = style.MUTED if g.complete else style.WARNING_INK
    notes = "".join(f"<li>{esc(n)}</li>" for n in list(g.notes) + list(trace.notices))
    body = (f'<div class="dz-caption" style="color:{colour};font-weight:{"normal" if g.complete else "bold"}">'
            f"{esc(trace.caption())}</div>" + (f'<ul class="dz-notes" style="margin:2px 0">{notes}</ul>' if notes else ""))
    if getattr(trace, "mode_results", None):
        # Measured once, in the kernel: under the view, so a saved or exported page keeps the
        # numbers (the Memory tab is built only when opened, which needs the running kernel).
        body += results_html(trace.mode_results, esc)
    kit = kit or style.Kit()
    return widgets.HTML(style.CSS + style.block(body), style=kit.html, layout=kit.layout)


def _optional_view(title, module_name, factory, trace, lazy=False):
    """The view from `module_name`, None when that module does not exist, or a
    page saying what failed (one view's bug must not take the others down).
    lazy: a builder for it instead (see lazy_tab)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        return _failed(title, exc)
    make = getattr(module, factory, None)
    if not callable(make):
        return None
    if lazy:
        return lambda: make(trace)   # lazy_tab shows a failure as _failed does
    try:
        return make(trace)
    except Exception as exc:  # noqa: BLE001 - shown in that tab; the other tabs still work
        return _failed(title, exc)


def _failed(title, exc):
    return widgets.HTML(style.block(esc(f"The {title} view is unavailable ({type(exc).__name__}: {exc}).")))


def view_for(trace):
    """The Tab of views for `trace` (see the module docstring); `tab.views[title]`
    is a view without its caption box (built on first access), `tab.caption` the caption."""
    kit = style.Kit()
    caption = caption_widget(trace, kit)
    pages = [("Graph", GraphView(trace, kit)), ("Backward", lambda: BackwardView(trace, kit))]
    for title, module_name, factory in OPTIONAL_VIEWS:
        view = _optional_view(title, module_name, factory, trace, lazy=title in BUILT_WHEN_OPENED)
        if view is not None:
            pages.append((title, view))
    _early(trace, gradients=any(title == "Gradients" for title, _ in pages))
    tab = ViewTab(pages, caption, kit, _failed)
    tab.add_class(style.VIEW_CLASS)
    titles = [title for title, _ in pages]
    if getattr(trace, "mode_results", None) and "Memory" in titles:
        # --modes is asked for to compare the modes: open where their buttons and chart are
        tab.selected_index = titles.index("Memory")
    return tab


def _early(trace, gradients):
    """What the lazy tabs need from the live objects, made now when it is
    cheap (gradients_tab.early_check, backward_tab.early_replay): after Run
    All, later cells have rebound x and y before anyone opens a tab. Only
    dezero's own functions run now, on copies, their output hidden: the
    user's own classes run when they ask (`dezero_magic.isolation`). A
    failure here is the tab's to show, when opened."""
    try:
        early_replay(trace)
    except Exception:  # noqa: BLE001 - the switch replays again, and says why, when flipped
        pass
    if gradients:
        try:
            importlib.import_module("dezero_magic.widgets.gradients_tab").early_check(trace)
        except Exception:  # noqa: BLE001 - the tab checks again, and says why, when opened
            pass
