"""Models (step 45): a Layer that can draw itself, Sequential and MLP.

The book's pretrained models (VGG16, ResNet, SqueezeNet: step 58 and its
extras) are left out: they download weights, and this package downloads
nothing (see `dezero.utils.get_file`). Asking for one raises an ImportError
saying so (`__getattr__` below); `hasattr(dezero.models, "VGG16")` and
`getattr(dezero.models, "VGG16", None)` raise it too (see dezero.not_shipped).
"""
import dezero.functions as F
import dezero.layers as L
from dezero.core import Function
from dezero.dot import plot_dot_graph
from dezero.not_shipped import not_shipped_getattr


class Model(L.Layer):
    """A Layer with `plot`: draws the graph of one forward pass (needs Graphviz's `dot`)."""

    def plot(self, *inputs, to_file="model.png"):
        """Run forward on `inputs` and draw the graph into `to_file` (via dezero.dot).

        Without Graphviz, `plot_dot_graph` writes an SVG with the built-in
        renderer instead (see `dezero.dot.svg_fallback`) and warns.
        """
        y = self.forward(*inputs)
        if isinstance(y, (tuple, list)):
            y = y[0]
        return plot_dot_graph(y, verbose=True, to_file=to_file)


class Sequential(Model):
    """Layers (or plain callables such as F.relu) applied one after another.

    Layers are registered as l0, l1, ... so their weights save under those keys.
    """

    def __init__(self, *layers):
        super().__init__()
        self.layers = []
        for i, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(
                    f"Sequential item {i} is a {type(layer).__name__}, not a layer or "
                    "function; pass layers such as L.Linear(10) or functions such as F.relu"
                )
            setattr(self, "l" + str(i), layer)
            self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class MLP(Model):
    """Linear layers of the given output sizes, `activation` between them (not after the last)."""

    def __init__(self, fc_output_sizes, activation=F.sigmoid):
        super().__init__()
        if not hasattr(fc_output_sizes, "__iter__") or isinstance(fc_output_sizes, str):
            raise TypeError(
                f"MLP takes a tuple of layer output sizes, got {fc_output_sizes!r}; e.g. "
                f"MLP(({fc_output_sizes!r}, 1)) for a hidden layer of {fc_output_sizes!r} "
                "and one output"
            )
        _check_activation(activation)
        self.activation = activation
        self.layers = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = L.Linear(out_size)
            setattr(self, "l" + str(i), layer)
            self.layers.append(layer)
        if not self.layers:
            raise ValueError("MLP needs at least one output size, e.g. MLP((10, 3))")

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


def _check_activation(activation):
    # Checked here: a bad activation used to fail only at the first call, inside forward.
    if isinstance(activation, type) and issubclass(activation, Function):
        name = activation.__name__
        lower = name.lower()
        instead = f"the function F.{lower}" if hasattr(F, lower) else "a function such as F.relu"
        raise TypeError(
            f"MLP activation={name} is a Function class; pass {instead} (lower case), "
            f"e.g. MLP((10, 1), activation={instead.split()[-1]})"
        )
    if not callable(activation):
        raise TypeError(
            f"MLP activation must be a function, got {activation!r}; pass e.g. "
            "activation=F.relu or activation=F.sigmoid (the function itself, not its name)"
        )


# (ImportError, so hasattr() and getattr(..., default) of these names raise too: see dezero.not_shipped)
__getattr__ = not_shipped_getattr(__name__, ("VGG16", "ResNet", "ResNet50", "ResNet101", "ResNet152",
                                             "SqueezeNet"), (
    "the book's pretrained models (VGG16, ResNet, SqueezeNet; step 58) need their weights downloaded, and this "
    "package downloads nothing (see the dezero.models docstring). To follow step 58, type the book's VGG16 class "
    "into a cell (a Model of L.Conv2d, L.Linear and F.pooling; leave out pretrained=True): it runs, with random "
    "weights"))
