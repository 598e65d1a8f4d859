"""The Graph view: the SVG graph, switches for values / grads / shapes, and a
node picker with a details panel (no clicks on the SVG needed: a Dropdown
works in every front end). By keyboard, Space or Enter opens the picker's
list, whose arrow keys then pick: in JupyterLab an arrow key on the closed
picker moves to another cell instead, and `a` adds one (its command-mode
shortcuts; ipywidgets renders the select itself, so it cannot carry the
attribute that turns them off, `style.SUPPRESS_SHORTCUTS`, as the figure's
box does)."""
import ipywidgets as widgets

from dezero_magic.layout import layout as compute_layout
from dezero_magic.preview import shape_text
from dezero_magic.render.escape import esc
from dezero_magic.render.focus import enlarged, fitted, focus
from dezero_magic.render.screen import LARGE, fits_whole_from, may_overflow, surely_fits
from dezero_magic.render.scroll_hint import with_scroll_hint
from dezero_magic.render.svg import drawn_last, render_svg, root_attrs
from dezero_magic.widgets import style
from dezero_magic.widgets.node_names import func_name, var_name
from dezero_magic.widgets.trace_view import TraceView

PICKER_LIMIT = 1000   # options in the node picker; a longer list is cut (and says so)
PICK_COLOUR = "#000000"
# Said over a graph that may not fit its box: the box starts at the output end, and
# nothing else shows that there is more of it (the scroll bar may be hidden).
CUT_NOTE = "If this graph is cut off, its output end is shown: scroll the box, or turn fit on, to see the rest."

# "large" on a graph that surely still fits its box says nothing about scrolling (QA: it
# did, under a whole four-node graph); else it says what to do if it is cut off.
LARGE_NOTE = "Drawn 1.5 times larger: if it is cut off, scroll the box to see the rest, or turn large off."
LARGE_FITS_NOTE = "Drawn 1.5 times larger: turn large off for the usual size."
# Drawn in the box's first view where the box cuts the graph (the note above it is easily missed,
# and the scroll bar may be hidden); the arrow points the way the rest lies along the layers.
SCROLL_HINTS = {"LR": "\u25c0 scroll the box for the rest of the graph, or turn fit on",
                "TB": "\u25b2 scroll the box for the rest of the graph, or turn fit on"}


def node_options(graph, limit=PICKER_LIMIT):
    """(label, id) pairs for the picker: functions in forward order, then variables."""
    funcs = sorted(graph.functions.values(), key=lambda f: f.order)
    options = [(f"function {func_name(graph, f.id)}", f.id) for f in funcs]
    # with its value: a list of "unnamed (v17)" says nothing about which one to pick
    options += [(f"variable {var_name(graph, vid)}" + (f" = {v.value}" if v.value else ""), vid)
                for vid, v in graph.variables.items()]
    return options[:limit], max(0, len(options) - limit)


def picked_overlay(svg, layout, node_id, is_function):
    """`svg` with a thick dashed outline around `node_id` (class dz-picked):
    a box for a function, an oval for a variable."""
    if node_id not in layout.positions:
        return svg
    (x, y), (w, h) = layout.positions[node_id], layout.sizes[node_id]
    pad = 7
    common = (f'class="dz-picked" data-node-ref="{esc(node_id)}" fill="none" stroke="{PICK_COLOUR}" '
              f'stroke-width="3" stroke-dasharray="8 4" pointer-events="none"')
    if is_function:
        shape = (f'<rect {common} x="{x - w / 2 - pad:.1f}" y="{y - h / 2 - pad:.1f}" '
                 f'width="{w + 2 * pad:.1f}" height="{h + 2 * pad:.1f}" rx="6"/>')
    else:
        shape = f'<ellipse {common} cx="{x:.1f}" cy="{y:.1f}" rx="{w / 2 + pad:.1f}" ry="{h / 2 + pad:.1f}"/>'
    return drawn_last(svg, shape)


def _creator_of(graph, vid):
    for f in graph.functions.values():
        if vid in f.outputs:
            return f.id
    return None


