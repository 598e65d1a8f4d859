"""Pacing CPython's cyclic garbage collector while a long traced cell runs."""
import contextlib
import gc


class Pacer:
    """Lets CPython's young generation grow `factor` times larger before a
    collection (thresholds (700, 10, 10) become (7000, 10, 10)) once `pace`
    is called; `restore` puts the thresholds back.

    Why: a traced cell allocates more, and every 10th young collection may
    start a full one that walks the whole heap -- the cell's own graph
    included -- (measured: full collections over a 100,000-op graph cost
    about twice as much when it was built under the tracer, as its objects
    lie farther apart). Fewer, larger young collections do the same work
    and reach full collections far less often.

    When: pacing lets cyclic garbage wait for `factor` times more
    allocations. dezero's graphs hold no cycles (weakref outputs), so a cell
    of dezero's classes is paced from the start; where students' classes may
    run (book step 16's cycles, whose memory step 17 measures: a step-16
    demo peaked at 3x its plain memory when paced) only once the tracer
    says the cell has made thousands of calls.
    """

    def __init__(self, factor=10):
        self.factor = factor
        self._old = self._paced = None
        self._done = False

    def pace(self):
        # (after restore: a tracer read after the cell must not pace for good)
        if self._paced is not None or self._done:
            return
        old = gc.get_threshold()
        if old[0] > 0:  # 0 means automatic collection is off: leave that alone
            self._old, self._paced = old, (old[0] * self.factor,) + old[1:]
            gc.set_threshold(*self._paced)

    @property
    def paced(self):
        return self._paced is not None

    def restore(self):
        """The thresholds in force before, unless the cell itself set other
        thresholds since, which are then left as the cell set them. Whether
        the collector is enabled is never touched."""
        if self._paced is not None and gc.get_threshold() == self._paced:
            gc.set_threshold(*self._old)
        self._old = self._paced = None
        self._done = True


@contextlib.contextmanager
def paced_collector(factor=10, now=True):
    """A `Pacer` for the block, pacing from the start (`now`) or once its
    `pace` is called; the thresholds are restored on every exit (also when
    the block raises or is interrupted)."""
    pacer = Pacer(factor)
    if now:
        pacer.pace()
    try:
        yield pacer
    finally:
        pacer.restore()
