"""Renderers: pure functions Graph (+ Layout) -> SVG, text, DOT strings."""
from dezero_magic.render.dot import to_dot  # noqa: F401
from dezero_magic.render.svg import render_svg  # noqa: F401
from dezero_magic.render.text import render_text  # noqa: F401