def var_details(graph, vid):
    v = graph.variables[vid]
    creator = _creator_of(graph, vid)
    if creator is not None:
        made_by = func_name(graph, creator)
    elif v.leaf:
        made_by = "none (a leaf: made by you, not by a function)"
    else:
        made_by = "a function that is not drawn (beyond --max-nodes)"
    users = [func_name(graph, f.id) for f in graph.functions.values() if vid in f.inputs]
    if v.grad is not None:
        grad = v.grad
    elif v.grad_freed:
        grad = "freed after use (retain_grad=False)"
    else:
        grad = "none"
    shape = shape_text(v.shape)
    nbytes = f"{v.nbytes} (data)" + (f" + {v.grad_nbytes} (grad)" if v.grad_nbytes else "")
    rows = [("variable", var_name(graph, vid)), ("data", v.value or "—"), ("grad", grad),
            ("shape", shape), ("dtype", v.dtype or "—"), ("bytes", nbytes),
            ("generation", f"{v.generation} (by the links: your class has none yet)"
             if graph.generations_by_links else v.generation), ("creator", made_by),
            ("used by", ", ".join(users) if users else "no drawn function"),
            ("after the cell", "alive" if v.alive else "freed (no reference left)")]
    if v.nonfinite:
        rows.append(("warning", "contains NaN or Inf"))
    return style.table(rows)


def func_details(graph, fid):
    f = graph.functions[fid]
    steps = [str(s.index + 1) for s in graph.steps if s.func == fid]
    generation = f"{f.generation} (by the links: your class has none yet)" if graph.generations_by_links \
        else f.generation
    rows = [("function", func_name(graph, fid)), ("op", f.op), ("generation", generation),
            ("inputs", ", ".join(var_name(graph, v) for v in f.inputs) or "none"),
            ("outputs", ", ".join(var_name(graph, v) for v in f.outputs) or "none"),
            # Negative: met only in backward (called before the cell or the window).
            ("forward order", f.order + 1 if f.order >= 0 else "before the recorded calls"),
            ("keeps for backward", f"{f.kept_nbytes} bytes of inputs"),
            ("backward step", ", ".join(steps) if steps else "not run in the recorded backward")]
    return style.table(rows)


def _tick(change):
    change["owner"].icon = "check" if change["new"] else ""


