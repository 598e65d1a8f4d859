"""Loss Functions (steps 42, 47, 48): mean squared error and cross entropies.

Reductions follow the book: a loss is summed over every element and divided
by the batch size N = len(x) (for one output per example, the mean).
"""
import numpy as np

from dezero import cuda
from dezero.core import Function, Variable, as_variable
from dezero.functions.activation import logsumexp, sigmoid, softmax
from dezero.functions.elementwise import clip, log
from dezero.functions.tensor import reshape, sum, sum_to


def _batch_size(shape):
    return shape[0] if len(shape) > 0 else 1


class MeanSquaredError(Function):
    """sum((x0 - x1) ** 2) / N.

    Fixed from the book: its backward keeps `diff` as a constant array, so
    the second derivative was lost, and shapes that broadcast, e.g. (N, 1)
    against (N,), got grads of the broadcast shape; here the grads are
    Variable ops summed back to each input's shape.
    """

    def forward(self, x0, x1):
        if x0.shape != x1.shape:
            _check_same_shape("mean_squared_error", x0.shape, x1.shape)
        diff = x0 - x1
        self.n = _batch_size(diff.shape)
        return (diff**2).sum() / diff.dtype.type(self.n)

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        gx = gy * diff * (2.0 / max(self.n, 1))  # an empty batch: empty grads, no ZeroDivisionError
        return sum_to(gx, x0.shape), sum_to(-gx, x1.shape)


def mean_squared_error(x0, x1):
    return MeanSquaredError()(x0, x1)


def mean_squared_error_simple(x0, x1):
    """Step 42's first version, composed of dezero's functions: its graph holds
    every intermediate (step 43 replaces it with the one Function above)."""
    x0, x1 = as_variable(x0), as_variable(x1)
    _check_same_shape("mean_squared_error_simple", x0.shape, x1.shape)
    diff = x0 - x1
    return sum(diff ** 2) / len(diff)


def _check_same_shape(name, shape0, shape1):
    """Raise when broadcasting would expand both arguments: (N, 1) predictions
    against (N,) targets became an (N, N) table of differences and a plausible
    but wrong loss. A broadcast that keeps one argument's shape stays allowed:
    the book's step 59 compares y (1, 1) with t (1,), and a constant target
    may be a scalar."""
    if shape0 == shape1:
        return
    try:
        both = np.broadcast_shapes(shape0, shape1)
    except ValueError:
        both = None
    if both == shape0 or both == shape1:
        return
    hint = ""
    if len(shape0) == len(shape1) + 1 and shape0[-1:] == (1,):
        hint = ", e.g. t.reshape(-1, 1)"
    elif np.prod(shape0) == np.prod(shape1):
        hint = f", e.g. t.reshape({', '.join(map(str, shape0))})"
    raise ValueError(
        f"{name} compares its arguments element by element, got shapes {shape0} and {shape1}"
        f"{'' if both is None else f' (they would broadcast to {both}, a different loss)'}; "
        f"reshape the target to the prediction's shape{hint}"
    )


def _labels(t, n, num_classes, xp=np):
    """Class indices as a flat integer array of the scores' array module, each in [0, C)."""
    t = xp.asarray(t)
    if t.ndim == 2 and t.shape == (n, num_classes) and num_classes > 1:
        # Before, "got 4 rows of scores but 12 labels" (or a float-dtype complaint) did not say why.
        raise ValueError(
            f"softmax_cross_entropy got labels t of shape {t.shape}, the scores' shape: t looks "
            f"one-hot; pass class indices instead, t.argmax(axis=1) (shape ({n},)), one per row")
    t = t.ravel()
    if t.dtype.kind not in "iu":
        if not bool((t == t.astype(np.int64)).all()):
            raise ValueError(
                f"softmax_cross_entropy needs integer class labels t, got {t.dtype} values "
                f"such as {t[:3]}; pass class indices (e.g. t.argmax(axis=1) for one-hot)"
            )
        t = t.astype(np.int64)
    if t.shape[0] != n:
        raise ValueError(
            f"softmax_cross_entropy got {n} rows of scores but {t.shape[0]} labels; "
            "pass one class index per row"
        )
    check_label_range("softmax_cross_entropy", t, num_classes)
    return t


def check_label_range(name, t, num_classes):
    """Raise unless every label in `t` lies in [0, num_classes): a negative label
    picked a column from the end (t=-1 meant the last class) and one past the
    end failed inside NumPy's indexing. One min and one max: labels are small."""
    if t.size and (int(t.min()) < 0 or int(t.max()) >= num_classes):
        bad = t[(t < 0) | (t >= num_classes)]
        raise ValueError(
            f"{name}: labels must be integers in [0, C) (C = number of classes = "
            f"scores.shape[1] = {num_classes}); got {bad[:5].tolist()}"
            + ("; one column of scores is a binary classifier: compare (y.data > 0) with t"
               " (sigmoid scores: > 0.5) instead" if num_classes == 1 else "")
        )


