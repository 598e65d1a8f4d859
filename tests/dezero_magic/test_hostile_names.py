"""Hostile names are inert in every output (issue 7, part 3).

Variable names (`Variable(name=...)`, `.name = ...`) and Function class
names (`type('<img ...>', (Function,), {...})`) carry HTML, SVG and DOT
break-outs. Each output is parsed, not grepped: the SVG must be well-formed
XML, the HTML is read with `html.parser`, the DOT text is tokenised; in
none of them may an element, an attribute or a statement come from a
payload. Every payload carries a marker ("PWN<n>") so we can tell where
its text ended up: only in text or attribute *values* is allowed.

The widgets' HTML is checked in every state a user can reach by clicking:
every option of every selector and up to 40 presses of every button.
"""
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from IPython.utils.capture import capture_output

from student_code import STEP7

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PAYLOADS = {
    "P_IMG": "<img src=x onerror=alert('PWN1')>",
    "P_SCRIPT": "</svg><script>window.__pwned='PWN2'</script>",
    "P_ATTR": "\"'><svg onload=alert('PWN3')>",
    "P_DOT": 'PWN4" URL="javascript:alert(1)" a="\n];\nevil -> x [label="',
    "P_CTRL": "PWN5\x00\x1b]]><!--&amp;\ufffe",
}
MARKER = re.compile(r"PWN\d")
EVENT_ATTR = re.compile(r"^on", re.I)

# The same computation three ways: dezero with hostile Variable names and a
# hostile Function class, and the students' own book-style classes.
DEZERO_CELL = """\
Evil = type(P_IMG, (Function,), {'forward': lambda self, x: x * 2,
                                 'backward': lambda self, gy: gy * 2})
Evil2 = type(P_SCRIPT, (Function,), {'forward': lambda self, x: x + 1,
                                    'backward': lambda self, gy: gy})
x = Variable(np.array([1.0, 2.0]), name=P_SCRIPT)
w = Variable(np.array(3.0), name=P_ATTR)
h = Evil()(x)
h.name = P_DOT
g = Evil2()(h * w)
g.name = P_CTRL
y = F.sum(g)
y.name = P_IMG
y.backward()
"""
STUDENT_CELL = """\
Evil = type(P_SCRIPT, (Square,), {})
Evil2 = type(P_IMG, (Exp,), {})
x = Variable(np.array(0.5))
a = Evil()(x)
y = Evil2()(a)
y.grad = np.array(1.0)
y.backward()
"""


class Collector(HTMLParser):
    """Every tag, attribute and piece of text the browser would build."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.texts = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)

    def handle_data(self, data):
        self.texts.append(data)

    def handle_comment(self, data):
        self.tags.append("!--")  # a payload's "<!--" would hide the rest of the output


def check_html(markup, where):
    parser = Collector()
    parser.feed(markup)
    parser.close()
    for tag in parser.tags:
        assert not MARKER.search(tag), f"{where}: a tag came from a payload: {tag!r}"
        assert tag.lstrip("/") not in ("script", "img", "iframe", "!--"), f"{where}: <{tag}> in the output"
    for name, value in parser.attrs:
        assert not MARKER.search(name) and not EVENT_ATTR.match(name), f"{where}: attribute {name}={value!r}"
        assert not (value or "").strip().lower().startswith("javascript:"), f"{where}: {name}={value!r}"
    # <svg> and </svg> pair up: a payload's "</svg>" did not end the drawing early
    assert parser.tags.count("svg") == parser.tags.count("/svg"), where
    return parser


def check_svg(svg, where):
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "foreignObject", "image", "a"), f"{where}: <{tag}>"
        assert not MARKER.search(tag)
        for name, value in element.attrib.items():
            assert not EVENT_ATTR.match(name.rsplit("}", 1)[-1]) and not MARKER.search(name), (where, name)
            assert not value.strip().lower().startswith("javascript:"), (where, name, value)
    check_html(svg, where)  # and the HTML parser of a text/html output reads it the same way
    return root


def check_dot(dot):
    """Strip the quoted strings; what is left must be our own statements only."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', dot)
    assert not MARKER.search(bare) and "URL" not in bare and "evil" not in bare, bare
    for line in bare.splitlines()[2:-1]:
        assert re.fullmatch(r'"" \[label="", [a-z=, ]+\]|"" -> ""', line), line


