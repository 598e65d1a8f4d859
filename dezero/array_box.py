"""What a Variable shows of the array it holds (steps 19 and 26): shape,
ndim, size, dtype, len() and the "variable(...)" repr, plus set_creator.
Shared by `dezero.core.Variable` and the book's step-24 core in
`dezero.core_simple`, whose Variables hold their arrays alike."""


def _of_data(attr):
    """A property reading `attr` of the held array; where there is none, an
    error that says why (a lazy layer's W before its first call)."""
    def read(self):
        try:  # (free unless raised)
            return getattr(self.data, attr)
        except AttributeError:
            raise self._no_data(attr) from None
    return property(read, doc=f"The {attr} of the held array.")


class ArrayBox:
    """Mixin for a class with `data` (an ndarray), `creator` and `generation`."""

    __slots__ = ()  # dezero.core.Variable keeps its slots

    shape = _of_data("shape")
    ndim = _of_data("ndim")
    size = _of_data("size")
    dtype = _of_data("dtype")

    def _no_data(self, attr):
        if self.data is not None:
            return AttributeError(f"{type(self.data).__name__} object has no attribute {attr!r}")
        # Mostly a lazy layer's W ("'NoneType' object has no attribute 'shape'" before).
        name = self.name or "this variable"
        return AttributeError(
            f"{name} has no {attr} yet: its data is None. A layer's W is created on the layer's "
            "first call (in_size is taken from the input); call the layer once, or give "
            "in_size= (in_channels= for convolutions) when you build it"
        )

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        p = str(self.data).replace("\n", "\n" + " " * 9)
        return "variable(" + p + ")"

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1
