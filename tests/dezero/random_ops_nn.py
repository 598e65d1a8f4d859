"""The rest of the op catalogue: softmax family, losses, batch norm, convolution
and pooling, the multi-output Functions; the torch helpers with dezero's
conventions; and the op lists the tests draw from."""
import numpy as np
from hypothesis import strategies as st

from tests.dezero import random_ops as R


def softmax(b):
    x = b.pick(lambda a: a.ndim >= 1)
    if x is None:
        return None
    nd = b.value(x).ndim
    axis = b.draw(st.integers(-nd, nd - 1))
    fn = b.draw(st.sampled_from(["softmax", "log_softmax", "softmax_simple"]))
    if fn == "softmax_simple" and not R.within(b.value(x), 20):
        return None
    tfn = "log_softmax" if fn == "log_softmax" else "softmax"
    if nd >= 2 and b.draw(st.booleans()):  # the book's default axis=1
        return R.plan(f"F.{fn}({x})", f"T.{tfn}({x}, 1)", x)
    return R.plan(f"F.{fn}({x}, axis={axis})", f"T.{tfn}({x}, {axis})", x)


def loss(b):
    kind = b.draw(st.sampled_from(["mse", "softmax_ce", "sigmoid_ce", "bce"]))
    if kind == "mse":
        x = b.pick()
        xs = b.value(x).shape
        # mean_squared_error rejects a pair that broadcasting expands on both sides ((N, 1)
        # against (N,) made an (N, N) loss): the target keeps x's shape or broadcasts into it.
        where = b.draw(st.sampled_from(["value", "input", "const"]))
        if where == "value":  # x itself always qualifies
            y = b.pick(lambda a: R.broadcasts(a.shape, xs)
                       and np.broadcast_shapes(a.shape, xs) in (a.shape, xs))
        else:
            y = b.new_input(xs) if where == "input" else b.rand_const(xs)
        return R.plan(f"F.mean_squared_error({x}, {y})", f"t_mse({x}, {y})", x, y)
    if kind == "softmax_ce":
        x = b.pick(lambda a: a.ndim == 2)
        if x is None:
            return None
        n, c = b.value(x).shape
        t = b.const(np.array(b.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))))
        fn = b.draw(st.sampled_from(["softmax_cross_entropy", "softmax_cross_entropy_simple"]))
        return R.plan(f"F.{fn}({x}, {t})", f"TF.cross_entropy({x}, {t})", x)
    if kind == "sigmoid_ce":
        x = b.pick(lambda a: a.ndim >= 1)
        if x is None:
            return None
        t = b.rand_const(b.value(x).shape, 0.0, 1.0)
        return R.plan(f"F.sigmoid_cross_entropy({x}, {t})", f"t_sigmoid_ce({x}, {t})", x)
    # binary cross entropy of probabilities kept off its clipping edges
    p = b.pick(lambda a: a.ndim >= 1 and np.all(a > 0.05) and np.all(a < 0.95))
    if p is None:
        return None
    t = b.rand_const(b.value(p).shape, 0.0, 1.0)
    return R.plan(f"F.binary_cross_entropy({p}, {t})", f"t_bce({p}, {t})", p)


def batch_norm(b):
    def ok(a):
        if a.ndim not in (2, 4) or a.shape[0] < 2:
            return False
        rows = a.reshape(-1, a.shape[1]) if a.ndim == 2 else a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])
        return bool(np.all(rows.var(axis=0) > 0.1))
    x = b.pick(ok)
    if x is None:
        return None
    c = b.value(x).shape[1]
    g, bb = b.new_input((c,), "pos"), b.new_input((c,))
    return R.plan(f"F.batch_norm({x}, {g}, {bb}, np.zeros({c}), np.ones({c}))",
                  f"TF.batch_norm({x}, None, None, {g}, {bb}, training=True, eps=2e-5)", x, g, bb)


def _image(b):
    x = b.pick(lambda a: a.ndim == 4 and a.shape[2] >= 2 and a.shape[3] >= 2 and R.within(a, 30))
    if x is None or b.draw(st.booleans()):
        x = b.new_input((b.draw(st.integers(1, 2)), b.draw(st.integers(1, 2)),
                         b.draw(st.integers(2, 4)), b.draw(st.integers(2, 4))))
    return x


