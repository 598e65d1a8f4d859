"""What a Variable shows of the array it holds (steps 19 and 26): shape,
ndim, size, dtype, len() and the "variable(...)" repr, plus set_creator.
Shared by `dezero.core.Variable` and the book's step-24 core in
`dezero.core_simple`, whose Variables hold their arrays alike."""


class ArrayBox:
    """Mixin for a class with `data` (an ndarray), `creator` and `generation`."""

    __slots__ = ()  # dezero.core.Variable keeps its slots

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

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
