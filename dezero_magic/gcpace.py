"""Pacing CPython's cyclic garbage collector while a traced cell runs."""
import contextlib
import gc


@contextlib.contextmanager
def paced_collector(factor=10):
    """While a traced cell runs, let CPython's young generation grow `factor`
    times larger before a collection (thresholds (700, 10, 10) become
    (7000, 10, 10)).

    Why: a traced cell allocates more, and every 10th young collection may
    start a full one that walks the whole heap -- the cell's own graph
    included -- (measured: full collections over a 100,000-op graph cost
    about twice as much when it was built under the tracer, as its objects
    lie farther apart). Fewer, larger young collections do the same work
    and reach full collections far less often. Memory held by cyclic garbage
    waits for at most `factor` times more allocations; nothing else changes.

    The thresholds in force before are always restored (also when the cell
    raises or is interrupted), unless the cell itself set other thresholds,
    which are then left as the cell set them. Whether the collector is
    enabled is never touched.
    """
    old = gc.get_threshold()
    paced = (old[0] * factor,) + old[1:]
    if old[0] > 0:  # 0 means automatic collection is off: leave that alone
        gc.set_threshold(*paced)
    try:
        yield
    finally:
        if old[0] > 0 and gc.get_threshold() == paced:
            gc.set_threshold(*old)
