"""Layout: a pure function Graph -> node positions.

Layers as the book draws them: variables of generation g, then the
functions of generation g, then the variables of generation g+1 ...
(layer 2g for a variable, 2g+1 for a function, pushed further when an input
sits later, so every edge points forward). What no drawn function pins
comes as late as it can instead: a leaf (data, a constant, a parameter)
sits just before its first use, and so does a function whose inputs are
such leaves, or outputs of such functions made for it alone; an unrolled
RNN then reads left to right in time, each x_t -> Linear at its own step.

Within a layer, the order starts as forward order and is improved by
barycenter sweeps (each node moves to the mean position of its neighbours
in the previous layer, then the next), which removes most crossings; ties
keep the previous order, so the result is deterministic. An edge that skips
layers (x0 feeding both t = x0 + x1 and y = x0 + t) gets a lane in every
layer it crosses: an invisible slot in that layer's order, so the sweeps
place it and the nodes there make room; the renderer draws the edge through
the lanes (Layout.waypoints), around the nodes instead of under them. Edges
from one source share their lanes: a weight used at every time step is one
line that branches off to each use.

Each layer is centred across the drawing, unless that puts the output end
(the last layer) out of the view its box opens on: a box starts at the
output end along the layers, but at the top (LR) or left (TB) across them
(render.screen), and an LSTM's loss centred 870 px down an LR drawing was
below the box. Such a drawing aligns every layer to that edge instead.
"""
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Dict, List, Tuple

from dezero_magic.node_text import FREED_LINE, cut, var_lines
from dezero_magic.running_grads import running

FONT_PX = 14
CHAR_PX = 8.4            # average glyph width of a 14px sans-serif font
LINE_PX = 18
LAYER_GAP = 56
NODE_GAP = 22
MARGIN = 16
SWEEPS = 4
# "auto" draws top to bottom only where the box shows clearly more of the drawing
# when it opens (render.screen.first_view): TB's share must be NEAR_TIE times LR's.
# QA 22 at 1280x720: TB, picked when LR was over 1,500 px long, opened a 410-px box on
# the last 2-3 nodes of a 1,038-px column, three quarters of its width white.
NEAR_TIE = 1.15
LANE_PX = 10             # across size of the slot an edge takes in a layer it skips
# Lanes a graph may get, beyond which the longest skipping edges are drawn direct:
# 200 constants of `y = sin(y) + 0.1` all sit in layer 0 and would need ~80,000.
LANE_BUDGET = 400
DRAWN_PER_LANE = 8       # lane points drawn (shared ones once per edge) per lane of the budget


@dataclass
class Layout:
    positions: Dict[str, Tuple[float, float]] = field(default_factory=dict)  # node centres, px
    sizes: Dict[str, Tuple[float, float]] = field(default_factory=dict)      # (width, height), px
    width: float = 0.0
    height: float = 0.0
    rankdir: str = "LR"
    layers: Dict[str, int] = field(default_factory=dict)
    # (source id, target id, copy) -> points an edge that skips layers passes, px;
    # copy counts repeats of the same pair in graph.edges() order (x + x has two).
    waypoints: Dict[Tuple[str, str, int], List[Tuple[float, float]]] = field(default_factory=dict)


def _var_size(node, show_shapes, grads_may_show=False, stepped_grad=None):
    lines = var_lines(node, True, True, show_shapes)
    if node.grad is None and (node.grad_freed or grads_may_show):
        # The stepper draws grads the final graph no longer has ("grad freed",
        # or a grad mid-backward): the longest its steps show, else one like the value
        # (it has the data's shape); never narrower than the final graph's "grad freed".
        grad_line = "grad " + (stepped_grad or node.value or "freed")
        lines.append(max(grad_line, FREED_LINE, key=len) if node.grad_freed else grad_line)
    elif stepped_grad and node.grad is not None and len(stepped_grad) > len(node.grad):
        lines[-1] = "grad " + stepped_grad  # a step shows more than the final grad ("32 + 64")
    chars = max(len(cut(s)) for s in lines)
    width = max(56.0, chars * CHAR_PX * 1.2 + 24)  # an oval needs room at its ends
    height = max(40.0, len(lines) * LINE_PX + 18)
    # A line off the centre meets the oval where it is narrower: wide enough
    # that each line's corners (glyphs ~0.7 em tall) stay inside.
    n, ry = len(lines), height / 2
    for i, s in enumerate(lines):
        dy = abs(i - (n - 1) / 2) * LINE_PX + 0.35 * FONT_PX
        room = max(0.3, 1 - (dy / ry) ** 2) ** 0.5
        width = max(width, (len(cut(s)) * CHAR_PX + 12) / room)
    return width, height


