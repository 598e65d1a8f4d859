"""How long one re-run of a graph took, as the Gradients check decides by
it (check now, later, or not at all): the smaller of wall-clock and CPU time.

Wall clock alone counts whatever else the machine did meanwhile: on a busy
laptop (or a shared machine) a 10-ms pass read 100 ms once in a while, the
early check then waited for the tab, and a later cell's rebinding of the
output left the tab with "no longer exists" -- the same cell checked or not
from run to run. CPU time alone over-counts a pass that NumPy's BLAS runs on
several threads. Neither is smaller than the pass's own cost.
"""
import time


class PassClock:
    """Started when made; `seconds()` is the time since, by the smaller clock."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def seconds(self):
        return min(time.perf_counter() - self.wall, time.process_time() - self.cpu)
