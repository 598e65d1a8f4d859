"""dezero.functions, imported as F: every differentiable operation."""
from dezero.functions.elementwise import (  # noqa: F401
    Cos, Exp, Log, Sin, Square, Tanh, cos, exp, log, sin, square, tanh,
)
from dezero.functions.tensor import (  # noqa: F401
    BroadcastTo, Reshape, Sum, SumTo, Transpose, broadcast_to, reshape, sum, sum_to, transpose,
)
