"""The Trace: what `%%dezero` shows and what `-o NAME` stores.

It holds the Graph (plain data), weakrefs to the output and leaf Variables
(so tools can recompute while those objects live) and the display options.
`_repr_mimebundle_` gives image/svg+xml, text/html (SVG + caption) and
text/plain, so every front end and every export shows the graph; when the
widgets package is importable its live view is merged in (front ends that
run widgets show it, saved notebooks keep the SVG).

The text/html also carries the SVG as a picture for untrusted notebooks
(see `_untrusted_picture`): JupyterLab shows an untrusted notebook's
text/html sanitized, which drops inline SVG and leaves its labels as run-on
text, but keeps a `data:` URL in a style attribute.
"""
import base64
import importlib
import re
import secrets

from dezero_magic.cell_names import last_expression_names
from dezero_magic.layout import layout as compute_layout
from dezero_magic.links import is_variable_like
from dezero_magic.naming import attr_of
from dezero_magic.modes import HEADER, MEASURED, noise_note, result_rows, results_html, results_text
from dezero_magic.render import palette
from dezero_magic.render.escape import esc
from dezero_magic.render.screen import end_first
from dezero_magic.render.dot import to_dot
from dezero_magic.render.caption import with_caption
from dezero_magic.render.svg import render_svg, root_attrs, with_fresh_ids
from dezero_magic.render.text import counts, named, render_text

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# (Not "no Function was called": a student's Function is seen only through the variables the
# cell binds, so one called inside a def, or under no_grad, may have run unseen.)
EMPTY = ("No dezero computation was recorded in this cell: no Function call was seen, "
         "and no variable of the cell has a creator.")
# Said on a cell that made no dezero call but reads Variables an earlier cell made (`y` alone, to see
# y's graph): "no variable of the cell has a creator" read false of a y that has one (QA 24).
NO_CALL = "This cell made no dezero call (no Function call was seen), so it has no graph of its own."
_PIXELS = re.compile(r"^\d+(\.\d+)?$")
# The picture doubles what text/html weighs; a graph this large (~500 nodes)
# is no picture to read anyway: untrusted, it reads as before (labels as text).
PICTURE_MAX_CHARS = 400_000


def _print_rules(box):
    """CSS that prints the figure of the output whose element id is `box` whole,
    shrunk to the page's width: on screen the box scrolls and opens at the
    output end (`end_first`), and a printout or PDF kept only that end, the
    leaves and their grads cut off without a word (QA X23-1: 16 of the 34
    graphs of the notebooks)."""
    return (f"@media print{{#{box} > .dz-figure{{display:block !important;overflow:visible !important;"
            f"max-width:100% !important}}"
            f"#{box} > .dz-figure > svg{{display:block;width:auto !important;min-width:0 !important;"
            f"max-width:100% !important;height:auto !important;break-inside:avoid}}}}")


def _untrusted_picture(svg, box):
    """(CSS rules, picture) for the text/html of an output whose element id is `box`.

    A front end that renders the HTML as it is (trusted JupyterLab, VS Code,
    nbconvert's HTML) applies the <style>: the inline SVG shows, the picture
    is hidden. JupyterLab's sanitizer (untrusted notebooks: a file from
    someone else, an `nbconvert --execute` result) removes the <style> and
    the inline SVG, whose labels would read as run-on text; the figure stays
    hidden by its own style attribute and the picture, the same SVG as a
    CSS background from a `data:` URL, shows instead. (Not an <img>: our
    HTML has none, so a test can tell that an <img> came from a payload.)
    `box` is random: two notebooks on one page never share it.
    """
    attrs = root_attrs(svg)
    width, height = attrs.get("width", ""), attrs.get("height", "")
    if not (_PIXELS.match(width) and _PIXELS.match(height)) or len(svg) > PICTURE_MAX_CHARS:
        return "", ""
    data = base64.b64encode(svg.encode("utf-8", "replace")).decode("ascii")
    rules = f"#{box} > .dz-figure{{display:flex !important}}#{box} > .dz-untrusted{{display:none}}"
    picture = (f'<div class="dz-untrusted" style="overflow:auto;max-width:100%">'
               f'<div style="width:{width}px;height:{height}px;background-repeat:no-repeat;'
               f'background-image:url(data:image/svg+xml;base64,{data})"></div></div>')
    return rules, picture


