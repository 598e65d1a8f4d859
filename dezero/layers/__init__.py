"""dezero.layers, imported as L: Layer and the book's layers."""
from dezero.layers.base import Layer, WeightsMismatchError  # noqa: F401
from dezero.layers.linear import EmbedID, Linear  # noqa: F401
from dezero.layers.conv import Conv2d, Deconv2d  # noqa: F401
from dezero.layers.normalization import BatchNorm  # noqa: F401
from dezero.layers.recurrent import LSTM, RNN  # noqa: F401
