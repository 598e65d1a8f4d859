"""The box that the Graph and Backward views of a trace are built in."""
import ipywidgets as widgets

from dezero_magic.widgets import style


class TraceView(widgets.VBox):
    """A VBox that shows `trace`; its widgets share `kit`'s Layout/style models.

    `kit` is the view's shared style.Kit (a fresh one for a view built on its
    own, as in the tests); the box takes the kit's layout unless given one.
    """

    def __init__(self, trace, kit=None, **kwargs):
        kit = kit or style.Kit()
        kwargs.setdefault("layout", kit.layout)
        super().__init__(**kwargs)
        self.kit, self.trace = kit, trace
