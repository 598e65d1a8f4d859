"""Graph + Layout -> a standalone SVG string (a pure function).

Variables are ovals and functions boxes, as the book draws them. A
variable's fill shows |grad| on a viridis-like scale (relative to the
largest |grad| drawn); NaN/Inf get a warning colour and a dashed outline.
Every element carries `data-node-id` and the classes `dz-var` / `dz-func`
/ `dz-highlight` / `dz-marked` so front ends and browser tests can find it;
the root says its `data-rankdir`, so the box it is shown in knows which
end is the output (`render.screen`).
Every string is escaped.
"""
import itertools
import re
import secrets
from collections import Counter

from dezero_magic.layout import FONT_PX, LINE_PX, MARGIN
from dezero_magic.naming import ids_drawn
from dezero_magic.node_text import FREED_LINE, cut, var_lines, without_shape
from dezero_magic.preview import shape_text
from dezero_magic.render import palette
from dezero_magic.render.escape import esc
from dezero_magic.render.legend import LEGEND_PX, legend_row  # (LEGEND_PX: the views import it from here)
from dezero_magic.render.screen import MIN_SCALE, NARROW_BOX_PX, whole_style

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
NONFINITE_TEXT = "NaN or Inf in value or grad"
GONE_TEXT = "no longer exists after the cell"
_ids = itertools.count()
# Per process: a restarted kernel's drawings share a page with the old outputs (and two
# notebooks one page), where a second "dz0-a" would take the first one's arrowheads.
_RUN = secrets.token_hex(3)
_NUMBER = re.compile(r"^-?\d+(\.\d*)?(e[-+]?\d+)?$")


def _override_absmax(text):
    """|value| of a scalar preview text, or of a sum the stepper writes out
    ("32 + 64"); None when it is neither."""
    if text is None:
        return None
    terms = [t.strip() for t in text.split(" + ")]
    if not all(_NUMBER.match(t) for t in terms):
        return None
    return abs(sum(float(t) for t in terms))


FAN_PX = 16    # how far repeated edges (x + x) bulge apart, so each reads as its own arrow
PORT_PX = 8    # how far apart their arrowheads land on the target


def _reach(graph, layout, nid, across):
    """Distance along the layer axis from a node's centre to its outline, `across` px off-centre."""
    w, h = layout.sizes[nid]
    half_along, half_across = (w / 2, h / 2) if layout.rankdir == "LR" else (h / 2, w / 2)
    if nid in graph.variables:  # an oval: its outline comes closer the further off-centre
        return half_along * max(0.0, 1 - (across / half_across) ** 2) ** 0.5
    return half_along


def _edge_path(graph, layout, src, dst, copy=0, copies=1):
    """The SVG path of one edge; copy (of copies) tells repeated (src, dst) edges apart.

    Works in (along, across) coordinates so LR and TB share it. The edge leaves
    the source's outline, passes the layout's waypoints (a lane through every
    layer it skips, so it goes around the nodes there, not under them) and
    ends 2 px before the target's outline, where the arrowhead is drawn.
    """
    lr = layout.rankdir == "LR"

    def flip(p):  # (x, y) <-> (along, across); its own inverse
        return (p[0], p[1]) if lr else (p[1], p[0])

    (a1, c1), (a2, c2) = flip(layout.positions[src]), flip(layout.positions[dst])
    spread = copy - (copies - 1) / 2          # 0 for a lone edge
    target_across = (layout.sizes[dst][1] if lr else layout.sizes[dst][0]) / 2
    room = max(0.0, target_across - 6)
    land = max(-room, min(room, spread * PORT_PX))
    points = [(a1 + _reach(graph, layout, src, 0), c1)]
    points += [flip(p) for p in layout.waypoints.get((src, dst, copy), ())]
    points.append((a2 - _reach(graph, layout, dst, land) - 2, c2 + land))
    bend = spread * FAN_PX if len(points) == 2 else 0.0  # waypoints already keep copies apart
    parts = ["M%.1f,%.1f" % flip(points[0])]
    for (pa, pc), (qa, qc) in zip(points, points[1:]):
        if pc == qc and not bend:
            parts.append("L%.1f,%.1f" % flip((qa, qc)))
            continue
        mid = (pa + qa) / 2  # horizontal tangents at both ends: the joins stay smooth
        parts.append("C%.1f,%.1f %.1f,%.1f %.1f,%.1f" % (flip((mid, pc + bend)) + flip((mid, qc + bend))
                                                      + flip((qa, qc))))
    return " ".join(parts)


