import pytest

from dezero_magic.graph import BackwardStep, FuncNode, Graph, VarNode
from dezero_magic.layout import DRAWN_PER_LANE, LANE_BUDGET, MARGIN, NODE_GAP, layout

from graphs import chain, diamond


def crossings(graph, lay):
    edges = [(lay.positions[a], lay.positions[b]) for a, b in graph.edges()]
    count = 0
    for i, (p1, q1) in enumerate(edges):
        for p2, q2 in edges[i + 1:]:
            if p1[0] == p2[0] and q1[0] == q2[0] and (p1[1] - p2[1]) * (q1[1] - q2[1]) < 0:
                count += 1
    return count


def test_layers_interleave_variables_and_functions_by_generation():
    g = diamond()
    lay = layout(g)
    x = {k: p[0] for k, p in lay.positions.items()}
    assert x["x"] < x["A"] < x["a"] < x["B"] == x["C"] < x["b"] == x["c"] < x["D"] < x["y"]
    assert all(0 < px < lay.width for px, _ in lay.positions.values())
    assert all(0 < py < lay.height for _, py in lay.positions.values())


def test_tb_swaps_the_axes():
    g = diamond()
    lr, tb = layout(g, "LR"), layout(g, "TB")
    assert tb.positions["x"][1] < tb.positions["a"][1] < tb.positions["y"][1]
    assert lr.width > lr.height and tb.height > tb.width


def test_every_edge_points_forward_even_with_inconsistent_generations():
    g = chain(3)
    g.functions["f2"].generation = 0  # a function claiming an earlier generation than its input
    lay = layout(g)
    for a, b in g.edges():
        assert lay.positions[a][0] < lay.positions[b][0]


def test_barycenter_removes_crossings_and_is_deterministic():
    # Two independent chains whose second layer starts in crossed order.
    g = Graph()
    for vid, gen in [("a0", 0), ("b0", 0), ("a1", 1), ("b1", 1)]:
        g.variables[vid] = VarNode(id=vid, label=vid, generation=gen)
    g.functions["fb"] = FuncNode(id="fb", op="F", generation=0, inputs=["b0"], outputs=["b1"], order=0)
    g.functions["fa"] = FuncNode(id="fa", op="F", generation=0, inputs=["a0"], outputs=["a1"], order=1)
    lay = layout(g)
    assert crossings(g, lay) == 0
    assert layout(g).positions == lay.positions


def test_nodes_do_not_overlap_within_a_layer():
    g = chain(4)
    extra = Graph(variables=dict(g.variables), functions=dict(g.functions))
    for i in range(5):
        extra.variables[f"w{i}"] = VarNode(id=f"w{i}", label=f"w{i}", generation=0)
        extra.functions[f"h{i}"] = FuncNode(id=f"h{i}", op="Mul", generation=0, inputs=["v0", f"w{i}"],
                                            outputs=[], order=10 + i)
    lay = layout(extra)
    column = sorted((lay.positions[n][1], lay.sizes[n][1]) for n in extra.variables
                    if lay.positions[n][0] == lay.positions["v0"][0])
    for (y1, h1), (y2, h2) in zip(column, column[1:]):
        assert y1 + h1 / 2 <= y2 - h2 / 2


def test_bad_rankdir_is_a_clear_error():
    with pytest.raises(ValueError, match="rankdir"):
        layout(chain(1), "RL")


def test_empty_graph():
    lay = layout(Graph())
    assert lay.positions == {} and lay.width > 0


def test_an_oval_has_room_for_the_grad_the_stepper_draws_later():
    # retain_grad=False freed b's grad; the stepper still draws it mid-backward.
    g = Graph(
        variables={
            "a": VarNode(id="a", label="a", value="4.0", grad="8.0"),
            "b": VarNode(id="b", label="b", value="16.0", grad_freed=True, leaf=False),
        },
        functions={"f": FuncNode(id="f", op="Square", inputs=["a"], outputs=["b"])},
    )
    lay = layout(g)
    assert lay.sizes["b"][1] == lay.sizes["a"][1]
    g.variables["b"].grad_freed = False
    assert layout(g).sizes["b"][1] < lay.sizes["a"][1]  # no backward at all: no grad line



