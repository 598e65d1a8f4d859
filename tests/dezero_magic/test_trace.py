"""The Trace display object, without IPython."""
import sys
import types

import pytest

from dezero_magic.trace import WIDGET_MIME, Trace

from graphs import diamond


def test_bundle_has_svg_html_and_text():
    trace = Trace(diamond(), static=True)
    bundle = trace._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert bundle["image/svg+xml"].startswith("<svg")
    assert "<svg" in bundle["text/html"] and "4 functions, 5 variables" in bundle["text/html"]
    assert bundle["text/plain"].startswith("dezero graph: 4 functions")
    assert set(trace._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert "image/svg+xml" not in trace._repr_mimebundle_(exclude=["image/svg+xml"])


def test_incomplete_graph_is_marked_in_the_caption():
    g = diamond()
    g.complete = False
    html = Trace(g, static=True)._repr_mimebundle_()["text/html"]
    assert "INCOMPLETE" in html


def test_notes_are_escaped_in_html():
    g = diamond()
    g.notes.append("<script>x</script>")
    html = Trace(g, static=True).html()
    assert "<script>" not in html and "&lt;script&gt;" in html


class FakeView:
    def __init__(self, trace):
        self.trace = trace

    def _repr_mimebundle_(self, **kwargs):
        return {"text/plain": "view", WIDGET_MIME: {"model_id": "abc", "version_major": 2}}


@pytest.fixture
def fake_widgets(monkeypatch):
    module = types.ModuleType("dezero_magic.widgets")
    monkeypatch.setitem(sys.modules, "dezero_magic.widgets", module)
    return module


def test_widget_view_is_merged_and_static_content_kept(fake_widgets):
    fake_widgets.view_for = FakeView
    bundle = Trace(diamond())._repr_mimebundle_()
    assert bundle[WIDGET_MIME] == {"model_id": "abc", "version_major": 2}
    assert bundle["image/svg+xml"].startswith("<svg") and bundle["text/plain"].startswith("dezero graph")


def test_static_turns_widgets_off(fake_widgets):
    fake_widgets.view_for = FakeView
    assert WIDGET_MIME not in Trace(diamond(), static=True)._repr_mimebundle_()


def test_a_failing_widget_falls_back_to_the_static_bundle(fake_widgets):
    def broken(trace):
        raise RuntimeError("widget bug")

    fake_widgets.view_for = broken
    bundle = Trace(diamond())._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and bundle["image/svg+xml"].startswith("<svg")
    assert "widget bug" in bundle["text/html"]


def test_a_renderer_fault_gives_a_short_notice():
    g = diamond()
    g.functions["A"].inputs.append("missing")  # an edge to a node that does not exist
    g.variables["x"].shape = None              # and a shape the tooltip cannot format
    bundle = Trace(g, static=True)._repr_mimebundle_()
    assert "could not draw" in bundle["text/plain"]


def test_caption_counts_read_in_the_singular_for_one():
    from dezero_magic.graph import BackwardStep, FuncNode, Graph, VarNode

    g = Graph()
    g.variables["v0"] = VarNode(id="v0", label="x")
    g.variables["v1"] = VarNode(id="v1", label="y", generation=1)
    g.functions["f0"] = FuncNode(id="f0", op="Exp", inputs=["v0"], outputs=["v1"])
    g.steps = [BackwardStep(index=0, func="f0")]
    g.elided_functions = g.unrecorded_steps = g.elided_steps = 1
    g.pass_steps = 2
    assert Trace(g, static=True).caption() == (
        "1 function, 2 variables; 1 of 2 backward steps drawn (1 farthest from the output not recorded); "
        "1 function call not drawn; 1 earlier backward step not kept")


def test_caption_counts_add_up_for_a_long_pass():
    # 5,000 steps: 99 drawn, 1,101 recorded for functions not drawn, 3,800 not
    # recorded -- the caption gives the pass's total, so nothing is unaccounted.
    from dezero_magic.graph import BackwardStep, FuncNode, Graph, VarNode

    g = Graph()
    for i in range(100):
        g.variables[f"v{i}"] = VarNode(id=f"v{i}", label=f"v{i}", generation=i)
    for i in range(99):
        g.functions[f"f{i}"] = FuncNode(id=f"f{i}", op="Mul", inputs=[f"v{i}"], outputs=[f"v{i + 1}"])
    g.steps = [BackwardStep(index=i, func=f"f{98 - i}") for i in range(99)]
    g.pass_steps, g.unrecorded_steps, g.elided_functions = 5000, 3800, 4901
    caption = Trace(g, static=True).caption()
    assert caption == ("99 functions, 100 variables; 99 of 5,000 backward steps drawn (3,800 farthest from "
                       "the output not recorded); 4,901 function calls not drawn")
    assert Trace(g, static=True).text().splitlines()[0] == "dezero graph: " + caption


def test_each_copy_of_the_svg_has_ids_of_its_own():
    # 02's "two orders" cell shows old.svg() under old's own widget: shared
    # marker ids let the hidden copy take the arrowheads with it.
    import re

    from dezero_magic.graph import FuncNode, Graph, VarNode

    g = Graph()
    g.variables["v0"] = VarNode(id="v0", label="x", grad="1", grad_absmax=1.0)
    g.variables["v1"] = VarNode(id="v1", label="y", generation=1, grad="1", grad_absmax=1.0)
    g.functions["f0"] = FuncNode(id="f0", op="Exp", inputs=["v0"], outputs=["v1"])
    t = Trace(g, static=True)
    first, second = t.svg(), t.svg()
    ids = [set(re.findall(r'id="(dz[0-9a-f]+n\d+-\w+)"', svg)) for svg in (first, second)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    for svg, defined in zip((first, second), ids):
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= defined
    assert re.sub(r"dz[0-9a-f]+n\d+-", "", first) == re.sub(r"dz[0-9a-f]+n\d+-", "", second)   # the same drawing
    # the ids carry this process's mark (a restarted kernel's drawings share the page with the old)
    from dezero_magic.render import svg as svg_module
    assert all(i.startswith(f"dz{svg_module._RUN}n") for i in ids[0] | ids[1])
    # the user's text is not an id: a label that reads like the drawing's own is left as it is
    from dezero_magic.render.svg import with_fresh_ids
    own = next(iter(ids[0])).rsplit("-", 1)[0]
    assert ">x<" in first
    labelled = first.replace(">x<", f">#{own}-a<")
    fresh = with_fresh_ids(labelled)
    assert f">#{own}-a<" in fresh and f'id="{own}-' not in fresh


def test_a_variable_gone_after_the_cell_shows_the_grad_its_pass_recorded(shell):
    # retain_grad keeps the intermediate grads; `del y` then frees y and the square
    # (nothing else holds them): their grads are known from the recorded steps only.
    shell.run_cell("%%dezero -o _t --static\nx = Variable(np.array(2.0), name='x')\n"
                   "y = F.exp(F.square(x))\ny.backward(retain_grad=True)\ndel y")
    g = shell.user_ns["_t"].graph
    gone = {v.id: v.grad for v in g.variables.values() if not v.alive}
    assert sorted(gone.values()) == ["1", "54.6"], gone


def test_the_svg_alone_says_when_the_graph_is_incomplete_or_cut(shell):
    import xml.etree.ElementTree as ET

    from IPython.utils.capture import capture_output

    ns = {"s": "http://www.w3.org/2000/svg"}
    with capture_output():
        shell.run_cell("%%dezero -o _t --static --max-nodes 20\nx = Variable(np.array(0.5))\ny = x\n"
                       "for i in range(50):\n    y = F.sin(y)\ny.backward()")
    svg = shell.user_ns["_t"]._repr_mimebundle_()["image/svg+xml"]
    root = ET.fromstring(svg)  # still one well-formed SVG
    caption = root.find(".//s:text[@class='dz-svg-caption']", ns)
    assert "not drawn" in caption.text and float(caption.get("y")) < float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    with capture_output():
        shell.run_cell("%%dezero -o _t --static\nx = Variable(np.array(0.5))\ny = F.exp(x)\nraise ValueError('late')")
    svg = shell.user_ns["_t"]._repr_mimebundle_()["image/svg+xml"]
    caption = ET.fromstring(svg).find(".//s:text[@class='dz-svg-caption']", ns)
    assert caption.text.startswith("INCOMPLETE") and caption.get("font-weight") == "bold"
    assert "dz-svg-caption" not in shell.user_ns["_t"].html()  # the HTML has its own caption


def test_the_html_carries_a_picture_of_the_svg_for_untrusted_viewers_up_to_a_size(monkeypatch):
    # An untrusted JupyterLab strips <style> and inline SVG: the picture (a data: URL
    # background) shows there, the <style> keeps it hidden everywhere else.
    import base64
    import re

    import dezero_magic.trace as trace_module

    t = Trace(diamond(), static=True)
    html = t._repr_mimebundle_()["text/html"]
    box = re.search(r'class="dz-trace" id="(dz-static-[0-9a-f]{12})"', html).group(1)
    assert f"#{box} > .dz-figure{{display:flex !important}}" in html and "display:none;flex-direction" in html
    assert "flex-direction:row-reverse" in html  # a wide graph shows its output end first, as the widgets do
    data = re.search(r"url\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", html).group(1)
    picture, svg = base64.b64decode(data).decode(), t.svg()
    unique_ids = re.compile(r'dz[0-9a-f]+n\d+-')  # each drawing gets its own marker ids
    assert unique_ids.sub("", picture) == unique_ids.sub("", svg)
    assert "<img" not in html
    # a graph whose SVG is over the cap: no picture, the figure shown as before
    monkeypatch.setattr(trace_module, "PICTURE_MAX_CHARS", 10)
    html = Trace(diamond(), static=True)._repr_mimebundle_()["text/html"]
    assert "dz-untrusted" not in html and "display:none" not in html
