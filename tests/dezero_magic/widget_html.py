"""Reading the views' HTML/SVG in tests: node classes, node texts, view lookup."""
import html
import re

NODE = re.compile(r'<g class="([^"]*)" data-node-id="([^"]*)">(.*?)</g>', re.S)
TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def nodes(svg):
    """{node id: (classes set, [texts])} of the nodes in an SVG string."""
    out = {}
    for classes, nid, body in NODE.findall(svg):
        out[html.unescape(nid)] = (set(classes.split()), [html.unescape(t) for t in TEXT.findall(body)])
    return out


def highlighted(svg, kind="dz-func"):
    return [nid for nid, (cls, _) in nodes(svg).items() if kind in cls and "dz-highlight" in cls]


def edge_highlights(svg):
    return set(re.findall(r'class="dz-edge dz-highlight" data-src="([^"]*)" data-dst="([^"]*)"', svg))


def var_id(trace, label):
    return next(v.id for v in trace.graph.variables.values() if v.label == label)


def run_traced(shell, code, flags=""):
    """Run `%%dezero -o _t [flags]` + code; the Trace."""
    result = shell.run_cell(f"%%dezero -o _t {flags}\n" + code)
    assert result.success, result.error_in_exec
    return shell.user_ns["_t"]


def text_of(fragment):
    """Visible text of an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))
