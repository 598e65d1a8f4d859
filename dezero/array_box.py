"""What a Variable shows of the array it holds (steps 19 and 26): shape,
ndim, size, dtype, len() and the "variable(...)" repr, plus set_creator.
Shared by `dezero.core.Variable` and the book's step-24 core in
`dezero.core_simple`, whose Variables hold their arrays alike."""


class ArrayBox:
    """Mixin for a class with `data` (an ndarray), `creator` and `generation`."""

    __slots__ = ()  # dezero.core.Variable keeps its slots

    @property
    def shape(self):
        try:  # (free unless raised)
            return self.data.shape
        except AttributeError:
            raise self._no_data("shape") from None

    @property
    def ndim(self):
        try:
            return self.data.ndim
        except AttributeError:
            raise self._no_data("ndim") from None

    @property
    def size(self):
        try:
            return self.data.size
        except AttributeError:
            raise self._no_data("size") from None

    @property
    def dtype(self):
        try:
            return self.data.dtype
        except AttributeError:
            raise self._no_data("dtype") from None

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
