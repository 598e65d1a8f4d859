"""Shape arithmetic on plain arrays that several Functions share."""


def sum_to_array(x, shape):
    """Sum `x` (an array) over the axes that broadcasting added to reach `shape`.

    `shape` must broadcast to x's shape; the book's version returned a wrong
    shape silently otherwise (sum_to of (2, 3) to (4,) gave (3,)).
    """
    ndim = len(shape)
    if ndim > x.ndim or any(s != 1 and s != xs for s, xs in zip(shape, x.shape[x.ndim - ndim:])):
        raise ValueError(
            f"sum_to cannot sum an array of shape {x.shape} to shape {tuple(shape)}: the target "
            "must broadcast to the input's shape (no more axes; aligned from the right, each "
            "axis equal to the input's or 1), e.g. (3,), (1, 3) or (2, 1) for an input (2, 3)"
        )
    lead = x.ndim - ndim
    lead_axis = tuple(range(lead))
    axis = tuple(i + lead for i, sx in enumerate(shape) if sx == 1)
    y = x.sum(lead_axis + axis, keepdims=True)
    if lead > 0:
        y = y.squeeze(lead_axis)
    return y


def reshape_sum_backward(gy, x_shape, axis, keepdims):
    """Reshape the grad of `sum(x, axis, keepdims)` so it broadcasts back to x."""
    ndim = len(x_shape)
    tupled_axis = axis
    if axis is None:
        tupled_axis = None
    elif not isinstance(axis, tuple):
        tupled_axis = (axis,)

    if not (ndim == 0 or tupled_axis is None or keepdims):
        actual_axis = [a if a >= 0 else a + ndim for a in tupled_axis]
        shape = list(gy.shape)
        for a in sorted(actual_axis):
            shape.insert(a, 1)
    else:
        shape = gy.shape
    return gy.reshape(shape)
