"""The op catalogue of the random graphs: elementwise, arithmetic, shape and
reduction ops, indexing, matrix products, activations, losses and two
multi-output Functions.

Each op is a function of a random_graphs.Builder that returns a plan (dezero
code, torch code, the argument names) or None where it does not apply. An op
applies only where it is differentiable at the current values with a margin
(MARGIN), because a central difference across a kink or a tie measures
nothing. Torch-side helpers with dezero's exact conventions are in TORCH_HELPERS.
"""
import numpy as np
from hypothesis import strategies as st

# Distance kept from kinks, ties and domain edges. Inputs move by 1e-4 in the
# numerical difference; the margin leaves room for the growth along a path.
MARGIN = 0.05


def away(a, points, m=MARGIN):
    return all(np.all(np.abs(a - p) > m) for p in points)


def within(a, lim):
    return np.max(np.abs(a), initial=0.0) <= lim


def _axes(ndim, axis):
    if axis is None:
        return list(range(ndim))
    return [ax % ndim for ax in (axis if isinstance(axis, tuple) else (axis,))]


def no_ties(a, axis, m=MARGIN):
    """The top two (and bottom two) of each reduced group differ by more than m."""
    if a.ndim == 0:
        return True
    red = _axes(a.ndim, axis)
    rest = [i for i in range(a.ndim) if i not in red]
    k = int(np.prod([a.shape[i] for i in red]))
    if k < 2:
        return True
    s = np.sort(np.transpose(a, rest + red).reshape(-1, k), axis=1)
    return bool(np.all(s[:, -1] - s[:, -2] > m) and np.all(s[:, 1] - s[:, 0] > m))


def broadcasts(s1, s2):
    try:
        np.broadcast_shapes(s1, s2)
        return True
    except ValueError:
        return False


def partner_shape(b, shape):
    """A shape broadcasting with `shape`: a suffix with some sides set to 1 or grown from 1,
    0-d, or one with an extra leading axis."""
    k = b.draw(st.integers(0, len(shape)))
    s = [d if b.draw(st.booleans()) else (1 if d > 1 else b.draw(st.integers(1, 3))) for d in shape[k:]]
    if len(s) == len(shape) and len(s) < 3 and b.draw(st.integers(0, 3)) == 0:
        s = [2] + s
    return tuple(s)


def operand(b, shape, pred=lambda a: True, kind="any", const_ok=True):
    """A second operand for `shape`: an earlier value (x itself included), a new
    input, or a constant ndarray (`Variable op ndarray` and `ndarray op Variable`)."""
    where = b.draw(st.sampled_from(["value", "input", "input", "const"] if const_ok else ["value", "input"]))
    if where == "value":
        n = b.pick(lambda a: broadcasts(a.shape, shape) and pred(a))
        if n is not None:
            return n
    s = partner_shape(b, shape)
    if where == "const":
        lo, hi = {"any": (-2.0, 2.0), "pos": (0.5, 2.5), "unit": (0.1, 0.9)}[kind]
        return b.rand_const(s, lo, hi)
    return b.new_input(s, kind)


def plan(code, tcode, *args, **kw):
    return dict(code=code, tcode=tcode, args=args, **kw)


# -- elementwise ---------------------------------------------------------------
UNARY = [  # (dezero, torch, where it applies)
    ("-{x}", "-{x}", lambda a: True),
    ("F.square({x})", "{x} ** 2", lambda a: within(a, 12)),
    ("F.exp({x})", "T.exp({x})", lambda a: np.max(a, initial=0) < 2.5),
    ("F.log({x})", "T.log({x})", lambda a: np.min(a, initial=1) > 0.2),
    ("F.sin({x})", "T.sin({x})", lambda a: True),
    ("F.cos({x})", "T.cos({x})", lambda a: True),
    ("F.tanh({x})", "T.tanh({x})", lambda a: True),
    ("F.sigmoid({x})", "T.sigmoid({x})", lambda a: True),
    ("F.sigmoid_simple({x})", "T.sigmoid({x})", lambda a: within(a, 30)),
    ("F.relu({x})", "T.relu({x})", lambda a: away(a, [0])),
    ("F.leaky_relu({x})", "TF.leaky_relu({x}, 0.2)", lambda a: away(a, [0])),
    ("F.leaky_relu({x}, 0.05)", "TF.leaky_relu({x}, 0.05)", lambda a: away(a, [0])),
    ("{x} ** 3", "{x} ** 3", lambda a: within(a, 5)),
    ("{x} ** 0.5", "{x} ** 0.5", lambda a: np.min(a, initial=1) > 0.2),
    ("{x} ** -1", "{x} ** -1", lambda a: away(a, [0], 0.3) and within(a, 50)),
    ("2.0 ** {x}", "2.0 ** {x}", lambda a: np.max(a, initial=0) < 4),
    ("({x} + 1.5)", "({x} + 1.5)", lambda a: True),
    ("F.dropout({x}, 0.0)", "{x}", lambda a: True),  # ratio 0 keeps every element
    ("(3 - {x})", "(3 - {x})", lambda a: True),
    ("(2 * {x})", "(2 * {x})", lambda a: True),
    ("({x} * -0.5)", "({x} * -0.5)", lambda a: True),
    ("({x} / 4)", "({x} / 4)", lambda a: True),
    ("(1.5 / {x})", "(1.5 / {x})", lambda a: away(a, [0], 0.3)),
]


