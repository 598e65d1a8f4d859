"""Escaping for SVG/HTML text and attributes, and for DOT strings.

Names, class names and previews are user data: a variable named
`<script>` must stay text in a shared notebook.
"""
import html
import re

# Characters XML 1.0 forbids (a name may hold any Python string), and lone
# surrogates (U+D800-U+DFFF), which no UTF-8 output can encode: the kernel
# could not even send the graph.
_INVALID_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_XML_INVALID = re.compile(f"[{_INVALID_CHARS}]")
# Anything esc() would change; most labels and numbers hold none of it.
_NEEDS_ESCAPE = re.compile(f"[&<>\"'{_INVALID_CHARS}]")


def esc(text):
    """Text safe inside an SVG/HTML element or a double-quoted attribute."""
    text = str(text)
    if _NEEDS_ESCAPE.search(text) is None:
        return text  # one scan instead of six rewrites (a drawing escapes thousands of strings)
    return html.escape(_XML_INVALID.sub("\ufffd", text), quote=True)


def dot_string(text):
    """A double-quoted DOT string literal."""
    text = _XML_INVALID.sub("\ufffd", str(text))
    # (Graphviz decodes entities: a name "a &lt;b&gt;" was drawn "a <b>")
    text = text.replace("&", "&amp;")
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return '"' + text + '"'
