"""Dropout (step 54): inverted dropout, on only while dezero.Config.train is True."""
from dezero import cuda
from dezero.config import Config
from dezero.core import as_variable


def dropout(x, dropout_ratio=0.5):
    """Zero each element with probability `dropout_ratio` and scale the rest by 1/(1-ratio).

    Scaling at train time (inverted dropout) keeps the expected value, so in
    test mode (`with dezero.test_mode():`) x passes through unchanged.
    """
    if not 0.0 <= dropout_ratio < 1.0:
        raise ValueError(
            f"dropout_ratio must be in [0, 1), got {dropout_ratio}; 1 would drop everything"
        )
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