def _caption_style(complete):
    """The static caption's CSS, readable on light and dark pages (nbconvert's dark theme,
    JupyterLab Dark untrusted): a fixed #333 was dark grey on black there (QA X23-6), and the
    caption is the only line saying a cut graph is cut. The INCOMPLETE warning keeps its
    colour on a white ground of its own (4.9:1; it was 3.9:1 on JupyterLab Dark's #111)."""
    if complete:
        return "color:inherit;opacity:.8;font-size:14px"
    return (f"color:{palette.WARNING_STROKE};background:#ffffff;font-weight:bold;display:inline-block;"
            "padding:1px 4px;border-radius:3px;font-size:14px")


def _outputs_have_backward(refs):
    """Whether the live outputs have a backward() to call (a student's Variable
    before book step 7 has none); None when no output is alive."""
    outputs = [y for y in (r() for r in refs if r is not None) if y is not None]
    if not outputs:
        return None
    try:
        return any(callable(getattr(y, "backward", None)) for y in outputs)
    except Exception:  # noqa: BLE001 - a student's odd __getattr__: not known, the tab gives the usual advice
        return None


def earlier_variables(names, namespace, bound_anew, code=""):
    """(names with a creator, names without) of the Variables the cell reads
    that an earlier cell made (`bound_anew(name)` false): what the text of a
    cell that made no dezero call names, its last expression's first."""
    made, leaves = [], []
    for name in dict.fromkeys(last_expression_names(code) + list(names)):
        value = namespace.get(name)
        if value is None or bound_anew(name) or not is_variable_like(value):
            continue
        (made if attr_of(value, "creator") is not None else leaves).append(name)
    return made, leaves


def no_call_text(made, leaves):
    """What a cell that made no dezero call says of the earlier cells' Variables it reads."""
    if made:
        verb, whose, cell = ("was", "its", "an earlier cell") if len(made) == 1 else \
            ("were", made[0] + "'s", "earlier cells")
        return f"{NO_CALL} {named(made)} {verb} computed in {cell}: %dezero {made[0]} draws {whose} graph."
    one = len(leaves) == 1
    return (f"{NO_CALL} {named(leaves)} {'was' if one else 'were'} made in {'an earlier cell' if one else 'earlier cells'} "
            f"and {'has no creator (a leaf)' if one else 'have no creator (leaves)'}, so there is no graph behind "
            f"{'it' if one else 'them'}.")