def _var_title(v, grad):
    # (unnamed: the id the step text, Memory and Gradients tabs and functions' tooltips call it by)
    parts = [v.label or f"unnamed ({v.id})", f"shape {shape_text(v.shape)} {v.dtype}".rstrip(),
             f"value {v.value}", f"grad {grad if grad is not None else '—'}",
             f"generation {v.generation}", "leaf" if v.leaf else "made by a function",
             f"data {v.nbytes} bytes"]
    if v.grad_nbytes:
        parts.append(f"grad {v.grad_nbytes} bytes")
    if v.grad_freed:
        parts.append("grad freed (retain_grad=False)")
    if not v.alive:
        parts.append("freed after the cell")
    if v.nonfinite:
        parts.append("contains NaN or Inf")
    return "\n".join(parts)


def _func_title(f, graph):
    def names(ids):
        return ", ".join((graph.variables[i].label or i) if i in graph.variables else i for i in ids)

    parts = [f.title, f"generation {f.generation}", f"({names(f.inputs)}) -> ({names(f.outputs)})"]
    if f.kept_nbytes:
        parts.append(f"keeps {f.kept_nbytes} bytes of inputs for backward")
    return "\n".join(parts)


def _text_block(x, y, lines, colour, klass="dz-label", bold_first=True):
    top = y - (len(lines) - 1) * LINE_PX / 2
    out = []
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if i == 0 and bold_first and klass == "dz-label" else ""
        out.append(f'<text class="{klass}" x="{x:.1f}" y="{top + i * LINE_PX:.1f}" '
                   f'fill="{colour}"{weight} text-anchor="middle" dominant-baseline="central">'
                   f"{esc(cut(line))}</text>")
    return "".join(out)


ID_TAG_PX = 12


def _id_tag(nid, x, y, w, h, tagged):
    """The node's id on a small tag over its top-left edge, where the panels name it by its id
    (`naming.ids_drawn`: two "Pow output"s, "Mul (f3)"): QA, a student could not tell which oval
    the step's "grad out to Pow output (v1)" meant. On the outline, above the node's text."""
    if nid not in tagged:
        return ""
    tw, th = len(nid) * ID_TAG_PX * 0.62 + 8, ID_TAG_PX + 2
    left, mid = x - w / 2 + (w * 0.12 if w > 2 * tw else 2), y - h / 2
    return (f'<g class="dz-id"><rect x="{left:.1f}" y="{mid - th / 2:.1f}" width="{tw:.1f}" height="{th:.1f}" '
            f'rx="3" fill="#ffffff" stroke="#555555" stroke-width="1"/><text x="{left + tw / 2:.1f}" '
            f'y="{mid:.1f}" fill="#222222" font-size="{ID_TAG_PX}" text-anchor="middle" '
            f'dominant-baseline="central">{esc(nid)}</text></g>')


