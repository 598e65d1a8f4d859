"""The view's Tab: pages built when their tab is first opened, and the hook
that tells `lifecycle` when the view is displayed.

A page given as a callable is built the first time its tab is selected (the
front end sets `selected_index`, the kernel builds the page and fills its
box) or when code asks `tab.views[title]`. Until then its box shows one
shared note and the caption. Pages drawn from the recorded graph alone
(Backward, Memory) look the same whenever they are built; a page that reads
the user's live objects (Gradients) must itself check that they are still
as the graph recorded them, and say so when they are not.

What a page needs from the live objects is made when the view is displayed
(after Run All, later cells rebind x and y before anyone opens a tab), but
only while that is cheap: `too_big_to_make_early` says when the cell's
arrays are so big that it waits for the tab (a 10^7-element input: the
Backward replay alone cost 1.5 s and 0.5 GB at display).
"""
import math
from collections.abc import Mapping

import ipywidgets as widgets

from dezero_magic.render.escape import esc
from dezero_magic.widgets import lifecycle, style

# Numbers in the recorded graph's variables beyond which nothing is computed
# from the live objects at display time: a replay or a check handles each of
# them a few times (~10 ms a million), and nobody may open the tab.
EARLY_NUMBERS = 1_000_000

NOT_BUILT = ("This view is built when its tab is first opened; that needs the running kernel "
             "(re-run the cell if the kernel has restarted).")


def graph_numbers(graph):
    """How many numbers the recorded graph's variables hold (from their recorded shapes)."""
    return sum(math.prod(v.shape) for v in graph.variables.values())


def too_big_to_make_early(trace):
    """How many numbers the graph holds when that is too many to compute a
    page's results at display time (else 0)."""
    numbers = graph_numbers(trace.graph)
    return numbers if numbers > EARLY_NUMBERS else 0


class PageViews(Mapping):
    """title -> the page's view (built on first access), in tab order."""

    def __init__(self, tab):
        self._tab = tab

    def __getitem__(self, title):
        return self._tab.page(title)

    def __iter__(self):
        return iter(self._tab.page_titles)

    def __len__(self):
        return len(self._tab.page_titles)


class ViewTab(widgets.Tab):
    """pages: (title, view widget or zero-argument builder); `failed(title, exc)`
    makes the page shown when a builder raises."""

    def __init__(self, pages, caption, kit, failed):
        self.page_titles = [title for title, _ in pages]
        self.caption = caption
        self._kit = kit
        self._failed = failed
        self._builders = {}
        self._built = {}
        self._boxes = {}
        placeholder = None
        for title, page in pages:
            if isinstance(page, widgets.Widget):
                self._built[title] = page
                self._boxes[title] = widgets.VBox([page, caption], layout=kit.layout)
            else:
                if placeholder is None:
                    placeholder = widgets.HTML(style.block(esc(NOT_BUILT)), style=kit.html, layout=kit.layout)
                self._builders[title] = page
                self._boxes[title] = widgets.VBox([placeholder, caption], layout=kit.layout)
        super().__init__(children=[self._boxes[t] for t in self.page_titles], titles=self.page_titles,
                         layout=kit.layout)
        self._placeholder = placeholder   # kept, so closing the view closes it after every page is built
        self.views = PageViews(self)   # for code and tests: the views without their caption boxes
        self.observe(self._opened, names="selected_index")

    def page(self, title):
        """The view on page `title`, built now if it was not yet."""
        if title not in self._built:
            build = self._builders.pop(title)   # KeyError for an unknown title, as a dict gives
            try:
                view = build()
            except Exception as exc:  # noqa: BLE001 - shown on that page; the other pages still work
                view = self._failed(title, exc)
            self._built[title] = view
            self._boxes[title].children = [view, self.caption]
        return self._built[title]

    def _opened(self, change):
        index = change["new"]
        if index is not None and 0 <= index < len(self.page_titles):
            self.page(self.page_titles[index])

    def __repr__(self):
        # ipywidgets' repr lists every trait of every child (~4 ms for a
        # lecture graph, paid at each display for a text/plain nobody reads:
        # the Trace's bundle carries its own text summary).
        return f"<dezero_magic view: {', '.join(self.page_titles)}>"

    def _repr_mimebundle_(self, **kwargs):
        lifecycle.shown(self)   # displayed now: close what this makes stale
        return super()._repr_mimebundle_(**kwargs)