def test_an_oval_is_wide_enough_for_grad_freed_whatever_its_value():
    # "grad 4" (the stepper's guess from the value) is shorter than the "grad freed" drawn at the end.
    freed = VarNode(id="b", label="b", value="4", grad_freed=True, leaf=False)
    shown = VarNode(id="b", label="b", value="4", grad="freed", leaf=False)  # the same line, drawn as a grad
    widths = []
    for node in (freed, shown):
        g = Graph(variables={"a": VarNode(id="a", label="a", value="2"), "b": node},
                  functions={"f": FuncNode(id="f", op="Square", inputs=["a"], outputs=["b"])})
        widths.append(layout(g).sizes["b"][0])
    assert widths[0] == widths[1]
    freed.value = "[0.3333 0.6667 1]"  # a longer value still sizes the stepper's grad
    g.variables["b"] = freed
    assert layout(g).sizes["b"][0] > widths[0]

def step18():
    """Book step 18: t = x0 + x1; y = x0 + t (x0 -> f1 skips the layers of f0 and t)."""
    g = Graph()
    for vid, gen in [("x0", 0), ("x1", 0), ("t", 1), ("y", 2)]:
        g.variables[vid] = VarNode(id=vid, label=vid, generation=gen, leaf=vid[0] == "x")
    g.functions["f0"] = FuncNode(id="f0", op="Add", generation=0, inputs=["x0", "x1"], outputs=["t"], order=0)
    g.functions["f1"] = FuncNode(id="f1", op="Add", generation=1, inputs=["x0", "t"], outputs=["y"], order=1)
    return g


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_an_edge_that_skips_layers_gets_a_lane_beside_the_nodes_of_each(rankdir):
    g = step18()
    lay = layout(g, rankdir)
    assert set(lay.positions) == set(g.variables) | set(g.functions)  # lanes are no nodes
    assert list(lay.waypoints) == [("x0", "f1", 0)]  # adjacent-layer edges need none
    points = lay.waypoints[("x0", "f1", 0)]
    assert len(points) == 2 * 2  # in and out of the two layers it skips (f0's, t's)
    along, across = (0, 1) if rankdir == "LR" else (1, 0)
    assert lay.positions["x0"][along] < points[0][along] < lay.positions["f1"][along]
    for nid in ("f0", "t"):  # the lane runs through their layers beside them, not under them
        half = lay.sizes[nid][across] / 2
        crossing = [p for p in points if abs(p[along] - lay.positions[nid][along]) <= lay.sizes[nid][along] / 2]
        assert crossing and all(abs(p[across] - lay.positions[nid][across]) > half for p in crossing)
    assert layout(g, rankdir) == lay  # still a pure, deterministic function


def test_lanes_are_budgeted_so_many_long_edges_stay_fast():
    # One leaf feeding every other function of a 400-function chain (y = y * x + ...): ~40,000 lanes if all routed.
    g = chain(400)
    g.variables["x"] = VarNode(id="x", label="x", generation=0, leaf=True)
    for i in range(0, 400, 2):
        g.functions[f"f{i}"].inputs.append("x")
    lay = layout(g)
    drawn = sum(len(points) for points in lay.waypoints.values()) // 2
    budget = max(len(lay.positions), LANE_BUDGET)
    assert 0 < drawn <= DRAWN_PER_LANE * budget
    placed = {p for points in lay.waypoints.values() for p in points[::2]}  # a shared lane is one place
    assert len(placed) <= budget
    assert ("x", "f2", 0) in lay.waypoints and ("x", "f398", 0) not in lay.waypoints  # shortest first


