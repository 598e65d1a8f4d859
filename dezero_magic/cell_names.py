"""The names a cell's code mentions or binds (read from its syntax tree).

Used to find a students' graph's roots, to tell whether a cell can reach a
student's classes, and to refuse `-o NAME` for a name the cell assigns.
Code that does not parse (IPython syntax left in) mentions nothing.
"""
import ast

_INNER = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _parse(code):
    try:
        return ast.parse(code or "")
    except SyntaxError:
        return None


def _names(code):
    tree = _parse(code)
    return [] if tree is None else [n for n in ast.walk(tree) if isinstance(n, ast.Name)]


def names_in(code):
    """Names the code mentions, in order of first appearance, without repeats."""
    return list(dict.fromkeys(n.id for n in _names(code)))


# match/case patterns that bind a name (`case tq`, `case [x, *rest]`,
# `case {**rest}`, `case Point() as p`); the name is None for `_` and `*_`
_PATTERNS = tuple(getattr(ast, kind) for kind in ("MatchAs", "MatchStar") if hasattr(ast, kind))
_MAPPING = getattr(ast, "MatchMapping", ())


def assigned_in(code):
    """Names the code binds anywhere in it: assignments, loop targets,
    match/case captures, and the names of classes, functions and imports it
    defines."""
    tree = _parse(code)
    if tree is None:
        return set()
    bound = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            bound.add(n.id)
        elif isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            bound.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, _PATTERNS) and n.name is not None:
            bound.add(n.name)
        elif isinstance(n, _MAPPING) and n.rest is not None:
            bound.add(n.rest)
    return bound


def _outer_parts(node):
    """The parts of a def, lambda, class or comprehension that run in the
    enclosing scope: decorators, defaults, annotations, bases, and a
    comprehension's first iterable."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        defaults = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
        if isinstance(node, ast.Lambda):
            return defaults
        every = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
        notes = [a.annotation for a in every if a is not None and a.annotation is not None]
        return node.decorator_list + defaults + notes + ([node.returns] if node.returns else [])
    if isinstance(node, ast.ClassDef):
        return node.decorator_list + node.bases + [k.value for k in node.keywords]
    return [node.generators[0].iter]


def top_level_names(code):
    """Names the code reads or binds in its own (module) scope, in order of
    first appearance: a students' graph's roots. Names local to a def,
    lambda, class body or comprehension are left out (book code reuses x,
    x0, x1 as parameters: `def add(x0, x1)` must not pull in an earlier
    cell's x0); names a def declares `global` are kept."""
    tree = _parse(code)
    if tree is None:
        return []
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            found.append(node.id)
        if isinstance(node, _INNER):
            stack.extend(reversed(_outer_parts(node)))
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
    declared = (name for g in ast.walk(tree) if isinstance(g, ast.Global) for name in g.names)
    return list(dict.fromkeys(found + list(declared)))


def read_first(code):
    """Names the code may read before it binds them (so their values come from
    earlier cells): names loaded or deleted in a top-level statement no
    earlier statement binds. Over-inclusive inside a statement (`y = f(y)`,
    a def's body): a name in doubt counts as read first."""
    tree = _parse(code)
    if tree is None:
        return names_in(code)
    bound, first = set(), []
    for stmt in tree.body:
        nodes = list(ast.walk(stmt))
        for n in nodes:
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store) and n.id not in bound:
                first.append(n.id)
        for n in nodes:
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                bound.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n in tree.body:
                bound.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in n.names)
    return list(dict.fromkeys(first))