def unary(b):
    code, tcode, ok = b.draw(st.sampled_from(UNARY))
    x = b.pick(ok)
    return None if x is None else plan(code.format(x=x), tcode.format(x=x), x)


def clip(b):
    lo = b.draw(st.sampled_from([-1.5, -0.5, 0.0, 0.3]))
    hi = lo + b.draw(st.sampled_from([0.5, 1.0, 2.0]))
    x = b.pick(lambda a: away(a, [lo, hi]))
    return None if x is None else plan(f"F.clip({x}, {lo}, {hi})", f"T.clamp({x}, {lo}, {hi})", x)


BINARY = [  # (operator, condition on the left value, on the right value, right operand kind)
    ("+", lambda a: True, lambda a: True, "any"),
    ("-", lambda a: True, lambda a: True, "any"),
    ("*", lambda a: within(a, 30), lambda a: within(a, 30), "any"),
    ("/", lambda a: within(a, 30), lambda a: away(a, [0], 0.3), "pos"),
    ("**", lambda a: np.min(a, initial=1) > 0.2 and np.max(a, initial=0) < 5, lambda a: within(a, 3), "any"),
]


def binary(b):
    op, ok_left, ok_right, kind = b.draw(st.sampled_from(BINARY))
    swap = b.draw(st.booleans())
    # `ndarray ** Variable` is not routed to Variable.__rpow__ by NumPy: constants go right only there.
    ok_x, ok_y = (ok_right, ok_left) if swap else (ok_left, ok_right)
    x = b.pick(ok_x)
    if x is None:
        return None
    y = operand(b, b.value(x).shape, ok_y, "pos" if swap and op in "/**" else kind,
                const_ok=not (swap and op == "**"))
    if not ok_y(np.asarray(b.recipe.values.get(y, b.recipe.consts.get(y)))):
        return None
    left, right = (y, x) if swap else (x, y)
    return plan(f"({left} {op} {right})", f"({left} {op} {right})", left, right)