class GraphView(TraceView):
    """Graph + toggles + node picker; `figure.value` is the current SVG."""

    def __init__(self, trace, kit=None, **kwargs):
        super().__init__(trace, kit, **kwargs)
        kit = self.kit
        self._layouts = {}
        big = {"style": kit.toggle, "layout": kit.layout}
        self.values = widgets.ToggleButton(value=True, description="values", tooltip="show values", **big)
        self.grads = widgets.ToggleButton(value=True, description="grads", tooltip="show grads", **big)
        self.shapes = widgets.ToggleButton(value=bool(trace.verbose), description="shapes",
                                           tooltip="show shapes and dtypes", **big)
        self.fit = widgets.ToggleButton(value=False, description="fit",
                                        tooltip="shrink the whole graph to fit the box (an overview)", **big)
        # The whole graph shrinks to its box, to ~9 px text on a 1024-px projector: a lecturer enlarges it.
        self.large = widgets.ToggleButton(value=False, description="large",
                                          tooltip="draw the graph 1.5 times larger, to read from the back of "
                                                  "the room (scroll the box to see the rest)", **big)
        options, cut = node_options(trace.graph)
        # Takes the room the toggles leave, and wraps below them when that is too little: at a
        # fixed 440 px it squeezed the toggles ("val...") on a 1024-px screen.
        self.picker = widgets.Dropdown(options=[("(pick a node)", "")] + options, value="",
                                       description="node", style=kit.description,
                                       layout=widgets.Layout(flex="1 1 320px", min_width="320px",
                                                             max_width="440px", width="auto"))
        html = {"style": kit.html, "layout": kit.layout}
        self.picker_note = widgets.HTML(
            style.block(esc(f"{cut} more nodes are not listed.")) if cut else "", **html)
        self.figure = widgets.HTML(**html)
        self.details = widgets.HTML(**html)
        for w in (self.values, self.grads, self.shapes, self.fit, self.large):
            # A tick says "on" from the back of a lecture hall; the grey shade alone did not.
            w.icon = "check" if w.value else ""
            w.observe(_tick, names="value")
        # fit and large undo each other (before _update, which then draws once per click)
        self.fit.observe(lambda c: c["new"] and setattr(self.large, "value", False), names="value")
        self.large.observe(lambda c: c["new"] and setattr(self.fit, "value", False), names="value")
        for w in (self.values, self.grads, self.shapes, self.fit, self.large, self.picker):
            w.observe(self._update, names="value")
        self.bar = widgets.HBox([self.values, self.grads, self.shapes, self.large, self.picker],
                                layout=widgets.Layout(flex_flow="row wrap"))
        self.children = [self.bar, self.picker_note, self.figure, self.details]
        self._update()
        graph = trace.graph
        if not graph.functions and not graph.variables:
            # Nothing drawn: toggles, an empty picker and a blank 32-px drawing said nothing (QA);
            # the reason the other tabs give is said here instead.
            self.figure.value = style.block(esc(graph.notes[0] if graph.notes else trace.caption()))
            self.children = [self.figure]

    def _layout(self, shapes):
        if shapes == bool(self.trace.verbose):
            return self.trace.layout
        if shapes not in self._layouts:  # room for the shape line; computed once
            self._layouts[shapes] = compute_layout(self.trace.graph, self.trace.rankdir, show_shapes=shapes)
        return self._layouts[shapes]

    def _update(self, _change=None):
        graph, picked = self.trace.graph, self.picker.value
        lay = self._layout(self.shapes.value)
        if self.values.value and self.grads.value and self.shapes.value == bool(self.trace.verbose):
            svg = self.trace.svg()  # the default drawing, shared with the static bundle
        else:
            svg = render_svg(graph, lay, show_values=self.values.value, show_grads=self.grads.value,
                             show_shapes=self.shapes.value)
        note, fits_from, fits_note, zoomed = None, None, None, False
        if picked:
            svg = picked_overlay(svg, lay, picked, picked in graph.functions)
        if self.fit.value:
            svg = fitted(svg)
            note = "The whole graph, shrunk to fit: turn fit off to read it at full size."
        elif picked:
            # large: a window drawn larger, not a window enlarged (QA: that scrolled the picked x
            # out of its box, which showed the window's far end first)
            zoom = LARGE if self.large.value else 1.0
            # with the |grad| colour key drawn whole in its bottom (as the stepper's windows):
            # the key lies under the whole graph, outside the window
            svg, focused = focus(svg, lay, picked, zoom=zoom, key=True)
            if focused:
                note = ("The part of the graph around the node you picked" +
                        (", drawn 1.5 times larger; pick no node, or turn large off, to see all of it."
                         if zoom > 1 else " (the graph is larger than the screen); pick no node, or turn "
                                          "fit on, to see all of it."))
                zoomed = zoom > 1
        elif may_overflow(lay.width, lay.height):
            note = CUT_NOTE
            # (from the drawing's size without the hint: where it fits, the hint's band is out of view)
            attrs = root_attrs(svg)
            fits_from = fits_whole_from(float(attrs["width"]), float(attrs["height"]))
            if not self.large.value:  # (large's note says it; the hint, 1.5 times larger, was cut off)
                # hidden (style.figure's "dz-if-cut") where the browser finds that the box holds it whole
                svg = with_scroll_hint(svg, SCROLL_HINTS.get(lay.rankdir, SCROLL_HINTS["LR"]), "dz-if-cut")
        if self.large.value and not self.fit.value and not zoomed:
            attrs = root_attrs(svg)
            width, height = LARGE * float(attrs["width"]), LARGE * float(attrs["height"])
            svg = enlarged(svg)
            if note in (None, CUT_NOTE):
                note = LARGE_FITS_NOTE if surely_fits(width, height) else LARGE_NOTE
                # a wide box may hold it whole: the browser says which (style.figure)
                fits_from, fits_note = (None, None) if note == LARGE_FITS_NOTE else \
                    (fits_whole_from(width, height, scale=1), LARGE_FITS_NOTE)
        if may_overflow(lay.width, lay.height) and self.fit not in self.bar.children:
            # "fit" only where there is something to fit: a graph that can be larger than the
            # narrowest box (QA: 1024 px with the file browser open cut x off a 1,057-px graph,
            # and offered no fit); shown from then on: turning shapes on can make it so
            self.bar.children = self.bar.children[:3] + (self.fit,) + self.bar.children[3:]
        self.figure.value = style.figure(svg, note, fits_from=fits_from, fits_note=fits_note)
        if picked in graph.functions:
            self.details.value = style.block(func_details(graph, picked), title="Details")
        elif picked in graph.variables:
            self.details.value = style.block(var_details(graph, picked), title="Details")
        else:
            self.details.value = style.block(esc("Pick a node above to see its data, grad, shape, "
                                                 "dtype, bytes, generation and creator."))


def graph_view(trace, kit=None):
    return GraphView(trace, kit)