def _windows_untied(a, k, s):
    """Every k x k window (stride s, no padding) has a unique max, by MARGIN."""
    w = np.lib.stride_tricks.sliding_window_view(a, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    top = np.sort(w.reshape(-1, k * k), axis=1)
    return bool(np.all(top[:, -1] - top[:, -2] > R.MARGIN))


def conv(b):
    x = _image(b)
    n, c, h, w = b.value(x).shape
    kind = b.draw(st.sampled_from(["conv2d", "conv2d_simple", "deconv2d", "pooling", "pooling_simple",
                                   "average_pooling", "im2col"]))
    k = b.draw(st.integers(1, min(h, w)))
    s, p = b.draw(st.integers(1, 2)), b.draw(st.integers(0, k // 2))
    if kind in ("conv2d", "conv2d_simple", "deconv2d"):
        oc = b.draw(st.integers(1, 2))
        W = b.new_input((c, oc, k, k) if kind == "deconv2d" else (oc, c, k, k))
        bias = b.new_input((oc,)) if b.draw(st.booleans()) else None
        if kind == "deconv2d" and min(s * (h - 1) + k - 2 * p, s * (w - 1) + k - 2 * p) < 1:
            return None
        tfn = "conv_transpose2d" if kind == "deconv2d" else "conv2d"
        args = (x, W) if bias is None else (x, W, bias)
        return R.plan(f"F.{kind}({x}, {W}, {bias}, stride={s}, pad={p})",
                      f"TF.{tfn}({x}, {W}, {bias}, stride={s}, padding={p})", *args)
    if kind in ("pooling", "pooling_simple"):
        if k < 2 or not _windows_untied(b.value(x), k, s):
            return None
        return R.plan(f"F.{kind}({x}, {k}, stride={s})", f"TF.max_pool2d({x}, {k}, stride={s})", x)
    if kind == "average_pooling":
        return R.plan(f"F.average_pooling({x}, {k}, stride={s}, pad={p})",
                      f"TF.avg_pool2d({x}, {k}, stride={s}, padding={p})", x)
    return R.plan(f"F.im2col({x}, {k}, stride={s}, pad={p})", f"t_im2col({x}, {k}, {s}, {p})", x)


def embed_id(b):
    """Rows of a new weight matrix picked by integer ids (repeats accumulate)."""
    v, d = b.draw(st.integers(2, 4)), b.draw(st.integers(1, 3))
    W = b.new_input((v, d))
    ids = b.const(np.array(b.draw(st.lists(st.integers(0, v - 1), min_size=1, max_size=4))))
    return R.plan(f"F.embed_id({ids}, {W})", f"TF.embedding({ids}, {W})", W)


def multi_output(b):
    """SinCos (two outputs of one shape) or Split (two shapes); sometimes one is dropped."""
    if b.draw(st.booleans()):
        x = b.pick()
        code, tcode = f"SinCos()({x})", f"(T.sin({x}), T.cos({x}))"
    else:
        x = b.pick(lambda a: a.ndim >= 1 and a.shape[0] >= 2)
        if x is None:
            return None
        k = b.draw(st.integers(1, b.value(x).shape[0] - 1))
        code, tcode = f"Split({k})({x})", f"({x}[:{k}], {x}[{k}:])"
    keep = b.draw(st.sampled_from([(0, 1), (0,), (1,)]))
    return R.plan(code, tcode, x, n_out=2, keep=keep)


# -- torch with dezero's conventions (the oracle side only) --------------------
def _batch(t):
    return t.shape[0] if t.ndim else 1


def t_reduce(name, x, axis, keepdims):
    import torch

    dims = tuple(range(x.ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    if x.ndim == 0:
        return x * 1.0
    fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[name]
    return fn(x, dim=dims, keepdim=keepdims)


def t_sum_to(x, shape):
    lead = x.ndim - len(shape)
    if lead:
        x = x.sum(dim=tuple(range(lead)))
    dims = tuple(i for i, d in enumerate(shape) if d == 1 and x.shape[i] != 1)
    return x.sum(dim=dims, keepdim=True) if dims else x


def t_mse(a, b):
    d = a - b
    return (d**2).sum() / _batch(d)


def t_sigmoid_ce(x, t):
    import torch

    return torch.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="sum") / _batch(x)


def t_bce(p, t):
    import torch

    return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).sum() / _batch(p)


def t_im2col(x, k, s, p):
    import torch

    cols = torch.nn.functional.unfold(x, k, padding=p, stride=s)  # (N, C*k*k, L)
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])


TORCH_HELPERS = {f.__name__: f for f in (t_reduce, t_sum_to, t_mse, t_sigmoid_ce, t_bce, t_im2col)}

# Elementwise ops are listed several times: most graphs are mostly elementwise.
ALL_OPS = [R.unary, R.unary, R.unary, R.clip, R.binary, R.binary, R.binary, R.reshape, R.transpose,
           R.reduction, R.reduction, R.sum_to, R.broadcast_to, R.expand_or_flatten, R.get_item,
           R.get_item, R.matmul, R.linear, softmax, loss, batch_norm, conv, embed_id, multi_output,
           multi_output]
# Layers' ops: products, activations, losses, normalisation, convolution.
NN_OPS = [R.matmul, R.linear, softmax, loss, loss, batch_norm, conv, conv, embed_id, R.unary, R.reduction]

# Multi-output Functions and fan-out among cheap ops: many outputs kept, dropped
# and reused in one graph.
FAN_OPS = [multi_output, multi_output, R.unary, R.binary, R.binary, R.reduction, R.get_item]