def widget_html_states(view):
    """The HTML of every widget under `view`, in each state reachable by clicking."""
    import ipywidgets as widgets

    def walk(w):
        yield w
        for child in getattr(w, "children", ()) or ():
            yield from walk(child)

    def snapshot():
        found = []
        for w in walk(view):
            if isinstance(w, (widgets.HTML, widgets.HTMLMath)):
                found.append(w.value)
            if getattr(w, "description_allow_html", False):
                found.append(w.description)
            # (option labels and plain descriptions are set as text by ipywidgets' views)
        return found

    states = snapshot()
    for w in list(walk(view)):
        if isinstance(w, (widgets.Dropdown, widgets.Select, widgets.ToggleButtons, widgets.RadioButtons)):
            for index in range(len(w.options)):
                w.index = index
                states += snapshot()
        elif isinstance(w, widgets.Button):
            for _ in range(40):
                if w.disabled:
                    break
                w.click()
                states += snapshot()
    return states


@pytest.fixture
def hostile(shell):
    shell.user_ns.update(PAYLOADS)
    shell.run_cell("from dezero import Function")
    return shell


def outputs_of(shell, cell):
    with capture_output() as cap:
        result = shell.run_cell(cell)
    assert result.success, result.error_in_exec
    [out] = cap.outputs
    return out.data


@pytest.mark.parametrize("options", ["-o t", "-o t -v --rankdir TB"])
def test_dezero_names_are_inert_in_svg_html_text_and_dot(hostile, options):
    data = outputs_of(hostile, f"%%dezero {options}\n{DEZERO_CELL}")
    trace = hostile.user_ns["t"]
    assert len(trace.graph.functions) == 4  # the cell was drawn, payloads and all
    check_svg(data["image/svg+xml"], "image/svg+xml")
    check_svg(trace.svg(show_values=True, show_grads=True, show_shapes=True), "svg(all labels)")
    parser = check_html(data["text/html"], "text/html")
    # the names are there, as text a person can read
    assert any("PWN1" in t for t in parser.texts) and any("PWN2" in t for t in parser.texts)
    assert "<img src=x" in data["text/plain"]  # plain text stays plain, no entity soup
    check_dot(trace.dot())


def test_hostile_names_are_inert_in_every_widget_state(hostile):
    widgets_module = pytest.importorskip("dezero_magic.widgets")
    if not callable(getattr(widgets_module, "view_for", None)):
        pytest.skip("dezero_magic.widgets has no view_for yet")
    data = outputs_of(hostile, f"%%dezero -o t\n{DEZERO_CELL}")
    assert WIDGET_MIME in data
    view = widgets_module.view_for(hostile.user_ns["t"])
    dict(getattr(view, "views", {}))  # builds the tabs otherwise built when first opened
    states = widget_html_states(view)
    assert states and any(MARKER.search(s) for s in states)  # the names do reach the widgets
    for number, markup in enumerate(states):
        check_html(markup, f"widget HTML #{number}")


def test_student_classes_with_hostile_names_are_inert(hostile):
    hostile.run_cell(STEP7)
    data = outputs_of(hostile, f"%%dezero -o t\n{STUDENT_CELL}")
    trace = hostile.user_ns["t"]
    assert trace.source == "objects" and len(trace.graph.functions) == 2
    check_svg(data["image/svg+xml"], "student svg")
    check_html(data["text/html"], "student html")
    check_dot(trace.dot())


def test_line_magic_on_a_hostile_variable(hostile):
    hostile.run_cell(DEZERO_CELL)
    data = outputs_of(hostile, "%dezero -v y")
    check_svg(data["image/svg+xml"], "%dezero svg")
    check_html(data["text/html"], "%dezero html")


def test_a_hostile_exception_message_is_inert_in_the_notice(hostile, monkeypatch):
    """Our notices quote exception messages; those can carry a name too."""
    def broken(*args, **kwargs):
        raise RuntimeError(PAYLOADS["P_SCRIPT"])

    monkeypatch.setattr("dezero_magic.trace.render_svg", broken)
    data = outputs_of(hostile, "%%dezero\ny = F.exp(Variable(np.array(1.0)))")
    check_html(data["text/html"], "notice")
    assert "could not draw" in data["text/plain"]
