"""A tuple where `%dezero EXPR` or `-b EXPR` wants a Variable: most often a
stray trailing comma, `y = Square()(x),`, or a one-output function that
ends `return Neg()(x),`; or a function with several outputs."""
from dezero_magic.links import is_variable_like

# Items looked at for a Variable: a tuple that holds one is short.
ITEMS_LOOKED_AT = 64


def tuple_hint(expr, value, option="%dezero"):
    """The sentence (no final period) that says which item to give and
    where a 1-tuple comes from, for `option` ("%dezero" or "-b"); "" when
    `value` is no tuple holding a Variable."""
    if not isinstance(value, tuple):
        return ""
    held = [i for i, item in enumerate(value[:ITEMS_LOOKED_AT]) if is_variable_like(item)]
    if not held:
        return ""
    items = [f"{expr}[{i}]" if expr.isidentifier() else f"({expr})[{i}]" for i in held]
    item = items[0]
    if len(value) == 1:
        return (f"It holds one {type(value[0]).__name__}: a trailing comma makes such a tuple "
                f"(`y = Square()(x),`, or `return Neg()(x),` in a function); remove the comma, or give "
                f"{option} {item}")
    if len(held) == 1:  # name it: "give one of them" would offer the 5 in (5, y) too
        return f"It holds {len(value)} items, and only {item} is a Variable: give {option} {item}"
    if len(held) == len(value):
        return f"It holds {len(value)} items, all Variables: give one of them, e.g. {option} {item}"
    named = ", ".join(items[:4]) + (", ..." if len(items) > 4 else "")
    return (f"It holds {len(value)} items, of which {named} are Variables: give one of them, "
            f"e.g. {option} {item}")