def test_a_constant_sits_just_before_its_first_use():
    # y = sin(y) + 0.1 repeated: each 0.1 beside the Add it feeds, not in column 0 (the book's figures).
    g = chain(40)
    for i in range(0, 40, 2):
        g.variables[f"c{i}"] = VarNode(id=f"c{i}", label="0.1", generation=0, leaf=True)
        g.functions[f"f{i}"].inputs.append(f"c{i}")
    lay = layout(g)
    for i in range(0, 40, 2):
        assert lay.layers[f"c{i}"] == lay.layers[f"f{i}"] - 1
    assert lay.waypoints == {}  # no edge skips a layer


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_lane_runs_straight_through_layers_of_different_widths(rankdir):
    # x feeds Sin and, four layers later, Div: its lane crosses layers whose
    # widths differ (a box, an oval, a box, a wider oval); centred on their
    # own, the lane weaved from side to side. It is one line, clear of every node.
    g = Graph()
    for vid, gen, value in [("x", 0, "[2 0]"), ("s", 1, "[0.9093 0]"), ("e", 2, "[2.483 1 2.483 1 2.483]"),
                            ("q", 3, "1")]:
        g.variables[vid] = VarNode(id=vid, label=vid, generation=gen, value=value, leaf=vid == "x")
    g.functions["f0"] = FuncNode(id="f0", op="Sin", generation=0, inputs=["x"], outputs=["s"], order=0)
    g.functions["f1"] = FuncNode(id="f1", op="Exp", generation=1, inputs=["s"], outputs=["e"], order=1)
    g.functions["f2"] = FuncNode(id="f2", op="Div", generation=2, inputs=["e", "x"], outputs=["q"], order=2)
    lay = layout(g, rankdir)
    points = lay.waypoints[("x", "f2", 0)]
    along, across = (0, 1) if rankdir == "LR" else (1, 0)
    assert len(points) == 2 * 4 and len({round(p[across], 6) for p in points}) == 1
    for nid in ("f0", "s", "f1", "e"):
        assert abs(points[0][across] - lay.positions[nid][across]) > lay.sizes[nid][across] / 2


def unrolled_rnn(steps):
    """Book step 59 unrolled: h0 = tanh(x2h(x0)), h_t = tanh(x2h(x_t) + h2h(h_{t-1})).

    x2h is Linear(x_t, W, b) and h2h is Linear(h, U): every step shares W, b, U.
    Generations as dezero gives them: each x2h Linear has only leaf inputs, so generation 0.
    """
    g = Graph()

    def var(vid, gen, leaf=False):
        g.variables[vid] = VarNode(id=vid, label=vid, generation=gen, leaf=leaf)

    def call(fid, op, inputs, output):
        gen = max(g.variables[v].generation for v in inputs)
        g.functions[fid] = FuncNode(id=fid, op=op, generation=gen, inputs=inputs, outputs=[output],
                                    order=len(g.functions))
        var(output, gen + 1)

    for name in ("W", "b", "U"):
        var(name, 0, leaf=True)
    for t in range(steps):
        var(f"x{t}", 0, leaf=True)
        call(f"x2h{t}", "Linear", [f"x{t}", "W", "b"], f"a{t}")  # x2h(x) runs before h2h(h), as in the book
        if t == 0:
            call("tanh0", "Tanh", ["a0"], "h0")
        else:
            call(f"h2h{t}", "Linear", [f"h{t - 1}", "U"], f"c{t}")
            call(f"add{t}", "Add", [f"a{t}", f"c{t}"], f"s{t}")
            call(f"tanh{t}", "Tanh", [f"s{t}"], f"h{t}")
    return g


def clear_of_nodes(lay, points):
    """Whether the lanes (pairs of points straight across a layer) pass beside every node, not under one."""
    along, across = (0, 1) if lay.rankdir == "LR" else (1, 0)
    for p, q in zip(points[::2], points[1::2]):
        for nid, centre in lay.positions.items():
            half_along, half_across = (s / 2 for s in (lay.sizes[nid] if along == 0 else lay.sizes[nid][::-1]))
            overlaps = p[along] < centre[along] + half_along and q[along] > centre[along] - half_along
            if overlaps and abs(p[across] - centre[across]) <= half_across:
                return False
    return True


