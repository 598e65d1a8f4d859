"""Recurrent layers (steps 59-60): RNN and LSTM, stateful until reset_state().

Fixed from the book (book repository issue #32): the hidden-to-hidden Linear
maps hidden_size -> hidden_size; the book built it with the *input* size,
which only worked when both sizes were equal or left lazy (left lazy, it
still is: its input, h, gives it hidden_size).
For truncated BPTT call `loss.unchain_backward()` after each backward; the
hidden state then starts a fresh graph.
"""
import dezero.functions as F
from dezero.layers.base import Layer, layer_input, layer_size
from dezero.layers.linear import Linear


def _check_sizes(layer, hidden_size, in_size):
    name = type(layer).__name__
    hidden_size = layer_size(name, "hidden_size", hidden_size)
    return hidden_size, None if in_size is None else layer_size(name, "in_size", in_size)


def _check_step(layer, x, x2h):
    """x as one time step of the batch, (N, in_size), checked here so the error names
    the RNN/LSTM (the inner Linear's named a Linear the user never built)."""
    name = type(layer).__name__
    if x.ndim != 2:
        if x.ndim <= 1:
            advice = ("for one sequence write x.reshape(1, -1) (the book's x.reshape(1, 1) for "
                      "one number per step)")
        else:
            advice = "feed one time step at a time, e.g. x[:, t] for t in range(x.shape[1])"
        raise ValueError(f"{name} expects one time step as a batch of rows (N, in_size), got "
                         f"shape {x.shape}; {advice}")
    if x2h.W.data is not None and x.shape[1] != x2h.W.shape[0]:
        raise ValueError(
            f"{name} has in_size {x2h.W.shape[0]} but got an input with {x.shape[1]} "
            f"features (shape {x.shape}); build a new {name} for this input size")
    _check_batch(layer, x)


def _check_batch(layer, x):
    """The hidden state holds one row per sequence of the batch: a batch of 1 after
    4 broadcast to 4 rows (a wrong shape, no error) and 3 after 4 failed in NumPy."""
    h = layer.h
    if h is not None and len(getattr(x, "shape", ())) and h.shape[0] != x.shape[0]:
        name = type(layer).__name__
        raise ValueError(
            f"{name}: the hidden state has batch {h.shape[0]} (from the previous input) but "
            f"the input has batch {x.shape[0]} (shape {x.shape}); call reset_state() before "
            "a new sequence or batch size"
        )


class RNN(Layer):
    """h_t = tanh(x_t W_x + b + h_{t-1} W_h); the first step has no h term."""

    def __init__(self, hidden_size, in_size=None):
        super().__init__()
        hidden_size, in_size = _check_sizes(self, hidden_size, in_size)
        self.x2h = Linear(hidden_size, in_size=in_size)
        # Lazy when x2h is, as in the book: its weights are drawn at the second step, after
        # x2h's and the model's next layers', so a seeded run draws the book's numbers.
        self.h2h = Linear(hidden_size, in_size=None if in_size is None else hidden_size, nobias=True)
        self.h = None

    def reset_state(self):
        self.h = None

    def forward(self, x):
        x = layer_input(self, x)
        _check_step(self, x, self.x2h)
        if self.h is None:
            h_new = F.tanh(self.x2h(x))
        else:
            h_new = F.tanh(self.x2h(x) + self.h2h(self.h))
        self.h = h_new
        return h_new


class LSTM(Layer):
    """The book's LSTM: gates f, i, o and candidate u; state h and cell c."""

    def __init__(self, hidden_size, in_size=None):
        super().__init__()
        H, I = _check_sizes(self, hidden_size, in_size)
        self.x2f = Linear(H, in_size=I)
        self.x2i = Linear(H, in_size=I)
        self.x2o = Linear(H, in_size=I)
        self.x2u = Linear(H, in_size=I)
        self.h2f = Linear(H, in_size=H, nobias=True)
        self.h2i = Linear(H, in_size=H, nobias=True)
        self.h2o = Linear(H, in_size=H, nobias=True)
        self.h2u = Linear(H, in_size=H, nobias=True)
        self.reset_state()

    def reset_state(self):
        self.h = None
        self.c = None

    def forward(self, x):
        x = layer_input(self, x)
        _check_step(self, x, self.x2f)
        if self.h is None:
            f = F.sigmoid(self.x2f(x))
            i = F.sigmoid(self.x2i(x))
            o = F.sigmoid(self.x2o(x))
            u = F.tanh(self.x2u(x))
        else:
            f = F.sigmoid(self.x2f(x) + self.h2f(self.h))
            i = F.sigmoid(self.x2i(x) + self.h2i(self.h))
            o = F.sigmoid(self.x2o(x) + self.h2o(self.h))
            u = F.tanh(self.x2u(x) + self.h2u(self.h))
        if self.c is None:
            c_new = i * u
        else:
            c_new = (f * self.c) + (i * u)
        h_new = o * F.tanh(c_new)
        self.h, self.c = h_new, c_new
        return h_new
