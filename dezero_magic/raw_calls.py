"""Raw calls: the tracer's hot path, a mixin of `dezero_magic.tracer.Tracer`.

A forward call that dezero recorded in a graph (one output:
nearly all) is only NOTED when it runs: one tuple of its summaries, the
weakref dezero made to its output, weakrefs to its inputs, and the values
of its leaf inputs. Nothing is looked up. Raw calls are resolved into
records (`_flush`) when a backward pass begins, when a call of another
kind comes, and when results are read -- and then only the last `keep` of
them: a long cell pays the resolution for the window it shows, not for
every operation (older raw calls are dropped unresolved, counted as elided).

The state it uses is set up by `Tracer.__init__` (`_raw`, `_edge`,
`_edge_index`, `variables`, `keep`, `order`, ...); a record is stored with
`Tracer._append`, and a call of another kind goes to `Tracer._forward_general`.
"""
import threading
import weakref

import numpy as np

from dezero_magic.preview import SNAPSHOT_ITEMS, summarise
from dezero_magic.records import R_GENERATION, R_KEY, R_N_IN, R_OP, R_OUTPUT, R_SUMMARY, R_TOKENS

_ref = weakref.ref
_thread = threading.get_ident
_ndarray = np.ndarray


class RawCalls:
    """Notes graph calls as raw tuples and resolves the last `keep` of them."""

    def on_forward(self, function, inputs, outputs):
        # The hot path: it runs once per operation of the user's cell, so it
        # only notes the call (see the module docstring).
        if self._skip:
            return  # inside a pass without create_graph (a nested one): not a graph
        if _thread() != self.thread:
            self.foreign_events += 1
            return
        self.forward_calls += 1
        if len(outputs) != 1 or getattr(function, "inputs", None) is not inputs:
            self._flush()
            self._forward_general(function, inputs, outputs, [self.variables.vid_of(x) for x in inputs])
            return
        # Leaves (and constants): their value as this call used it. Also for
        # a leaf the tracer knows: an optimizer changes a parameter in place
        # between epochs, and the graph shows the value of its latest use.
        leaves = ()
        for i, x in enumerate(inputs):
            if x.creator is None:
                xd = x.data  # (preview.summarise inlined for a small array: a constant per `y + 0.1`)
                if type(xd) is _ndarray and xd.size <= SNAPSHOT_ITEMS:
                    leaves += (i, xd.shape, xd.dtype, xd.tobytes(), xd.size)
                else:
                    leaves += (i, *summarise(xd))
        d = outputs[0].data
        raw = self._raw
        # Layout: records.R_*. The output's summary is preview.summarise, inlined
        # (this line runs once per operation).
        if type(d) is _ndarray and d.size <= SNAPSHOT_ITEMS:
            raw.append((len(inputs), id(function) >> 4, type(function).__name__, function.generation,
                        function.outputs[0], d.shape, d.dtype, d.tobytes(), d.size,
                        *map(_ref, inputs), *leaves))
        else:
            raw.append((len(inputs), id(function) >> 4, type(function).__name__, function.generation,
                        function.outputs[0], *summarise(d), *map(_ref, inputs), *leaves))
        if len(raw) >= self._trim_at:
            self._trim_raw()

    def _trim_raw(self):
        """Drop the oldest raw calls unresolved: a cell without backward
        keeps a window of the last `keep` calls at O(1) a call."""
        self._long_cell()
        drop = len(self._raw) - self.keep
        self._edge = self._raw[:drop]
        self._edge_index = None
        del self._raw[:drop]

    def _flush(self):
        """Resolve the raw calls into records (vids, first sights), the last
        `keep` of them; older ones are counted as elided."""
        if not self._raw:
            return
        if len(self._raw) > self.keep:
            self._trim_raw()
        raw, self._raw = self._raw, []
        end = self._shown_end()  # (the drawn pass's end, once one finished: see _resight)
        for entry in raw:
            self._resolve(entry, end)
        self._edge = []
        self._edge_index = None

    def _resolve(self, entry, end=None):
        n_in = entry[R_N_IN]
        leaves = entry[R_TOKENS + n_in:]
        known = self.variables.known
        vids = []
        for i, token in enumerate(entry[R_TOKENS:R_TOKENS + n_in]):
            vid = known(token)
            if vid is None:
                vid = self._sight(token, i, leaves)
            elif leaves:
                self._resight(vid, i, leaves, end)
            vids.append(vid)
        vid = self.last_output = self.variables.new(entry[R_OUTPUT])
        order = self.order
        self.order = order + 1
        self._append((order, entry[R_OP], entry[R_GENERATION], False, entry[R_KEY], n_in, 1, *vids, vid,
                      *entry[R_SUMMARY:R_SUMMARY + 4]))

    def _resight(self, vid, i, leaves, end):
        """A known leaf used again: its value is now the one this call used
        (calls resolve in forward order, so the latest use wins). A call made
        after the last finished pass ended (`end`: an evaluation, or the
        forward a cell raised in) keeps the value that pass's forward used,
        tagged with `end` (`Variables.at_pass_end`): that pass is drawn."""
        first_seen = self.variables.first_seen
        info = first_seen.get(vid)
        summary = _leaf_summary(leaves, i)
        if info is not None and summary is not None:  # (no info: a recorded call made it, its value is there)
            if end is not None and self.order >= end:
                kept = self.variables.at_pass_end
                if kept.get(vid, (None,))[0] != end:  # (the first use after the pass: info is the drawn one)
                    kept[vid] = (end, *info)
            first_seen[vid] = (*summary, *info[4:])

    def _sight(self, token, i, leaves):
        """First sight of input `i` of a raw call: a leaf's value was noted
        with the call; another input's is its producer's, if that call was
        dropped just before the window, else read from the live object."""
        first_sight = self.variables.first_sight
        summary = _leaf_summary(leaves, i)
        if summary is not None:
            return first_sight(token(), token, summary)
        if self._edge:
            if self._edge_index is None:
                self._edge_index = {id(e[R_OUTPUT]): e for e in self._edge}
            producer = self._edge_index.get(id(token))
            if producer is not None:
                vid = first_sight(token(), token, producer[R_SUMMARY:R_SUMMARY + 4])
                info = self.variables.first_seen[vid]
                self.variables.first_seen[vid] = (*info[:4], producer[R_GENERATION] + 1, True, info[6])
                return vid
        return first_sight(token(), token)


def _leaf_summary(leaves, i):
    """The summary a raw call noted for its input `i` (leaf groups of
    (index, 4 summary atoms)), or None when that input is no leaf."""
    for k in range(0, len(leaves), 5):
        if leaves[k] == i:
            return leaves[k + 1:k + 5]
    return None