def test_an_unrolled_rnn_reads_left_to_right_in_time():
    g = unrolled_rnn(5)
    lay = layout(g)
    at = lay.layers
    assert (at["x0"], at["x2h0"]) == (0, 1)
    for t in range(1, 5):
        # Each x_t -> Linear(x2h) at its own step, beside h2h, just before the Add it feeds
        # (generation 0 put all five in layer 1, each output a wire across the graph).
        assert at[f"x2h{t}"] == at[f"h2h{t}"] == at[f"add{t}"] - 2
        assert at[f"x{t}"] == at[f"x2h{t}"] - 1 and at[f"a{t}"] == at[f"add{t}"] - 1
        assert at[f"x2h{t - 1}"] < at[f"x2h{t}"]
    assert {source for source, _, _ in lay.waypoints} <= {"W", "b", "U"}  # only the shared weights skip layers
    for a, b in g.edges():
        assert lay.positions[a][0] < lay.positions[b][0]
    # With every x2h in layer 1, x0..x4, W and b stacked in column 0: the picture was this tall.
    column = [lay.sizes[v][1] for v in ("x0", "x1", "x2", "x3", "x4", "W", "b")]
    assert lay.height < 0.7 * (sum(column) + NODE_GAP * (len(column) - 1) + 2 * MARGIN)
    assert layout(g) == lay


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_weight_used_at_every_step_is_one_line_that_branches(rankdir):
    g = unrolled_rnn(4)
    lay = layout(g, rankdir)
    # W -> x2h1, x2h2, x2h3 all skip layers; the shorter ones run on the longer one's lanes
    # (one trunk), not as parallel wires that each take a slot in every layer they cross.
    to = {t: lay.waypoints[("W", f"x2h{t}", 0)] for t in (1, 2, 3)}
    assert to[1] == to[2][:len(to[1])] and to[2] == to[3][:len(to[2])] and len(to[1]) < len(to[2]) < len(to[3])
    assert lay.waypoints[("b", "x2h3", 0)] != to[3]  # b has its own trunk
    for edge, points in lay.waypoints.items():
        assert clear_of_nodes(lay, points), edge


def test_a_function_fed_only_by_floating_functions_floats_with_them():
    # y = chain(6) + cos(sin(x)): sin and cos do not wait in columns 1 and 3 for the chain.
    g = chain(6)
    g.variables["x"] = VarNode(id="x", label="x", leaf=True)
    for fid, op, gen, ins, out in [("sin", "Sin", 0, ["x"], "s"), ("cos", "Cos", 1, ["s"], "c"),
                                   ("add", "Add", 6, ["v6", "c"], "y")]:
        g.variables[out] = VarNode(id=out, label=out, generation=gen + 1, leaf=False)
        g.functions[fid] = FuncNode(id=fid, op=op, generation=gen, inputs=ins, outputs=[out], order=len(g.functions))
    at = layout(g).layers
    assert at["add"] - 2 == at["cos"] == at["sin"] + 2 == at["x"] + 3
    # When s also feeds another function, cos is pinned to s's place (its generation's column).
    g.variables["e"] = VarNode(id="e", label="e", generation=2, leaf=False)
    g.functions["exp"] = FuncNode(id="exp", op="Exp", generation=1, inputs=["s"], outputs=["e"], order=99)
    at = layout(g).layers
    assert (at["x"], at["sin"], at["s"], at["cos"], at["exp"]) == (0, 1, 2, 3, 3)


def _training_graph():
    """x -> Linear -> Sigmoid -> Linear -> MSE, array previews on every node (step 43's cell)."""
    g = Graph()
    value = "(100, 10) [0.5488 0.7152 0.6028 …]"
    for vid, gen in [("x", 0), ("W1", 0), ("b1", 0), ("h", 1), ("a", 2), ("W2", 2), ("b2", 2), ("p", 3),
                     ("t", 3), ("loss", 4)]:
        g.variables[vid] = VarNode(id=vid, label=vid, generation=gen, value=value, grad=value, leaf=gen == 0)
    for fid, op, gen, ins, out in [("f0", "Linear", 0, ["x", "W1", "b1"], "h"), ("f1", "Sigmoid", 1, ["h"], "a"),
                                   ("f2", "Linear", 2, ["a", "W2", "b2"], "p"),
                                   ("f3", "MeanSquaredError", 3, ["p", "t"], "loss")]:
        g.functions[fid] = FuncNode(id=fid, op=op, generation=gen, inputs=ins, outputs=[out], order=int(fid[1]))
    g.steps = [BackwardStep(index=0, func="f3")]
    return g