def render_svg(graph, layout, *, show_values=True, show_grads=True, show_shapes=False,
               highlight_functions=(), highlight_edges=(), marked_variables=(),
               grads_override=None, grad_absmax=None, grad_top=None, top_note=""):
    """Draw `graph` at the positions of `layout` and return the SVG text.

    highlight_functions: FuncNode ids drawn emphasised; highlight_edges:
    (source id, target id) pairs drawn emphasised; marked_variables: VarNode
    ids drawn with an "accumulated" badge; grads_override: {var id: preview
    text or None} shown instead of the final grads (ids not in it show none);
    grad_absmax: {var id: largest |element|} of those texts (the stepper's running
    grads: an array's text shows a few elements only), else read from a scalar
    text; grad_top: the |grad| that the colour scale's top stands for (the
    stepper's: one for its whole pass, so a grad keeps its colour from step to
    step), else the largest drawn; top_note: said after the key's top.
    """
    uid = f"dz{_RUN}n{next(_ids)}"
    hl_funcs, hl_edges, marked = set(highlight_functions), set(map(tuple, highlight_edges)), set(marked_variables)

    def grad_of(v):
        if grads_override is not None:
            return grads_override.get(v.id)
        return v.grad

    absmaxes = {}
    for v in graph.variables.values():
        g = grad_of(v)
        if grads_override is None:
            a = v.grad_absmax
        elif grad_absmax is not None and v.id in grad_absmax:
            a = grad_absmax[v.id]
        else:
            a = _override_absmax(g)
        if g is not None and a is not None:
            absmaxes[v.id] = a
    top = max([*absmaxes.values(), grad_top or 0.0], default=0.0)
    drawn = [v for v in graph.variables.values() if v.id in layout.positions]
    legend = legend_row(uid, layout.height, top if show_grads and absmaxes else None,
                        NONFINITE_TEXT if any(v.nonfinite for v in drawn) else "",
                        GONE_TEXT if any(not v.alive for v in drawn) else "", top_note)
    width, height = layout.width, layout.height
    if legend:
        width, height = max(width, legend[1] + MARGIN), height + LEGEND_PX  # a narrow TB graph widens
    # (where the legend row ends: a window of the drawing redraws the row in its own bottom, `split_legend`)
    right = f' data-legend-right="{legend[1]:.0f}"' if legend else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dz-graph" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" style="{whole_style(width)}" '
           f'data-rankdir="{esc(layout.rankdir)}"{right} font-family="{FONT}" font-size="{FONT_PX}" role="img" '
           f'aria-label="{esc(_spoken(graph, layout))}">',
           f'<defs><marker id="{uid}-a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
           f'<marker id="{uid}-h" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
           f'fill="{palette.HIGHLIGHT_STROKE}"/></marker></defs>',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    tagged = ids_drawn(graph)
    edges = [e for e in graph.edges() if e[0] in layout.positions and e[1] in layout.positions]
    copies = Counter(edges)
    seen = Counter()
    for src, dst in edges:
        copy, n = seen[(src, dst)], copies[(src, dst)]
        seen[(src, dst)] += 1
        hl = (src, dst) in hl_edges  # every copy: each carries a grad in backward
        stroke = palette.HIGHLIGHT_STROKE if hl else "#555555"
        which = f' data-copy="{copy}"' if n > 1 else ""
        out.append(f'<path class="dz-edge{" dz-highlight" if hl else ""}" data-src="{esc(src)}" '
                   f'data-dst="{esc(dst)}" d="{_edge_path(graph, layout, src, dst, copy, n)}"{which} '
                   f'fill="none" '
                   f'stroke="{stroke}" stroke-width="{3.5 if hl else 1.5}" '
                   f'marker-end="url(#{uid}-{"h" if hl else "a"})"/>')
    for f in graph.functions.values():
        if f.id not in layout.positions:
            continue
        (x, y), (w, h) = layout.positions[f.id], layout.sizes[f.id]
        hl = f.id in hl_funcs
        stroke = palette.HIGHLIGHT_STROKE if hl else "#333333"
        out.append(f'<g class="dz-node dz-func{" dz-highlight" if hl else ""}" data-node-id="{esc(f.id)}">'
                   f"<title>{esc(_func_title(f, graph))}</title>"
                   f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
                   f'rx="3" fill="{palette.FUNC_FILL}" stroke="{stroke}" stroke-width="{4 if hl else 1.5}"/>'
                   + _text_block(x, y, [f.title], "#000000", "dz-op") + _id_tag(f.id, x, y, w, h, tagged) + "</g>")
    for v in graph.variables.values():
        if v.id not in layout.positions:
            continue
        (x, y), (w, h) = layout.positions[v.id], layout.sizes[v.id]
        g = grad_of(v)
        classes = "dz-node dz-var"
        stroke, dash, sw = "#333333", "", 1.5
        if v.id in absmaxes and show_grads:
            t = absmaxes[v.id] / top if top > 0 else 0.0
            fill, ink = palette.scale(t), palette.text_colour(t)
        else:
            fill, ink = palette.NO_GRAD_FILL, "#000000"
        if v.nonfinite:
            fill, ink, stroke, dash, sw = palette.WARNING_FILL, "#000000", palette.WARNING_STROKE, ' stroke-dasharray="6 3"', 3
            classes += " dz-nonfinite"
        if v.id in marked:
            stroke, sw = palette.MARK_STROKE, 4
            classes += " dz-marked"
        if not v.alive:
            dash = dash or ' stroke-dasharray="2 3"'
        lines = var_lines(v, show_values, False, show_shapes)
        if show_grads and g is not None:
            lines.append("grad " + (without_shape(v, g) if show_shapes else g))
        elif show_grads and v.grad_freed and grads_override is None:  # an override says what is known
            lines.append(FREED_LINE)
        out.append(f'<g class="{classes}" data-node-id="{esc(v.id)}">'
                   f"<title>{esc(_var_title(v, g))}</title>"
                   f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{w / 2:.1f}" ry="{h / 2:.1f}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{sw}"{dash}/>' + _text_block(x, y, lines, ink, bold_first=bool(v.label))
                   + _id_tag(v.id, x, y, w, h, tagged))
        if v.id in marked:
            bx, by = x + w / 2 - 8, y - h / 2 + 6
            # (a student's step-13 backward overwrote instead of adding: "=", not "+=", QA B22-5)
            mark, why = (("=", "more than one grad flowed into this variable, but your backward kept only the "
                          "last (x.grad = gx)") if getattr(v, "grad_overwritten", False) else
                         ("+=", "grad accumulated here: more than one grad flowed into this variable"))
            out.append(f'<g class="dz-badge"><title>{why}</title><circle cx="{bx:.1f}" cy="{by:.1f}" r="12" '
                       f'fill="{palette.MARK_STROKE}"/><text x="{bx:.1f}" y="{by:.1f}" fill="#ffffff" '
                       f'font-size="14" font-weight="bold" text-anchor="middle" '
                       f'dominant-baseline="central">{mark}</text></g>')
        out.append("</g>")
    if legend:
        shift = width - MARGIN - legend[1]
        if layout.rankdir == "LR" and layout.width * MIN_SCALE > NARROW_BOX_PX and shift > 0:
            # under the output end, which a box too narrow for the graph shows (render.screen):
            # on the left, a 552-px box cut it to "2.307", its "|grad| 0" end gone (QA)
            out.append(f'<g transform="translate({shift:.0f},0)">{legend[0]}</g>')
        else:
            out.append(legend[0])
    out.append("</svg>")
    return "".join(out)


