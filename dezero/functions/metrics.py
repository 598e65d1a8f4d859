"""Metrics (step 46): accuracy. Not differentiable: the result is a plain Variable."""
from dezero.core import Variable, as_array, as_variable
from dezero.functions.loss import check_label_range


def accuracy(y, t):
    """Fraction of rows whose argmax over the classes in y (N, C) equals label t (N,)."""
    y, t = as_variable(y), as_variable(t)
    if t.ndim == 2 and t.shape == y.shape and y.shape[1] > 1:
        # As softmax_cross_entropy does: the shapes alone did not say why.
        raise ValueError(
            f"accuracy got labels t of shape {t.shape}, the scores' shape: t looks one-hot; "
            f"pass class indices instead, t.argmax(axis=1) (shape ({y.shape[0]},)), one per row"
        )
    if y.ndim != 2 or y.shape[0] != t.size:
        raise ValueError(
            f"accuracy expects scores (N, classes) and N labels, got {y.shape} and {t.shape}"
        )
    # A label out of [0, C) never matches an argmax: it silently counted as wrong.
    check_label_range("accuracy", t.data, y.shape[1])
    pred = y.data.argmax(axis=1).reshape(t.shape)
    result = pred == t.data
    return Variable(as_array(result.mean()))