def _stepped_grads(graph):
    """{variable id: the longest grad text a backward step shows for it}
    (the stepper's own running grads, so every oval holds what it draws)."""
    overwritten = {v.id for v in graph.variables.values() if v.grad_overwritten}
    longest = {}
    for step, (grads, _) in zip(graph.steps, running(graph.steps, overwritten=overwritten)):
        for vid in chain(step.gys, step.gxs):  # only what this step changed
            text = grads.get(vid, "")
            if len(text) > len(longest.get(vid, "")):
                longest[vid] = text
    return longest


def _func_size(node):
    return max(56.0, len(cut(node.title)) * CHAR_PX + 24), 34.0


def _layers(graph):
    functions = sorted(graph.functions.values(), key=lambda f: (f.generation, f.order))
    layer = {vid: 2 * v.generation if v.generation > 0 else 0 for vid, v in graph.variables.items()}
    maker = {}
    for f in functions:  # plain ifs, not max(): this runs for every edge
        at = 2 * f.generation + 1 if f.generation > 0 else 1
        for v in f.inputs:
            before = layer.get(v, 0)
            if before >= at:
                at = before + 1
        layer[f.id] = at
        for v in f.outputs:
            maker[v] = f
            if layer.get(v, 0) <= at:
                layer[v] = at + 1
    # A function no drawn function's output pins (its inputs are leaves, or
    # come from such functions that feed it alone) floats to just before the
    # first use of its outputs: the x_t -> Linear(x2h) of an unrolled RNN sits
    # at its own time step, not all of them stacked in column 1 with a wire
    # from each across the graph.
    uses = Counter(chain.from_iterable(f.inputs for f in functions))
    floats = set()
    for f in functions:
        for v in f.inputs:
            g = maker.get(v)
            if g is not None and (g.id not in floats or not _feeds_only(g, f, uses)):
                break
        else:
            floats.add(f.id)
    # Latest first, so every use has its final layer when a function is
    # placed; a function only moves later, so every edge still points forward.
    first = {}  # variable id -> layer of its first use
    for f in sorted(functions, key=lambda f: layer[f.id], reverse=True):
        at = layer[f.id]
        if f.id in floats:
            near = [first[v] for v in f.outputs if v in first]
            if near and min(near) - 2 > at:
                at = layer[f.id] = min(near) - 2
                for v in f.outputs:
                    layer[v] = at + 1
        for v in f.inputs:
            if first.get(v, at + 1) > at:
                first[v] = at
    # A variable no drawn function made (a leaf, a constant, a parameter, or
    # one whose producer was cut) sits just before its first use, as the
    # book's figures draw it: a constant `+ 0.1` at step 300 is no edge
    # across 300 columns.
    for v, at in first.items():
        if v not in maker:
            layer[v] = at - 1
    # Drop empty layers so a leaf of generation 0 feeding generation 9 is no gap of 18 columns.
    used = sorted(set(layer.values()))
    rank = {old: new for new, old in enumerate(used)}
    return {k: rank[v] for k, v in layer.items()}


def _feeds_only(g, f, uses):
    """Whether every use of every output of function `g` is by function `f`."""
    return sum(uses[v] for v in g.outputs) == sum(v in g.outputs for v in f.inputs)


