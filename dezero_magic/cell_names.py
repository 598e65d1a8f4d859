"""The names a cell's code mentions or binds (read from its syntax tree).

Used to find a students' graph's roots, to tell whether a cell can reach a
student's classes, and to refuse `-o NAME` for a name the cell assigns.
Code that does not parse (IPython syntax left in) mentions nothing.
"""
import ast


def _names(code):
    try:
        tree = ast.parse(code or "")
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name)]


def names_in(code):
    """Names the code mentions, in order of first appearance, without repeats."""
    return list(dict.fromkeys(n.id for n in _names(code)))


def assigned_in(code):
    """Names the code binds (assignments, loop targets, anywhere in it)."""
    return {n.id for n in _names(code) if isinstance(n.ctx, ast.Store)}
