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
    item = f"{expr}[{held[0]}]" if expr.isidentifier() else f"({expr})[{held[0]}]"
    if len(value) == 1:
        return (f"It holds one {type(value[0]).__name__}: a trailing comma makes such a tuple "
                f"(`y = Square()(x),`, or `return Neg()(x),` in a function); remove the comma, or give "
                f"{option} {item}")
    return f"It holds {len(value)} items: give one of them, e.g. {option} {item}"