def _lanes(graph, layer):
    """Split each edge that skips layers into steps of one layer, through lanes.

    Returns (the steps: every edge as pairs between adjacent layers, or
    direct when it needs none or is beyond the budget; {(source, target,
    copy): its lane ids, one per crossed layer}). Lane ids are tuples, so
    they never clash with node ids (strings); edges from one source (and of
    one copy) share the ids of the layers they both cross. The shortest
    edges get lanes first: they are the ones read as feeding the node they
    pass under.
    """
    steps, long, seen = [], [], {}
    for a, b in graph.edges():
        if a not in layer or b not in layer:
            continue
        copy = seen[(a, b)] = seen.get((a, b), -1) + 1
        if layer[b] - layer[a] > 1:
            long.append((layer[b] - layer[a], len(long), a, b, copy))
        else:
            steps.append((a, b))
    # Two budgets: lanes the ordering sweeps place (a shared one is placed
    # once: x feeding the 46 Pows of step 27's Taylor series spent a single
    # budget, and its longest edges ran straight through nodes), and points
    # drawn (every edge is its own path, along the trunk too).
    budget = max(LANE_BUDGET, len(layer))
    drawn = DRAWN_PER_LANE * budget
    chains, made = {}, set()
    for span, _, a, b, copy in sorted(long):
        # Edges from one source share lanes (a trunk): a parameter used at
        # every step of an unrolled RNN is one line with a branch to each use,
        # not one parallel wire per use. Copies (x + x) get a trunk each.
        ids = [("lane", a, copy, at) for at in range(layer[a] + 1, layer[b])]
        new = sum(1 for lane in ids if lane not in made)
        if new > budget or len(ids) > drawn:
            steps.append((a, b))
            continue
        budget -= new
        drawn -= len(ids)
        path = [a] + ids
        steps.extend(pair for pair in zip(path, path[1:]) if pair[1] not in made)
        steps.append((ids[-1], b))
        made.update(ids)
        chains[(a, b, copy)] = ids
    return steps, chains


def _order(graph, layer, steps, chains):
    n_layers = max(layer.values(), default=-1) + 1
    rows = [[] for _ in range(n_layers)]
    first = {}
    for f in sorted(graph.functions.values(), key=lambda f: f.order):
        for nid in f.inputs + [f.id] + f.outputs:
            first.setdefault(nid, len(first))
    for nid in graph.variables:
        first.setdefault(nid, len(first))
    start = {nid: (first.get(nid, 0), 0) for nid in layer}
    for (a, b, copy), ids in chains.items():
        for lane in ids:
            start[lane] = (first.get(a, 0), 1)  # beside its source until the sweeps move it
    at_layer = {nid: layer[nid] if nid in layer else nid[-1] for nid in start}  # a lane id holds its layer
    for nid in sorted(start, key=start.__getitem__):
        rows[at_layer[nid]].append(nid)
    neighbours = {nid: [] for nid in start}
    for a, b in steps:
        neighbours[a].append(b)
        neighbours[b].append(a)
    pos = {nid: i for row in rows for i, nid in enumerate(row)}
    # Neighbours in the layer before and after, split once (not every sweep).
    beside = {side: {nid: [m for m in near if at_layer[m] == at_layer[nid] + side]
                     for nid, near in neighbours.items()} for side in (-1, +1)}

    def sweep(indices, side):
        near_of = beside[side]
        for i in indices:
            row = rows[i]
            if len(row) < 2:
                continue  # nothing to reorder (a chain is mostly such layers)
            keys = {}
            for nid in row:
                near = [pos[m] for m in near_of[nid]]
                keys[nid] = sum(near) / len(near) if near else pos[nid]
            row.sort(key=lambda nid: (keys[nid], pos[nid]))
            for j, nid in enumerate(row):
                pos[nid] = j

    for _ in range(SWEEPS):
        sweep(range(1, n_layers), -1)
        sweep(range(n_layers - 2, -1, -1), +1)
    return rows


