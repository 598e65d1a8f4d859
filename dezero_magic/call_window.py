"""The window of call records a `dezero_magic.tracer.Tracer` keeps, a mixin:
when it is cut (`_trim`), what is kept (`_window`: the last `keep` calls, or
the last pass's graph and the calls after it), and forgetting the variables
of the records dropped (`_forget`). The state it uses is the Tracer's."""
from dezero_magic.records import KEY, N_IN, N_OUT, ORDER, VIDS


class CallWindow:
    """Bounds of the Tracer's records (see the module docstring)."""

    def _trim(self):
        """Cut the window back to the last `keep` calls, and the last pass's
        graph (calls before its end: an evaluation after the last backward,
        1,000 predictions say, must not push out the graph that is shown).
        It runs once every 2 * `keep` calls or more, so its scans cost O(1) a call."""
        self._long_cell()
        self.calls, dropped = self._window()
        self._forget(dropped + self._limbo)
        self._limbo = []
        self._limbo_orders = set()

    def _long_cell(self):
        """The cell has made thousands of calls: `on_long_cell` (%%dezero
        paces the collector from here on, see `dezero_magic.gcpace`)."""
        if self.on_long_cell is not None:
            self.on_long_cell()

    def _forget(self, dropped):
        """Forget the variables and functions of `dropped` call records that
        no kept record refers to."""
        used = set()
        for call in self.calls:
            used.update(call[VIDS:VIDS + call[N_IN] + call[N_OUT]])
        for bpass in self._passes + ([self.last_pass] if self.last_pass is not None else []):
            used.update(bpass.outputs)
        if self.last_output is not None:
            used.add(self.last_output)
        variables, fmap = self.variables, self._fmap
        first_seen, forget = variables.first_seen, variables.forget
        for call in dropped:
            if fmap.get(call[KEY]) is call:
                del fmap[call[KEY]]
            mid = VIDS + call[N_IN]
            for v in call[VIDS:mid]:
                if v not in used:
                    forget(v)
            for v in call[mid:mid + call[N_OUT]]:
                if v not in used:
                    forget(v)
                elif v not in first_seen:
                    # A kept call's input made by this dropped one: keep its value.
                    summary, gen, has_creator, name = self.var_info(v, call) or (None,) * 4
                    if summary is not None:
                        first_seen[v] = (*summary, gen, has_creator, name)
        variables.compact()

    def _shown_end(self):
        """ORDER where the last finished pass's graph ends (calls before it
        are that graph), or None when no pass finished with steps."""
        bpass = self.last_pass
        if bpass is None or self._passes or not bpass.steps or bpass.end_order is None:
            return None
        return bpass.end_order

    def _window(self):
        """(kept, dropped) of `calls`: the last `keep`, or, after a finished
        pass, the last `keep` of its graph and the last `keep` made after it."""
        end = self._shown_end()
        parts = [self.calls] if end is None else [[c for c in self.calls if c[ORDER] < end],
                                                   [c for c in self.calls if c[ORDER] >= end]]
        kept, dropped = [], []
        for part in parts:
            cut = max(0, len(part) - self.keep)
            dropped += part[:cut]
            kept += part[cut:]
        return kept, dropped