def test_auto_draws_top_to_bottom_only_where_its_box_shows_clearly_more_of_it():
    # QA 23: TB was taken whenever LR was over 1,500 px long; a 720-px projector's 410-px box then
    # opened on the last nodes of a tall column. Now TB only where the box shows NEAR_TIE times as much.
    from dezero_magic.layout import NEAR_TIE
    from dezero_magic.render.screen import first_view

    wide = _training_graph()
    lr, tb, auto = layout(wide, "LR"), layout(wide, "TB"), layout(wide, "auto")
    assert first_view(tb.width, tb.height)[0] <= NEAR_TIE * first_view(lr.width, lr.height)[0]
    assert auto.rankdir == "LR" and auto.positions == lr.positions   # was TB, 976 px tall
    small = step18()
    assert layout(small, "auto").rankdir == "LR"  # fits: the book's direction
    chain = Graph()
    for i in range(301):
        chain.variables[f"v{i}"] = VarNode(id=f"v{i}", label="", generation=i, value="0.5")
    for i in range(300):
        chain.functions[f"f{i}"] = FuncNode(id=f"f{i}", op="Sin", generation=i, inputs=[f"v{i}"],
                                            outputs=[f"v{i + 1}"], order=i)
    assert layout(chain, "auto").rankdir == "LR"  # too long either way: it scrolls inside its output
    with pytest.raises(ValueError, match="'auto'"):
        layout(small, "XY")


def test_an_oval_fits_the_longest_grad_the_stepper_shows_in_it():
    # b's grad was freed; mid-backward the stepper drew "grad -1.033" in an
    # oval sized for "grad 4" (its value) -- now sized for what it shows.
    g = Graph(variables={"a": VarNode(id="a", label="a", value="2"),
                         "b": VarNode(id="b", label="", value="4", grad_freed=True)},
              functions={"f": FuncNode(id="f", op="Square", inputs=["a"], outputs=["b"])})
    g.steps = [BackwardStep(index=0, func="f", gys={"b": "-1.033"}, totals={"a": "-4.132"})]
    from dezero_magic.layout import CHAR_PX

    width = layout(g).sizes["b"][0]
    assert width >= len("grad -1.033") * CHAR_PX
    g.steps[0].gys = {"b": "1"}
    assert layout(g).sizes["b"][0] < width


def test_with_shapes_a_cut_preview_does_not_repeat_the_shape():
    from dezero_magic.layout import var_lines

    node = VarNode(id="v", label="W", shape=(2, 3), dtype="float64", value="(2, 3) [1 2 3 4 …]",
                   grad="(2, 3) [0.5 0.5 0.5 0.5 …]")
    assert var_lines(node, show_shapes=True) == ["W", "(2, 3) float64", "[1 2 3 4 …]", "grad [0.5 0.5 0.5 0.5 …]"]
    assert var_lines(node) == ["W", "(2, 3) [1 2 3 4 …]", "grad (2, 3) [0.5 0.5 0.5 0.5 …]"]


def test_a_cut_preview_keeps_whole_elements():
    # QA: "grad (10000,) [3.973e-0…" read as 3.973 (it was 3.973e-06)
    from dezero_magic.node_text import cut

    assert cut("grad (10000,) [3.973e-06 3.1e-05 1.2e-07]") == "grad (10000,) [3.973e-06 …"
    assert cut("grad (1, 2) [0.7269 -0.1234]") == "grad (1, 2) [0.7269 …"
    assert cut("(1,) [0.123456789012345678]") == "(1,) [0.123456789012345678]"   # nothing more to cut
    assert cut("model.layer_with_a_long_name[12]") == "model.layer_with_a_long…"  # a name: plain cut
    assert cut("(3,) [1 2 3]") == "(3,) [1 2 3]"
