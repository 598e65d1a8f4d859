"""What Python's number protocols do with a Variable (not in the book).

A training loop prints its loss: `f"{loss:.4f}"` now formats the number a
one-element Variable holds (it raised "unsupported format string passed to
Variable.__format__"); `float(loss)`, `"%.4f" % loss`, `round(loss, 3)` and
math.exp(v) still refuse (a float has no graph: math.exp(x) in place of
F.exp(x) would cut it without a word), but say what to write; so do int(v),
abs(v), +v, ~v and the operators dezero has no Function for (// % divmod
< <= > >= & | ^ << >>), where Python named none. Installed on import
(dezero/__init__ imports this module).
"""
import numbers

import numpy as np

from dezero.core import Variable


def _format(self, spec):
    if not spec:
        return str(self)
    data = self.data
    if isinstance(data, np.ndarray) and data.size == 1:
        return format(data.item(), spec)
    shape = getattr(data, "shape", None)
    raise TypeError(f"format spec {spec!r} needs one number, and this Variable holds an array of shape {shape}: "
                    f"format one of its numbers (f'{{v.data[0]:{spec}}}') or the array (np.round(v.data, 4))")


def _float(self):
    raise TypeError("float(v) of a dezero Variable (also '%.4f' % v, and math.exp(v) & co.): a Python float has no "
                    "graph. For the number, use v.data.item() (v.data is the ndarray inside); to compute with "
                    "gradients, use dezero.functions (F.exp(v), not math.exp(v)); to print a one-number "
                    "Variable, f'{v:.4f}' works")


def _round(self, ndigits=None):
    raise TypeError("round(v) of a dezero Variable: round its array, np.round(v.data, 3) (no gradients), or "
                    "print it with f'{v:.3f}'")


Variable.__format__ = _format
Variable.__float__ = _float
Variable.__round__ = _round


# Operators dezero has no Function for. Python said only "unsupported operand type(s) for //:
# 'Variable' and 'int'"; each now says what to write instead. (`==`, `!=` and hash stay
# identity: the tracer and users keep Variables in dicts and sets.)

# What the refusals speak for; any other right operand may have its own reflected operator.
_OPERANDS = (Variable, numbers.Number, np.generic, np.ndarray, list, tuple)


def _shown(other, data=""):
    """How `other` is written in a suggested expression: w for a Variable, a number as itself."""
    if isinstance(other, Variable):
        return "w" + data
    if isinstance(other, (int, float, np.generic)) and not isinstance(other, bool):
        return str(other)
    return "c"


def _refusal(symbol, what, hint, reflected_hint):
    def written(left, right):
        return f"divmod({left}, {right})" if symbol == "divmod" else f"{left} {symbol} {right}"

    def refuse(other, a, b, a_data, b_data, hint):
        arrays = "arrays" if isinstance(other, Variable) else "array"
        who = "dezero Variables v and w" if isinstance(other, Variable) else "a dezero Variable v"
        if _shown(other) == "c":
            who += f" and c of type {type(other).__name__}"
        raise TypeError(f"{written(a, b)} with {who}: dezero has no {what} for Variables. For the "
                        f"value, use the {arrays}: {written(a_data, b_data)} (NumPy, no gradient)"
                        + hint.format(c=_shown(other), c_data=_shown(other, ".data")))

    def left(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented  # (an object of the user's with its own reflected operator: its call)
        refuse(other, "v", _shown(other), "v.data", _shown(other, ".data"), hint)

    def right(self, other):
        refuse(other, _shown(other), "v", _shown(other, ".data"), "v.data", reflected_hint)
    return left, right


_MASK = ("; to keep the graph where a condition holds, multiply by its mask: "
         "v * (v.data > 0). (`==` and `!=` on Variables test identity, the same object, not values)")
_BITS = "; for masks, combine conditions: (v.data > 0) & (v.data < 1)"
_FLOOR = "; its derivative is 0 almost everywhere"
_REMAINDER = "; v - (v.data // {c_data}) * {c} is v % {c} with gradient 1"
# symbol: (what dezero lacks, hint, hint when the Variable is on the right, method, reflected method)
# (a comparison's reflection is its mirror: `2 < v` calls v.__gt__(2), so it is written v > 2)
_REFUSED = {
    "//": ("floor division", _FLOOR, _FLOOR, "floordiv", "rfloordiv"),
    "%": ("remainder", _REMAINDER, "", "mod", "rmod"), "divmod": ("divmod", _FLOOR, _FLOOR, "divmod", "rdivmod"),
    "<": ("comparison", _MASK, _MASK, "lt", None), ">": ("comparison", _MASK, _MASK, "gt", None),
    "<=": ("comparison", _MASK, _MASK, "le", None), ">=": ("comparison", _MASK, _MASK, "ge", None),
    "&": ("bitwise and", _BITS, _BITS, "and", "rand"), "|": ("bitwise or", _BITS, _BITS, "or", "ror"),
    "^": ("bitwise xor", _BITS, _BITS, "xor", "rxor"),
    "<<": ("shift", _BITS, _BITS, "lshift", "rlshift"), ">>": ("shift", _BITS, _BITS, "rshift", "rrshift"),
}


def _abs(self):
    raise TypeError("abs(v) of a dezero Variable: dezero has no abs Function. For the value, use abs(v.data) "
                    "(NumPy, no gradient); for a differentiable |v| write F.relu(v) + F.relu(-v) (gradient "
                    "sign(v), 0 at 0), with `import dezero.functions as F`")


def _unary(symbol, advice):
    def refuse(self):
        raise TypeError(f"{symbol}v of a dezero Variable v is not defined: {advice}")
    return refuse


def _int(self):
    raise TypeError("int(v) of a dezero Variable (also math.trunc(v)): a Python int has no graph. For "
                    "the number, use int(v.data.item()) (v.data is the ndarray inside); to print it, f'{v:.0f}'")


for _symbol, (_what, _hint, _reflected_hint, _name, _reflected) in _REFUSED.items():
    _left, _right = _refusal(_symbol, _what, _hint, _reflected_hint)
    setattr(Variable, f"__{_name}__", _left)
    if _reflected is not None:
        setattr(Variable, f"__{_reflected}__", _right)
Variable.__abs__ = _abs
Variable.__pos__ = _unary("+", "write v itself (or v * 1 for a new Variable in the graph)")
Variable.__invert__ = _unary("~", "bit operations have no gradient; for the opposite of a mask write "
                                  "~(v.data > 0), or 1 - mask for a 0/1 array")
Variable.__int__ = Variable.__trunc__ = _int
