"""The names a cell's code mentions or binds (read from its syntax tree).

Used to find a students' graph's roots, to tell whether a cell can reach a
student's classes, to refuse `-o NAME` for a name the cell assigns, and to
know what --modes re-runs must be given from earlier cells (`read_first`).
Code that does not parse (IPython syntax left in) mentions nothing.
"""
import ast
import warnings

_INNER = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def parse_quietly(code):
    """The cell's syntax tree, or None where it does not parse. Quietly: the
    cell's own run warns once of an invalid escape ('\\d') or `is` with a
    literal; these extra reads of it must not warn again (on Python 3.12+ a
    SyntaxWarning, printed once per parse)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return ast.parse(code or "")
        except SyntaxError:
            return None


_parse = parse_quietly


def bound_by_calls(code):
    """Names the cell binds to what a call returned (`y = square(x)`, `y = Square()(x)`), not
    to an attribute or a value (`g = y.grad`): only a call can have returned None by mistake."""
    tree = _parse(code)
    if tree is None:
        return set()
    return {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            for t in node.targets if isinstance(t, ast.Name)}


def sets_grads(code):
    """Whether the cell's own top-level code writes a grad (`x.grad = ...`,
    `x.grad *= 2`, `x.grad.data[0] = 0`), not a class or def it defines: the
    grads read after the cell are then not what a backward stored."""
    tree = _parse(code)
    if tree is None:
        return False
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, _INNER):
            continue
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        if any(isinstance(n, ast.Attribute) and n.attr == "grad" for t in targets for n in ast.walk(t)):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def grad_reads(code):
    """(variable, line, bound to) for each read of `variable.grad` in the
    cell (anywhere in it); `bound to`: the name when the read is the whole of
    `name = variable.grad`, else None. And the lines of its `.backward(`
    calls: ([reads], [lines])."""
    tree = _parse(code)
    if tree is None:
        return [], []
    bound = {id(n.value): n.targets[0].id for n in ast.walk(tree)
             if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)}
    reads = [(n.value.id, n.lineno, bound.get(id(n))) for n in ast.walk(tree)
             if isinstance(n, ast.Attribute) and n.attr == "grad" and isinstance(n.ctx, ast.Load)
             and isinstance(n.value, ast.Name)]
    calls = [n.lineno for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"]
    return reads, calls


def rebinds_from_itself(code, var):
    """Whether the cell binds `var` to a value computed from `var` itself
    (`x = x - gx / gx2`, `x -= lr * gx`): on a Variable that makes x the
    output of a Function, no leaf any more."""
    tree = _parse(code)
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign):
            targets, value = [node.target], None
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == var for t in targets):
            continue
        if value is None or any(isinstance(n, ast.Name) and n.id == var for n in ast.walk(value)):
            return True
    return False


def sets_attribute(code, owner, attr):
    """Whether the cell's code writes `owner.attr` anywhere in it
    (`Config.enable_backprop = False`, `+=`, or `setattr(Config,
    "enable_backprop", ...)` with the name written out): the value it had
    when the cell started then does not tell what the cell ran with."""
    tree = _parse(code)
    if tree is None:
        return False

    def is_it(node):
        return (isinstance(node, ast.Attribute) and node.attr == attr
                and isinstance(node.value, ast.Name) and node.value.id == owner)

    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        if any(is_it(t) for t in targets):
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == owner
                and isinstance(node.args[1], ast.Constant) and node.args[1].value == attr):
            return True
    return False


def _names(code):
    tree = _parse(code)
    return [] if tree is None else [n for n in ast.walk(tree) if isinstance(n, ast.Name)]


def last_expression_names(code):
    """Names in the cell's last statement when it is an expression (`y`, `print(y)`)."""
    tree = _parse(code)
    if tree is None or not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return []
    return [n.id for n in ast.walk(tree.body[-1]) if isinstance(n, ast.Name)]


def names_in(code):
    """Names the code mentions, in order of first appearance, without repeats."""
    return list(dict.fromkeys(n.id for n in _names(code)))


# match/case patterns that bind a name (`case tq`, `case [x, *rest]`,
# `case {**rest}`, `case Point() as p`); the name is None for `_` and `*_`
_PATTERNS = tuple(getattr(ast, kind) for kind in ("MatchAs", "MatchStar") if hasattr(ast, kind))
_MAPPING = getattr(ast, "MatchMapping", ())


def assigned_in(code):
    """Names the code binds anywhere in it: assignments (and `del`), loop
    targets, match/case captures, `except ... as` names, and the names of
    classes, functions and imports it defines."""
    tree = _parse(code)
    return set() if tree is None else _binds(ast.walk(tree))


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


def bound_at_top_level(code):
    """Names the code binds in its own (module) scope (`for x, t in loader:`
    included; a def's locals not), in order of first appearance: the names
    whose values the tracer notes when a backward begins (`Tracer._names_now`)."""
    tree = _parse(code)
    if tree is None:
        return []
    bound = _binds(_own(tree.body))
    return [name for name in top_level_names(code) if name in bound]


def read_first(code):
    """Names the code may read before it binds them (so their values come from
    earlier cells), in order. Follows the top level's flow: `count += 1` and
    `del n` read; a name bound in one `if` branch, a `try` body or a `case`
    is still read first where the other path reads it; a def, lambda, class
    or comprehension reads the names its body reads that are not its own
    (read where it is defined: a name in doubt counts as read first)."""
    tree = _parse(code)
    if tree is None:
        return names_in(code)
    first = []
    _flow(tree.body, set(), first)
    return list(dict.fromkeys(first))


