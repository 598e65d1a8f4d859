"""What a node of the drawing says: a variable's text lines (label, shape,
value, grad) and the cut of a line too long for a node. Shared by the
layout, which sizes nodes by it, and the SVG renderer, which draws it."""
from dezero_magic.preview import shape_text

MAX_CHARS = 24           # longer lines are cut by the renderer
FREED_LINE = "grad freed"  # what the renderer draws for a grad retain_grad=False dropped


def var_lines(node, show_values=True, show_grads=True, show_shapes=False):
    """The text lines drawn in a variable's oval (shared with the renderer)."""
    lines = [node.label] if node.label else []
    value, grad = node.value, node.grad
    if show_shapes:
        lines.append(f"{shape_text(node.shape)} {node.dtype}")
        # A cut preview starts with the shape ("(2, 3) [1 2 …]"): said once is enough.
        value, grad = (without_shape(node, text) for text in (value, grad))
    if show_values and value:
        lines.append(value)
    if show_grads and grad is not None:
        lines.append("grad " + grad)
    return lines or [""]


def without_shape(node, text):
    """`text` (a value or grad preview) without the shape it starts with,
    when the shape is drawn on its own line (-v)."""
    prefix = shape_text(node.shape) + " "
    return text[len(prefix):] if text and text.startswith(prefix) else text


def cut(text, limit=MAX_CHARS):
    """`text` in about `limit` characters, the cut marked. In an array it cuts between
    elements, the first kept whole: "[3.973e-0…" read as 3.973 (it was 3.973e-06)."""
    if len(text) <= limit:
        return text
    start = text.find("[") if text.startswith(("(", "[", "grad (", "grad [")) else -1  # a preview, no name
    if 0 <= start < limit - 2:
        gap = text.rfind(" ", start + 1, limit - 1)
        first = min((i for i in (text.find(" ", start + 1), text.find("]", start + 1)) if i > 0), default=-1)
        end = gap if gap > start + 1 else first if 0 < first <= limit + 8 else -1
        if end > 0:
            return text if end == len(text) - 1 else text[:end] + " …"
    return text[: limit - 1] + "…"
