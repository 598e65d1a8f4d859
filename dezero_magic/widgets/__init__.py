"""The interactive view of a Trace, from standard ipywidgets 8 controls.

`view_for(trace)` returns an `ipywidgets.Tab` with the pages "Graph",
"Backward", "Gradients", "Memory" (the last two when their modules are
installed). Each page ends with the same caption widget: what the graph
holds and what was left out (beyond --max-nodes, an incomplete cell).
`Trace._repr_mimebundle_` merges this view into the static bundle and falls
back to the static SVG, with a notice, if building it raises.
"""
import importlib

import ipywidgets as widgets

from dezero_magic.render.escape import esc
from dezero_magic.widgets import style
from dezero_magic.widgets.backward_tab import BackwardView
from dezero_magic.widgets.graph_tab import GraphView

# Views that live in their own modules: (title, module, factory); a module
# that is not there yet leaves its tab out.
OPTIONAL_VIEWS = (("Gradients", "dezero_magic.widgets.gradients_tab", "gradients_view"),
                  ("Memory", "dezero_magic.widgets.memory_tab", "memory_view"))


def caption_widget(trace):
    """The trace's caption and notes, escaped, in projector type (plus the view's CSS)."""
    g = trace.graph
    colour = style.MUTED if g.complete else "#b35806"
    notes = "".join(f"<li>{esc(n)}</li>" for n in list(g.notes) + list(trace.notices))
    body = (f'<div class="dz-caption" style="color:{colour};font-weight:{"normal" if g.complete else "bold"}">'
            f"{esc(trace.caption())}</div>" + (f'<ul class="dz-notes" style="margin:2px 0">{notes}</ul>' if notes else ""))
    return widgets.HTML(style.CSS + style.block(body))


def _optional_view(title, module_name, factory, trace):
    """The view from `module_name`, None when that module does not exist, or a
    page saying what failed (one view's bug must not take the others down)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        return _failed(title, exc)
    make = getattr(module, factory, None)
    if not callable(make):
        return None
    try:
        return make(trace)
    except Exception as exc:  # noqa: BLE001 - shown in that tab; the other tabs still work
        return _failed(title, exc)


def _failed(title, exc):
    return widgets.HTML(style.block(esc(f"The {title} view is unavailable ({type(exc).__name__}: {exc}).")))


def view_for(trace):
    """The Tab of views for `trace` (see the module docstring)."""
    caption = caption_widget(trace)
    pages = [("Graph", GraphView(trace)), ("Backward", BackwardView(trace))]
    for title, module_name, factory in OPTIONAL_VIEWS:
        view = _optional_view(title, module_name, factory, trace)
        if view is not None:
            pages.append((title, view))
    tab = widgets.Tab(children=[widgets.VBox([view, caption]) for _, view in pages],
                      titles=[title for title, _ in pages])
    tab.add_class(style.VIEW_CLASS)
    tab.views = dict(pages)   # for code and tests: the views without their caption wrappers
    tab.caption = caption
    return tab