_SCOPES = _INNER  # nodes with a scope of their own
_COMPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _inside(node):
    """The parts of a scope (def, lambda, class, comprehension) that run in it."""
    if isinstance(node, ast.Lambda):
        return [node.body]
    if isinstance(node, _COMPS):
        gens = node.generators
        ends = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        return ([g.target for g in gens] + [g.iter for g in gens[1:]]
                + [c for g in gens for c in g.ifs] + ends)
    return node.body


def _own(nodes):
    """The nodes of one scope: nested scopes are yielded but not entered
    (only their decorators, defaults, bases, first iterable run here)."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        parts = _outer_parts(node) if isinstance(node, _SCOPES) else ast.iter_child_nodes(node)
        stack.extend(reversed(list(parts)))


def _binds(nodes):
    """Names the nodes of one scope bind (assign, delete, import, define, catch)."""
    bound = set()
    for n in nodes:
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            bound.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        elif isinstance(n, _PATTERNS) and n.name is not None:
            bound.add(n.name)
        elif isinstance(n, _MAPPING) and n.rest is not None:
            bound.add(n.rest)
    return bound


def _free(scope):
    """Names a def, lambda, class or comprehension reads from outside itself
    (`global` ones included; a parameter or local of its own is not)."""
    nodes = list(_own(_inside(scope)))
    declared = {k for n in nodes if isinstance(n, (ast.Global, ast.Nonlocal)) for k in n.names}
    local = set()
    if not isinstance(scope, ast.ClassDef):  # (a class body reads before it binds: all kept)
        local = _binds(nodes) - declared
        if not isinstance(scope, _COMPS):
            args = scope.args
            every = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
            local.update(a.arg for a in every if a is not None)
    return [k for k in _reads(nodes, declared) if k not in local]


def _reads(nodes, declared=()):
    """Names the nodes of one scope read, with what their nested scopes read."""
    found = []
    for n in nodes:
        if isinstance(n, ast.Name) and (not isinstance(n.ctx, ast.Store) or n.id in declared):
            found.append(n.id)  # (a store to a `global` name: it may be `count += 1`)
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
            found.append(n.target.id)
        elif isinstance(n, _SCOPES):
            found.extend(_free(n))
    return found


def _sure(expr):
    """Walrus targets an expression surely binds (not behind `and`, `or`, `if`)."""
    stack, bound = [expr], set()
    while stack:
        node = stack.pop()
        if isinstance(node, ast.NamedExpr):
            bound.add(node.target.id)
        if isinstance(node, ast.BoolOp):
            stack.append(node.values[0])
        elif isinstance(node, ast.IfExp):
            stack.append(node.test)
        elif not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return bound


def _suppresses(with_stmt):
    # `with suppress(E): y = f()` may skip the rest of its body, as a try does
    return any("suppress" in ast.dump(item.context_expr) for item in with_stmt.items)


def _flow(body, bound, first):
    """The names surely bound after the statements `body`, given those surely
    bound before; what they may read first goes to `first`."""
    bound = set(bound)
    for stmt in body:
        bound = _step(stmt, bound, first)
    return bound


def _read(nodes, bound, first):
    first.extend(k for k in _reads(list(_own(nodes))) if k not in bound)


def _step(stmt, bound, first):
    if isinstance(stmt, (ast.If, ast.While)):
        _read([stmt.test], bound, first)
        then = _flow(stmt.body, bound | _sure(stmt.test), first)
        other = _flow(stmt.orelse, bound | _sure(stmt.test), first)
        # a loop's body is taken to run (a `for` over nothing, then a read, is rare; an
        # earlier cell's `loss` copied for every training loop that prints it after was not)
        return then if isinstance(stmt, ast.While) else then & other
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        _read([stmt.iter, stmt.target], bound, first)
        after = _flow(stmt.body, bound | _sure(stmt.iter) | _binds(_own([stmt.target])), first)
        _flow(stmt.orelse, after, first)
        return after
    if isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        tried = _flow(stmt.body, bound, first)
        ends = [_flow(stmt.orelse, tried, first)]
        for handler in stmt.handlers:  # the exception may come before any of the body's binds
            if handler.type is not None:
                _read([handler.type], bound, first)
            caught = {handler.name} if handler.name else set()
            ends.append(_flow(handler.body, bound | caught, first) - caught)
        return set.intersection(*ends) | _flow(stmt.finalbody, bound, first)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        _read([i.context_expr for i in stmt.items], bound, first)
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
        _read(targets, bound, first)
        inner = bound | _binds(_own(targets))
        after = _flow(stmt.body, inner, first)
        return inner if _suppresses(stmt) else after
    if isinstance(stmt, getattr(ast, "Match", ())):
        return _match(stmt, bound, first)
    if isinstance(stmt, ast.Delete):
        _read(stmt.targets, bound, first)
        return bound - {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    if isinstance(stmt, ast.AnnAssign) and stmt.value is None:  # `x: int` binds nothing
        _read([stmt.annotation, stmt.target], bound, first)
        return bound
    _read([stmt], bound, first)
    nodes = list(_own([stmt]))
    walrus = {id(n.target) for n in nodes if isinstance(n, ast.NamedExpr)}
    sure = {k for e in ast.iter_child_nodes(stmt) if isinstance(e, ast.expr) for k in _sure(e)}
    return bound | _binds(n for n in nodes if id(n) not in walrus) | sure


def _match(stmt, bound, first):
    _read([stmt.subject], bound, first)
    ends, total = [], False
    for case in stmt.cases:
        _read([case.pattern], bound, first)
        caught = bound | _binds(_own([case.pattern]))
        if case.guard is not None:
            _read([case.guard], caught, first)
        ends.append(_flow(case.body, caught, first))
        total = total or (case.guard is None and isinstance(case.pattern, ast.MatchAs)
                          and case.pattern.pattern is None)
    return set.intersection(*ends) if ends and total else bound | set()
