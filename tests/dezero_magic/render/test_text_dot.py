import pytest

from dezero_magic.graph import BackwardStep
from dezero_magic.render.dot import to_dot
from dezero_magic.render.text import render_text

from graphs import chain, diamond


def test_text_lists_functions_in_forward_order_then_leaf_grads():
    g = chain(2)
    text = render_text(g)
    lines = text.splitlines()
    assert lines[1] == "  [gen 0] Square(x0) -> x1"
    assert lines[2] == "  [gen 1] Square(x1) -> x2"
    assert "x0 = 0   grad 0.0" in text


def test_text_says_when_incomplete():
    g = diamond()
    g.complete = False
    assert "INCOMPLETE" in render_text(g)


def test_dot_has_every_node_and_edge_escaped():
    g = diamond()
    g.variables["x"].label = 'say "hi" \\ <b>'
    dot = to_dot(g, verbose=True)
    assert dot.startswith("digraph g {")
    assert dot.count(" -> ") == len(g.edges())
    assert '"say \\"hi\\" \\\\ <b>: () "' in dot
    assert 'shape=box' in dot


def test_dot_rankdir_is_checked():
    with pytest.raises(ValueError, match="rankdir"):
        to_dot(chain(1), rankdir="XY")


def test_counts_of_one_are_singular():
    g = chain(1)
    head = render_text(g).splitlines()[0]
    assert head.startswith("dezero graph: 1 function, 2 variables") and "1 functions" not in head
    g.steps = [BackwardStep(index=0, func="f0")]
    assert render_text(g).splitlines()[0].endswith("; 1 backward step")
    g2 = chain(2)
    g2.steps = [BackwardStep(index=i, func=f"f{1 - i}") for i in range(2)]
    assert render_text(g2).splitlines()[0] == "dezero graph: 2 functions, 3 variables; 2 backward steps"


def test_a_long_backward_order_is_cut_and_counted():
    g = chain(3)
    g.steps = [BackwardStep(index=i, func=f"f{i % 3}") for i in range(2000)]  # a student's endless loop
    line = next(l for l in render_text(g, max_lines=10).splitlines() if l.startswith("backward order:"))
    assert line.count(" ") < 30 and line.endswith("… and 1,990 more")


def test_named_leaves_come_first_and_a_long_list_says_how_many_more():
    g = chain(3)
    from dezero_magic.graph import VarNode

    for i in range(70):
        g.variables[f"c{i}"] = VarNode(id=f"c{i}", value=str(i), grad="1")
    g.variables["v0"].label = "x"
    lines = render_text(g, max_lines=10).splitlines()
    start = lines.index("grads of the leaves:")
    assert lines[start + 1].startswith("  x = ") and lines[start + 11] == "  ... 61 more leaves"


def test_a_long_graph_keeps_its_first_lines_and_the_output_end():
    # Step 35's graphs run past the limit: the output (what was computed) must stay.
    g = chain(30)
    lines = render_text(g, max_lines=8).splitlines()
    funcs = [l for l in lines if l.startswith("  [gen ")]
    assert len(funcs) == 8
    assert funcs[0] == "  [gen 0] Square(x0) -> x1"
    assert funcs[-1] == "  [gen 29] Square(x29) -> x30"
    cut = lines.index("  ... 22 more functions")
    assert lines[cut - 1] == "  [gen 1] Square(x1) -> x2" and lines[cut + 1].startswith("  [gen 24] ")


def test_shapes_are_named_on_request_and_scalars_stay_bare():
    g = chain(2)
    g.variables["v1"].shape = (1, 3)
    assert "Square(x0) -> x1\n" in render_text(g) + "\n"
    lines = render_text(g, shapes=True).splitlines()
    assert lines[1] == "  [gen 0] Square(x0) -> x1 (1, 3)"
    assert lines[2] == "  [gen 1] Square(x1 (1, 3)) -> x2"


def test_the_text_tells_kept_from_freed_intermediate_grads():
    # QA: with and without --retain-grad text/plain was byte-identical; the SVG differed.
    g = chain(2)
    assert "intermediate grads: x1 = 1.0, x2 = 2.0" in render_text(g)
    for v in ("v1", "v2"):
        g.variables[v].grad, g.variables[v].grad_freed = None, True
    text = render_text(g)
    assert "intermediate grads freed after use (retain_grad=False): x1, x2" in text
    assert "intermediate grads: " not in text


def test_the_dot_of_a_cut_graph_says_it_was_cut():
    g = chain(2)
    assert "label=" not in to_dot(g).split("\n")[-2]
    g.elided_functions = 38
    assert to_dot(g).split("\n")[-3] == 'label="38 function calls not drawn"'
    g.elided_functions = 1   # (not "earlier": calls after the drawn backward count too)
    assert to_dot(g).split("\n")[-3] == 'label="1 function call not drawn"'