class Trace:
    """One traced cell: `graph`, `svg()`, `text()`, `dot()`, `output_refs`, `leaf_refs`."""

    def __init__(self, graph, *, output_refs=(), leaf_refs=None, rankdir="LR", verbose=False,
                 static=False, source="dezero", mode_results=None):
        self.graph = graph
        self.output_refs = list(output_refs)
        self.leaf_refs = dict(leaf_refs or {})
        self.rankdir = rankdir
        self.verbose = verbose
        self.static = static
        self.source = source          # "dezero" (traced events) or "objects" (students' classes)
        # Whether the graph has the user's own classes: "objects" is also %dezero NAME's source for dezero's
        self.own_classes = source == "objects"
        self.mode_results = mode_results
        self.notices = []             # faults of ours, told briefly, never masking the cell
        self.backward_expr = None     # the cell's -b EXPR, if given (set by cellrun)
        self.earlier = ([], [])       # earlier cells' Variables it reads, if it made no call (earlier_variables)
        # Read now, while the outputs surely live: the Backward tab is built when first opened,
        # maybe after a later cell rebound y (its advice must not depend on when it is opened).
        self.outputs_backward = _outputs_have_backward(self.output_refs)
        self._layout = None
        self._svg = None              # the plain SVG, drawn once for every mime type that shows it

    def __getstate__(self):
        # pickle/%store: the weak references to the cell's objects cannot be saved, and only the
        # live re-checks need them; the graph is plain data (a re-loaded Trace draws and reads as before)
        state = dict(self.__dict__)
        state["output_refs"], state["leaf_refs"] = {}, {}
        state.pop("early_replay", None)
        state.pop("first_derivatives", None)
        return state

    @property
    def layout(self):
        if self._layout is None:
            self._layout = compute_layout(self.graph, self.rankdir, show_shapes=self.verbose)
        return self._layout

    def svg(self, **options):
        """The SVG text; options as in `dezero_magic.render.svg.render_svg`."""
        if not options:
            if self._svg is None:
                self._svg = render_svg(self.graph, self.layout, show_shapes=self.verbose)
                return self._svg
            return with_fresh_ids(self._svg)  # drawn once; each copy on the page gets its own ids
        options.setdefault("show_shapes", self.verbose)
        return render_svg(self.graph, self.layout, **options)

    def text(self):
        g = self.graph
        # An empty graph with notes (a student's steps 1-6 Variable, a cell that raised) says why
        # instead, in the form of every other text (its head, then "note: " lines)
        if not g.functions and not g.variables:
            text = "\n".join(["dezero graph: nothing drawn"] + ["note: " + n for n in g.notes]) if g.notes \
                else self._nothing_recorded()
        else:
            text = render_text(g, shapes=self.verbose)
        if self.mode_results:
            text += "\n" + results_text(self.mode_results)
        return text

    def dot(self):
        rankdir = self.layout.rankdir if self.rankdir == "auto" else self.rankdir  # as drawn
        return to_dot(self.graph, verbose=self.verbose, rankdir=rankdir)

    def caption(self):
        g = self.graph
        if not g.functions and not g.variables:
            return "No graph to draw." if g.notes else self._nothing_recorded()
        text = counts(g)
        if not g.complete:
            text = f"INCOMPLETE — {g.how_it_stopped()}; this is the graph recorded until then. " + text
        return text

    def _nothing_recorded(self):
        """Why an empty graph without notes is empty: the cell raised first (its error is shown
        above; the caption takes the raising style), it read earlier cells' Variables, or EMPTY."""
        g = self.graph
        if not g.complete and not g.raised_in:
            return f"The cell {'was interrupted' if g.interrupted else 'raised'} before any dezero call (see the error above)."
        made, leaves = getattr(self, "earlier", None) or ([], [])  # (a Trace pickled before it had them)
        return no_call_text(made, leaves) if made or leaves else EMPTY

    def html(self):
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.graph.notes + self.notices)
        svg, box = self.svg(), f"dz-static-{secrets.token_hex(6)}"
        reveal, picture = _untrusted_picture(svg, box)
        shown = "display:none;" if picture else "display:flex;"  # (none: until `reveal` shows it)
        # A graph wider than its box shows its output end first, as in the widgets (render.screen).
        flow = end_first(self.layout.rankdir)
        return (f'<div class="dz-trace" id="{box}"><style>{reveal}{_print_rules(box)}</style>'
                f'<div class="dz-figure" style="{shown}flex-direction:{flow};align-items:flex-start;'
                f'overflow:auto;max-width:100%">{svg}</div>'
                f"{picture}"
                f'<div class="dz-caption" style="{_caption_style(self.graph.complete)}">{esc(self.caption())}</div>'
                + (f'<ul class="dz-notes" style="font-size:14px">{notes}</ul>' if notes else "")
                + (results_html(self.mode_results, esc) if self.mode_results else "")
                + "</div>")

    def _modes_table(self):
        """The --modes table for the SVG alone (render.caption), or None: as the HTML's."""
        if not self.mode_results:
            return None
        return (f"Memory per mode, {MEASURED}", [HEADER, *result_rows(self.mode_results)],
                noise_note(self.mode_results))

    def _static_bundle(self):
        # The SVG alone carries the caption, the notes and the --modes table: a viewer that
        # shows only it (LaTeX/PDF, extracted files) must still say when the graph is
        # incomplete or cut, and why a grad looks wrong.
        svg = with_caption(self.svg(), self.caption(), warning=not self.graph.complete,
                           notes=self.graph.notes + self.notices, table=self._modes_table())
        return {"image/svg+xml": svg, "text/html": self.html(), "text/plain": self.text()}

    def _widget_bundle(self):
        """The interactive view's bundle, or None (no widgets, turned off, or it failed)."""
        if self.static:
            return None
        try:
            widgets = importlib.import_module("dezero_magic.widgets")
            view_for = getattr(widgets, "view_for", None)
            if not callable(view_for):
                return None
            bundle = view_for(self)._repr_mimebundle_()
            if isinstance(bundle, tuple):
                bundle = bundle[0]
            if isinstance(bundle, dict) and WIDGET_MIME in bundle:
                return {WIDGET_MIME: bundle[WIDGET_MIME]}
        except Exception as exc:  # noqa: BLE001 - the static graph must show whatever the widgets do
            note = f"The interactive view is unavailable ({type(exc).__name__}: {exc}); showing the static graph."
            if note not in self.notices:
                self.notices.append(note)
        return None

    def _repr_mimebundle_(self, include=None, exclude=None):
        widget = self._widget_bundle()  # first, so a notice it adds reaches the caption
        try:
            bundle = self._static_bundle()
        except Exception as exc:  # noqa: BLE001 - a renderer bug gets a short notice, not a traceback
            message = f"%%dezero could not draw this graph ({type(exc).__name__}: {exc})."
            return {"text/plain": message, "text/html": f"<pre>{esc(message)}</pre>"}
        if widget:
            bundle.update(widget)
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle

    def __repr__(self):
        return f"<dezero_magic.Trace: {self.caption()}>"
