"""Dropout (step 54): inverted dropout, on only while dezero.Config.train is True."""
import numbers

from dezero import cuda
from dezero.config import Config
from dezero.core import Variable, as_variable


def dropout(x, dropout_ratio=0.5):
    """Zero each element with probability `dropout_ratio` and scale the rest by 1/(1-ratio).

    Scaling at train time (inverted dropout) keeps the expected value, so in
    test mode (`with dezero.test_mode():`) x passes through unchanged.
    """
    _check_ratio(dropout_ratio)
    x = as_variable(x)
    if not Config.train:
        return x
    xp = cuda.get_array_module(x)
    # random_sample(shape), not rand(*shape): rand() of a 0-d shape is a float, not an array.
    mask = xp.random.random_sample(x.shape) > dropout_ratio
    # In a float dtype: int64(1 - 0.5) was 0, and mask / 0 made every entry NaN for integer x.
    dtype = x.dtype if x.dtype.kind in "fc" else xp.result_type(x.dtype, xp.float32)
    scale = mask.astype(dtype) / dtype.type(1.0 - dropout_ratio)
    return x * scale


def _check_ratio(ratio):
    """dropout(x, '0.5') failed with "'<=' not supported between instances of
    'float' and 'str'"; a ratio of 1 (or more) would drop every element."""
    if isinstance(ratio, Variable):
        # (a 0-d Variable passed the 0-d test below, then its comparison was refused without a word of dropout)
        raise TypeError("dropout_ratio must be a number in [0, 1), not a Variable (a ratio has no "
                        "gradient); pass its number, e.g. F.dropout(x, r.data.item())")
    real_0d = getattr(ratio, "shape", None) == () and getattr(ratio, "dtype", None) is not None \
        and ratio.dtype.kind in "iuf"
    if isinstance(ratio, bool) or not (isinstance(ratio, numbers.Real) or real_0d):
        raise TypeError(
            f"dropout_ratio must be a number in [0, 1), the fraction of elements to zero, got "
            f"{type(ratio).__name__} {ratio!r:.40}; e.g. F.dropout(x, 0.5)"
        )
    if not 0.0 <= ratio < 1.0:
        why = ("1 or more would drop every element" if ratio >= 1.0
               else "it is the fraction of elements to zero, from 0 (keep all) up to below 1")
        raise ValueError(f"dropout_ratio must be in [0, 1), got {ratio}; {why}")