def layout(graph, rankdir="LR", show_shapes=False):
    """Positions for every node of `graph`; rankdir "LR" (layers are columns),
    "TB" (rows) or "auto" (see `_choose`; the Layout says which it took)."""
    from dezero_magic.render.screen import in_first_view  # here: render imports this module's sizes

    if rankdir not in ("LR", "TB", "auto"):
        raise ValueError(f"rankdir must be 'LR', 'TB' or 'auto', got {rankdir!r}")
    stepped = bool(graph.steps)
    longest = _stepped_grads(graph)
    sizes = {vid: _var_size(v, show_shapes, stepped, longest.get(vid)) for vid, v in graph.variables.items()}
    sizes.update({fid: _func_size(f) for fid, f in graph.functions.items()})
    layer = _layers(graph)
    steps, chains = _lanes(graph, layer)
    rows = _order(graph, layer, steps, chains)
    if rankdir == "auto":
        rankdir = _choose(rows, sizes)
    lr = rankdir == "LR"
    # along: the axis layers advance on; across: the axis nodes of a layer stack on.
    def along_size(nid):
        if nid not in sizes:
            return 0.0  # a lane
        return sizes[nid][0] if lr else sizes[nid][1]

    def across_size(nid):
        if nid not in sizes:
            return LANE_PX
        return sizes[nid][1] if lr else sizes[nid][0]

    thickness = [max((along_size(n) for n in row), default=0) for row in rows]
    extents = [sum(across_size(n) for n in row) + NODE_GAP * max(0, len(row) - 1) for row in rows]
    total_across = max(extents, default=0)
    # Centred, the last layer's first node (the output) would end this far across; beyond
    # what the box shows when it opens, every layer starts at the edge it opens at.
    output_far = MARGIN + (total_across - extents[-1]) / 2 + across_size(rows[-1][0]) if rows else 0
    centred = in_first_view(output_far, rankdir)
    positions, lanes = {}, {}
    at = MARGIN
    for row, thick, extent in zip(rows, thickness, extents):
        centre_along = at + thick / 2
        offset = MARGIN + ((total_across - extent) / 2 if centred else 0)
        for nid in row:
            c = offset + across_size(nid) / 2
            if nid in sizes:
                positions[nid] = (centre_along, c) if lr else (c, centre_along)
            else:
                lanes[nid] = (at, thick, c)
            offset += across_size(nid) + NODE_GAP
        at += thick + LAYER_GAP
    room = _lane_room(rows, sizes, positions, lr)
    lane_points = {}
    # Longest first: an edge sharing lanes with a longer one from its source
    # (a trunk) takes the trunk's positions, so the two lines coincide.
    for ids in reversed(list(chains.values())):
        if ids[-1] in lane_points:
            continue  # its lanes are a placed trunk's first ones
        straight = _straight(ids, lanes, room)
        for lane in ids:
            start, thick, c = lanes[lane]
            c = straight if straight is not None else c
            # straight across the whole layer, so it clears its widest node
            lane_points[lane] = [(start, c), (start + thick, c)] if lr else [(c, start), (c, start + thick)]
    length = max(at - LAYER_GAP + MARGIN, 2 * MARGIN)
    across = total_across + 2 * MARGIN
    width, height = (length, across) if lr else (across, length)
    waypoints = {edge: [p for lane in ids for p in lane_points[lane]] for edge, ids in chains.items()}
    return Layout(positions=positions, sizes=sizes, width=width, height=height,
                  rankdir=rankdir, layers=layer, waypoints=waypoints)


def _lane_room(rows, sizes, positions, lr):
    """For each lane, the span across its layer it may move in without
    touching a node: from half a gap past the node before it to half a gap
    short of the node after it (other lanes are no obstacle)."""
    room = {}
    for row in rows:
        low, waiting = float("-inf"), []
        for nid in row:
            if nid not in sizes:
                waiting.append(nid)
                continue
            centre = positions[nid][1] if lr else positions[nid][0]
            half = (sizes[nid][1] if lr else sizes[nid][0]) / 2
            for lane in waiting:
                room[lane] = (low, centre - half - NODE_GAP / 2)
            waiting, low = [], centre + half + NODE_GAP / 2
        for lane in waiting:
            room[lane] = (low, float("inf"))
    return room


def _straight(ids, lanes, room):
    """One across position for all lanes of an edge, so it runs straight
    instead of weaving as each layer is centred on its own; None when no
    position clears the nodes of every layer it crosses."""
    if len(ids) < 2:
        return None
    low = max(room[lane][0] for lane in ids)
    high = min(room[lane][1] for lane in ids)
    if low > high:
        return None
    mean = sum(lanes[lane][2] for lane in ids) / len(ids)
    return min(max(mean, low), high)


def _extent(rows, sizes, lr):
    """(along, across) size of the drawing in one orientation, margins in."""
    along = sum(max((sizes[n][0 if lr else 1] for n in row if n in sizes), default=0) for row in rows)
    across = max((sum(sizes[n][1 if lr else 0] if n in sizes else LANE_PX for n in row)
                  + NODE_GAP * max(0, len(row) - 1) for row in rows), default=0)
    return along + LAYER_GAP * max(0, len(rows) - 1) + 2 * MARGIN, across + 2 * MARGIN


def _choose(rows, sizes):
    """"LR" (the book's direction), or "TB" where the box shows NEAR_TIE times as
    much of it when it opens (render.screen.first_view): a bushy graph, wide left
    to right and short top to bottom. A long chain stays LR: shrunk to the box's
    width, more of it shows than of a column the box's height cuts."""
    from dezero_magic.render.screen import first_view  # here: render imports this module's sizes

    along, across = _extent(rows, sizes, True)
    lr = first_view(along, across)[0]
    along, across = _extent(rows, sizes, False)
    return "TB" if first_view(across, along)[0] > NEAR_TIE * lr else "LR"