class SoftmaxCrossEntropy(Function):
    """-mean over the batch of log softmax(x)[i, t_i] for scores x (N, C), labels t (N,).

    Fixed from the book: the label lookup used numpy's arange also on the
    GPU, and the grad was computed through an in-place `gy *= 1/N`.
    """

    def forward(self, x, t):
        xp = cuda.get_array_module(x)
        n = x.shape[0]
        t = _labels(t, n, x.shape[1], xp)
        log_p = x - logsumexp(x, axis=1)
        picked = log_p[xp.arange(n), t]
        return -picked.sum() / x.dtype.type(n)

    def backward(self, gy):
        x, t = self.inputs
        n, num_classes = x.shape
        xp = cuda.get_array_module(x.data)
        labels = _labels(t.data, n, num_classes, xp)
        p = softmax(x)  # (float also for integer scores)
        t_onehot = xp.eye(num_classes, dtype=p.dtype)[labels]
        gx = (p - t_onehot) * (gy * (1.0 / max(n, 1)))  # (empty batch: empty grads)
        return gx, None  # labels are not differentiable


def softmax_cross_entropy(x, t):
    x = as_variable(x)
    if x.ndim != 2:
        raise ValueError(
            f"softmax_cross_entropy expects scores of shape (N, classes), got {x.shape}"
            + ("; for one sample make it a batch of one: x.reshape(1, -1), with t = np.array([label])"
               if x.ndim == 1 else "")
        )
    return SoftmaxCrossEntropy()(x, t)


def softmax_cross_entropy_simple(x, t):
    """Step 47's version made of Variable ops (clipped so log never sees 0)."""
    from dezero.functions.indexing import get_item

    x, t = as_variable(x), as_variable(t)
    n = x.shape[0]
    p = clip(softmax(x), 1e-15, 1.0)  # (softmax explains 1-D scores)
    log_p = get_item(log(p), (np.arange(n), _labels(t.data, n, x.shape[1])))
    return -1 * sum(log_p) / n


class SigmoidCrossEntropy(Function):
    """Binary cross entropy of logits x against targets t in [0, 1], summed / N.

    The book computes log(sigmoid(x)) clipped to [1e-15, 1.0], so log(1 - p)
    is log(0) = -inf once sigmoid(x) rounds to 1. Here the loss is the
    equivalent max(x, 0) - x t + log(1 + exp(-|x|)), finite for every x, and
    its grad (sigmoid(x) - t) / N is exact (no clipping dead zone).
    """

    def forward(self, x, t):
        xp = cuda.get_array_module(x)
        loss = xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))
        return loss.sum() / x.dtype.type(_batch_size(x.shape))

    def backward(self, gy):
        x, t = self.inputs
        n = _batch_size(x.shape)
        scale = gy * (1.0 / max(n, 1))  # (empty batch: empty grads)
        gx = (sigmoid(x) - t) * scale
        gt = -x * scale  # d/dt of (-x t); t is usually data, but soft targets may learn
        return sum_to(gx, x.shape), sum_to(gt, t.shape)


def _targets_like(t, x):
    """Targets given as an array (labels) take x's float dtype: float64
    labels made a float32 model's loss and grads float64. A Variable target
    keeps its dtype (and its graph), unless it is integer (no grad to keep)."""
    plain = not isinstance(t, Variable)
    t = as_variable(t)
    if x.dtype.kind == "f" and t.dtype != x.dtype and (plain or t.dtype.kind != "f"):
        t = as_variable(t.data.astype(x.dtype))
    return t


def _targets_shaped(name, t, x, x_name="x"):
    """t reshaped to x's shape when only the number of axes differs; a t of
    another size failed with NumPy's "cannot reshape array of size 3 into
    shape (4,1)", naming neither the function nor what t must be; one of as
    many axes but another shape is refused (it would broadcast)."""
    if x.shape == t.shape:
        return t
    if x.ndim == t.ndim and x.size == t.size:
        # (4, 1) against (1, 4) broadcast to a (4, 4) loss: a number, and wrong.
        raise ValueError(
            f"{name} needs t of {x_name}'s shape: {x_name} has shape {x.shape} but t has shape "
            f"{t.shape}, so their values do not pair up (NumPy would broadcast them to another loss, "
            f"or fail); reshape t, e.g. t.reshape{x.shape}"
        )
    if t.size != x.size:
        hint = ""
        if x_name == "x" and x.ndim == 2 and x.shape[1] > 1 and t.shape == x.shape[:1]:
            hint = ("; for one class label per row of several scores use "
                    "softmax_cross_entropy(x, t) instead")
        raise ValueError(
            f"{name} needs one target t per value of {x_name}: {x_name} has shape {x.shape} "
            f"({x.size} values) but t has shape {t.shape} ({t.size} values); t must have "
            f"{x_name}'s shape {x.shape}{hint}"
        )
    return reshape(t, x.shape)


def sigmoid_cross_entropy(x, t):
    x = as_variable(x)
    t = _targets_shaped("sigmoid_cross_entropy", _targets_like(t, x), x)
    return SigmoidCrossEntropy()(x, t)


def _clip_eps(dtype):
    # 1 - 1e-15 rounds to 1.0 in float32; use a margin the dtype can hold.
    return max(1e-15, float(np.finfo(dtype).eps))


def binary_cross_entropy(p, t):
    """-sum(t log p + (1 - t) log(1 - p)) / N for probabilities p.

    p is clipped to [eps, 1 - eps] (the book clips to [1e-15, 0.999], which
    biases the loss near 1); so log never sees 0.
    """
    p = as_variable(p)
    t = _targets_shaped("binary_cross_entropy", _targets_like(t, p), p, "p")
    eps = _clip_eps(p.dtype if p.dtype.kind == "f" else np.float64)
    p = clip(p, eps, 1.0 - eps)
    tlog_p = t * log(p) + (1 - t) * log(1 - p)
    return -1 * sum(tlog_p) / _batch_size(p.shape)
