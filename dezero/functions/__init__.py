"""dezero.functions, imported as F: every differentiable operation."""
from dezero.functions.elementwise import (  # noqa: F401
    Clip, Cos, Exp, Log, Sin, Square, Tanh, clip, cos, exp, log, sin, square, tanh,
)
from dezero.functions.tensor import (  # noqa: F401
    BroadcastTo, Reshape, Sum, SumTo, Transpose, broadcast_to, expand_dims, flatten, reshape,
    sum, sum_to, transpose,
)
from dezero.functions.reduction import Max, Min, average, max, mean, min  # noqa: F401
from dezero.functions.indexing import GetItem, GetItemGrad, embed_id, get_item  # noqa: F401
from dezero.functions.matrix import Linear, MatMul, linear, linear_simple, matmul  # noqa: F401
from dezero.functions.activation import (  # noqa: F401
    LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, leaky_relu, log_softmax, logsumexp, relu,
    sigmoid, sigmoid_simple, softmax, softmax_simple,
)
from dezero.functions.loss import (  # noqa: F401
    MeanSquaredError, SigmoidCrossEntropy, SoftmaxCrossEntropy, binary_cross_entropy,
    mean_squared_error, mean_squared_error_simple, sigmoid_cross_entropy, softmax_cross_entropy,
    softmax_cross_entropy_simple,
)
from dezero.functions.metrics import accuracy  # noqa: F401
from dezero.functions.regularization import dropout  # noqa: F401
from dezero.functions.normalization import BatchNorm, batch_norm  # noqa: F401

batch_nrom = batch_norm  # the book's spelling (its L.BatchNorm calls F.batch_nrom): code typed from it runs
from dezero.functions.im2col import Col2im, Im2col, col2im, im2col  # noqa: F401
from dezero.functions.conv import (  # noqa: F401
    Conv2d, Conv2DGradW, Deconv2d, conv2d, conv2d_simple, deconv2d,
)
from dezero.functions.pooling import (  # noqa: F401
    AveragePooling, Pooling, Pooling2DGrad, Pooling2DWithIndexes, average_pooling, pooling,
    pooling_simple,
)
from dezero.functions import numpy_ufuncs  # noqa: F401,E402  (installs Variable.__array_ufunc__)
from dezero.functions import numpy_functions  # noqa: F401,E402  (installs Variable.__array_function__)
