"""Which variable is which: the tracer's registry of the variables it met.

A variable is known by a token: the weakref to it. For an output that is
the one dezero made (`Function.outputs`), and `weakref.ref(x)` returns that
same object for every later use. The registry holds the tokens, so a
token's `id()` is never reused while it is registered -- even after the
variable died, and whatever object later takes the variable's address
(that one gets a new weakref). Every variable gets a small int, its vid.

All values are ints or flat tuples of atoms, which CPython's cyclic GC
untracks: a long cell gives the collector nothing to walk here.
"""
import weakref

from dezero_magic.preview import summarise
from dezero_magic.records import array_of

_ref = weakref.ref


class Variables:
    """vids, tokens and first-sight values of the variables a tracer met."""

    def __init__(self):
        self.vids = {}          # id(token) -> vid
        self.tokens = {}        # vid -> token
        self.generation = {}    # vid -> generation, for outputs of no_grad calls (dezero leaves 0)
        self.first_seen = {}    # vid -> (summary..., generation, has_creator, name) of a
        #                         variable no recorded call produced (leaves, constants)
        self.at_pass_end = {}   # vid -> (end_order, *first_seen entry) of a leaf used again after a finished
        #                         pass ended: its value as that pass's forward used it (raw_calls._resight)
        self._next = 0

    def __len__(self):
        return len(self.tokens)

    def known(self, token):
        """The vid of `token`, or None if it is not (or no longer) registered."""
        vid = self.vids.get(id(token))
        return vid if vid is not None and self.tokens.get(vid) is token else None

    def new(self, token):
        """A vid for the variable behind `token` (an output: its value is
        in the record of the call that made it)."""
        vid = self._next
        self._next = vid + 1
        self.vids[id(token)] = vid
        self.tokens[vid] = token
        return vid

    def first_sight(self, var, token, summary=None):
        """A vid for a variable no recorded call made. `summary`: its value
        when a forward call used it; else it is read from `var` now (None:
        the variable died, and is drawn without a value)."""
        vid = self.new(token)
        if var is None:
            if summary is not None:
                self.first_seen[vid] = (*summary, 0, False, None)
            return vid
        if summary is None:
            summary = summarise(array_of(var))
        self.first_seen[vid] = (*summary, getattr(var, "generation", 0),
                                getattr(var, "creator", None) is not None, getattr(var, "name", None))
        return vid

    def drawn_sight(self, vid, end):
        """The first_seen entry of `vid` as the forward of the pass that ended
        at ORDER `end` used it (None: `end` None, or no later use changed it)."""
        kept = self.at_pass_end.get(vid) if end is not None else None
        return kept[1:] if kept is not None and kept[0] == end else None

    def made_with_creator(self, vid):
        """Whether `vid` had a creator when the tracer met it (a call with
        backprop on made it): if it has none now, unchain_backward cut it."""
        info = self.first_seen.get(vid)
        return info[5] if info is not None else vid not in self.generation  # (generation: no_grad outputs)

    def vid_of(self, var):
        """The vid of `var`, registering it on first sight."""
        token = _ref(var)
        vid = self.known(token)
        return vid if vid is not None else self.first_sight(var, token)

    def live(self, vid):
        """Variable `vid` if it is still alive (and registered), else None."""
        token = self.tokens.get(vid)
        return token() if token is not None else None

    def token(self, vid):
        """The weakref to variable `vid` (None once it was forgotten)."""
        return self.tokens.get(vid)

    def forget(self, vid):
        self.tokens.pop(vid, None)
        self.first_seen.pop(vid, None)
        self.at_pass_end.pop(vid, None)
        if self.generation:
            self.generation.pop(vid, None)

    def compact(self):
        """Drop the ids of forgotten tokens (amortised: it at least halves)."""
        if len(self.vids) > 2 * len(self.tokens) + 1024:
            tokens = self.tokens
            self.vids = {k: v for k, v in self.vids.items() if v in tokens}