# A legend row's items (their own <g>, none nested in them; every text in them escaped), and
# the group that moves them under a wide graph's output end.
_LEGEND_ITEM = re.compile(r'<g class="dz-legend(?:-[a-z]+)?">.*?</g>', re.S)
_SHIFTED = re.compile(r'<g transform="translate\([\d.]+,0\)"></g>')


def has_legend(svg):
    """Whether a drawing of render_svg has a legend row (a colour key)."""
    return "data-legend-right" in root_attrs(svg)


def split_legend(svg):
    """(`svg` without its legend row, the row's items, the row's right end in px)
    for a drawing of render_svg; (svg, "", 0.0) when it has none. The items are
    drawn from x = MARGIN, in the LEGEND_PX under the graph's layout height."""
    items = _LEGEND_ITEM.findall(svg)
    if not items:
        return svg, "", 0.0
    return (_SHIFTED.sub("", _LEGEND_ITEM.sub("", svg)), "".join(items),
            float(root_attrs(svg).get("data-legend-right", 0)))


def _spoken(graph, layout):
    """The drawing's name for a screen reader (role="img" reads this, not the labels' word list).
    True wherever it is read: not only in the widgets, but in a static export or the file
    plot_dot_graph writes, where no Graph tab (and no node picker) exists (QA X23-7)."""
    funcs = sum(1 for f in graph.functions if f in layout.positions)
    variables = sum(1 for v in graph.variables if v in layout.positions)
    return (f"dezero computation graph: {funcs} function{'s' * (funcs != 1)}, {variables} "
            f"variable{'s' * (variables != 1)}; each node's tooltip gives its details")


def with_fresh_ids(svg):
    """`svg` (from render_svg) with ids no other drawing on the page has: the
    same graph shown twice (its widget and `trace.svg()` in another cell)
    would share marker and gradient ids, and the copy whose SVG is hidden
    (a switched-away tab) takes the arrowheads of the other with it."""
    start = svg.find('id="dz')
    if start < 0:
        return svg
    start += len('id="')
    old, new = svg[start:svg.index("-", start)], f"dz{_RUN}n{next(_ids)}"
    # In attributes only: a label may read "#dz3-a" too, and is the user's text. (str.replace:
    # a regex with a callback took ~2 ms on a 300-node drawing, and a drawing is copied per view)
    for attr in ('id="', "url(#", 'href="#'):
        svg = svg.replace(f"{attr}{old}-", f"{attr}{new}-")
    return svg


_ROOT = re.compile(r"<svg\b[^>]*>")


def root_attrs(svg):
    """{name: value} of the root <svg> tag's attributes."""
    return dict(re.findall(r'\s([\w:-]+)="([^"]*)"', _ROOT.search(svg).group(0)))


def with_root(svg, prefix="", **attrs):
    """`svg` with its root tag's attributes `attrs` set (view_box for
    viewBox), and `prefix` (SVG text) drawn first, under everything."""
    root = _ROOT.search(svg)
    names = {k: "viewBox" if k == "view_box" else k for k in attrs}
    tag = re.sub(r'\s(' + "|".join(names.values()) + r')="[^"]*"', "", root.group(0))[:-1]
    tag += "".join(f' {names[k]}="{v}"' for k, v in attrs.items()) + ">"
    return svg[:root.start()] + tag + prefix + svg[root.end():]


def drawn_last(svg, text):
    """`svg` with `text` (SVG) drawn last, over everything (`with_root`'s prefix: first)."""
    end = svg.rfind("</svg>")
    return svg[:end] + text + svg[end:] if end >= 0 else svg