# -- shapes --------------------------------------------------------------------
def _factor_shapes(n, max_ndim=3):
    out = [()] if n == 1 else []
    def grow(prefix, rest):
        if len(prefix) >= max_ndim:
            return
        for d in range(1, rest + 1):
            if rest % d == 0:
                if d == rest:
                    out.append(tuple(prefix + [d]))
                grow(prefix + [d], rest // d)
    grow([], n)
    return out


def reshape(b):
    x = b.pick()
    a = b.value(x)
    shape = b.draw(st.sampled_from(_factor_shapes(a.size)))
    if shape and b.draw(st.booleans()):
        i = b.draw(st.integers(0, len(shape) - 1))
        shape = shape[:i] + (-1,) + shape[i + 1:]
    code = b.draw(st.sampled_from(["F.reshape({x}, {s})", "{x}.reshape({s})", "{x}.reshape(*{s})"]))
    if "*" in code and not shape:
        code = "{x}.reshape({s})"
    return plan(code.format(x=x, s=shape), f"{x}.reshape({shape})", x)


def transpose(b):
    x = b.pick(lambda a: a.ndim >= 1)
    if x is None:
        return None
    nd = b.value(x).ndim
    axes = tuple(b.draw(st.permutations(range(nd))))
    form = b.draw(st.sampled_from(["F", "T", "method"]))
    if form == "T":
        return plan(f"{x}.T", f"{x}.permute({tuple(reversed(range(nd)))})", x)
    code = f"F.transpose({x}, {axes})" if form == "F" else f"{x}.transpose(*{axes})"
    if form == "method" and nd == 0:
        code = f"{x}.transpose()"
    return plan(code, f"{x}.permute({axes})", x)


def reduce_axis(b, nd):
    if nd == 0:
        return None
    kind = b.draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "int" or (kind == "tuple" and nd < 2):
        return b.draw(st.integers(-nd, nd - 1))
    if kind == "tuple":
        return tuple(sorted(b.draw(st.sets(st.integers(0, nd - 1), min_size=2, max_size=nd))))
    return None


def reduction(b):
    name = b.draw(st.sampled_from(["sum", "mean", "max", "min"]))
    x = b.pick()
    a = b.value(x)
    axis, keep = reduce_axis(b, a.ndim), b.draw(st.booleans())
    if name in ("max", "min") and not no_ties(a, axis):
        return None
    form = b.draw(st.sampled_from(["F", "method"])) if name != "mean" else "F"
    code = (f"F.{name}({x}, axis={axis}, keepdims={keep})" if form == "F"
            else f"{x}.{name}(axis={axis}, keepdims={keep})")
    return plan(code, f"t_reduce('{name}', {x}, {axis}, {keep})", x)


def sum_to(b):
    x = b.pick()
    shape = b.value(x).shape
    k = b.draw(st.integers(0, len(shape)))
    target = tuple(1 if b.draw(st.booleans()) else d for d in shape[k:])
    return plan(f"F.sum_to({x}, {target})", f"t_sum_to({x}, {target})", x)


def broadcast_to(b):
    x = b.pick(lambda a: a.ndim < 4)
    if x is None:
        return None
    shape = b.value(x).shape
    lead = tuple(b.draw(st.lists(st.integers(1, 3), max_size=3 - len(shape))))
    target = lead + tuple(b.draw(st.integers(1, 3)) if d == 1 else d for d in shape)
    return plan(f"F.broadcast_to({x}, {target})", f"{x}.broadcast_to({target})", x)


def expand_or_flatten(b):
    x = b.pick(lambda a: a.ndim < 4)
    if x is None:
        return None
    nd = b.value(x).ndim
    if nd >= 1 and b.draw(st.booleans()):
        return plan(f"F.flatten({x})", f"{x}.reshape({x}.shape[0], -1)", x)
    axis = b.draw(st.integers(-nd - 1, nd))
    return plan(f"F.expand_dims({x}, {axis})", f"{x}.unsqueeze({axis})", x)


def get_item(b):
    x = b.pick(lambda a: a.ndim >= 1)
    if x is None:
        return None
    shape = b.value(x).shape
    n = shape[0]
    kind = b.draw(st.sampled_from(["int", "slice", "fancy"] + (["pair", "last", "col"] if len(shape) > 1 else [])))
    if kind == "int":
        idx = str(b.draw(st.integers(-n, n - 1)))
    elif kind == "slice":
        lo = b.draw(st.integers(0, n - 1))
        idx = f"{lo}:{b.draw(st.integers(lo + 1, n))}:{b.draw(st.integers(1, 2))}"
    elif kind == "fancy":  # repeats accumulate in the backward (np.add.at)
        idx = b.const(np.array(b.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))))
    elif kind == "pair":
        rows = b.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
        cols = b.draw(st.lists(st.integers(0, shape[1] - 1), min_size=len(rows), max_size=len(rows)))
        idx = f"{b.const(np.array(rows))}, {b.const(np.array(cols))}"
    elif kind == "last":
        idx = f"..., {b.draw(st.integers(-shape[-1], shape[-1] - 1))}"
    else:
        idx = f":, {b.draw(st.integers(0, shape[1] - 1))}"
    code = f"{x}[{idx}]"
    if b.draw(st.booleans()) and "," not in idx and ":" not in idx and "..." not in idx:
        code = f"F.get_item({x}, {idx})"
    return plan(code, f"{x}[{idx}]", x)


# -- matrix products -----------------------------------------------------------
def matmul(b):
    x = b.pick(lambda a: a.ndim >= 1 and within(a, 30))
    if x is None:
        return None
    s = b.value(x).shape
    m = b.draw(st.integers(1, 3))
    if b.draw(st.booleans()):  # x on the left
        k = s[-1]
        opts = [(k,), (k, m)] + ([(2, k, m)] if len(s) == 2 else []) + ([(s[0], k, m)] if len(s) == 3 else [])
    else:
        k = s[0] if len(s) == 1 else s[-2]
        opts = [(k,), (m, k)] + ([(2, m, k)] if len(s) <= 2 else []) + ([(s[0], m, k)] if len(s) == 3 else [])
    if len(s) > 3:
        return None
    other_shape = b.draw(st.sampled_from(opts))
    other = b.pick(lambda a: a.shape == other_shape and within(a, 30))
    if other is None or b.draw(st.booleans()):
        other = b.new_input(other_shape)
    left, right = _order(s, other_shape, x, other)
    form = b.draw(st.sampled_from(["{a} @ {b}", "F.matmul({a}, {b})"]))
    return plan(form.format(a=left, b=right), f"T.matmul({left}, {right})", left, right)


def _order(sx, so, x, other):
    """Which operand goes left: the pair whose contracted sides match."""
    contracted = so[0] if len(so) == 1 else so[-2]
    ok = sx[-1] == contracted and broadcasts(sx[:-2], so[:-2])
    return (x, other) if ok else (other, x)


def linear(b):
    x = b.pick(lambda a: a.ndim == 2 and within(a, 30))
    if x is None:
        return None
    k, m = b.value(x).shape[1], b.draw(st.integers(1, 3))
    W = b.new_input((k, m))
    bias = b.draw(st.sampled_from([None, "input", "number"]))
    fn = b.draw(st.sampled_from(["linear", "linear_simple"]))
    if bias is None:
        return plan(f"F.{fn}({x}, {W})", f"{x} @ {W}", x, W)
    bb = b.new_input((m,)) if bias == "input" else b.rand_const((m,))
    return plan(f"F.{fn}({x}, {W}, {bb})", f"{x} @ {W} + {bb}", x, W, bb)
