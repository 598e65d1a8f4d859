"""`%%dezero --modes`: run the cell body once per memory mode and measure it.

The modes are the book's step-18 switches: the default (weak references
from functions to outputs, `retain_grad=False`), `Config.retain_grad = True`
(every backward keeps intermediate grads) and `no_grad()` (no graph). Each
run is measured with `tracemalloc`: the peak while it ran and what was still
allocated when it ended (while the namespace it ran in is still held), both
relative to what was allocated just before it. NumPy reports its array
buffers to tracemalloc, so the figures include the arrays.

Guarantees: `Config` is restored after every run and on every exit;
tracemalloc is stopped only if this module started it (a user's own tracing
keeps running, only its peak is reset); an exception in a re-run is recorded
in that mode's result and never raised, so the cell's own result stands.
"""
import gc
import time
import tracemalloc
from dataclasses import dataclass
from typing import Optional

from dezero.config import Config

# (key, label shown to users, Config settings of the run)
MODES = (
    ("default", "retain_grad=False (default)", {"enable_backprop": True, "retain_grad": False}),
    ("retain_grad", "retain_grad=True", {"enable_backprop": True, "retain_grad": True}),
    ("no_grad", "no_grad", {"enable_backprop": False, "retain_grad": False}),
)
_SAVED = ("enable_backprop", "retain_grad", "train")


@dataclass
class ModeResult:
    """One measured run. Bytes are None when the run raised (`error` says what)."""
    mode: str
    label: str
    peak_bytes: Optional[int] = None      # highest traced allocation above the start, while running
    retained_bytes: Optional[int] = None  # still allocated when the run ended, above the start
    seconds: float = 0.0
    error: Optional[str] = None           # "TypeError: ..." when this run raised

    @property
    def ok(self):
        return self.error is None


def _measure_one(run_body, key, label, settings):
    for name, value in settings.items():
        setattr(Config, name, value)
    gc.collect()  # garbage of earlier runs must not count against this one
    start, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    began = time.perf_counter()
    result = ModeResult(key, label)
    kept = None
    try:
        # What run_body returns (the namespace it ran in) is held until the
        # retained memory is read: that is what the cell keeps.
        kept = run_body()
        current, peak = tracemalloc.get_traced_memory()
        result.peak_bytes = max(0, peak - start)
        result.retained_bytes = max(0, current - start)
    except Exception as exc:  # noqa: BLE001 - recorded for this mode; the cell's own run stands
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        result.seconds = time.perf_counter() - began
        del kept
    return result


def measure_modes(run_body, modes=MODES):
    """Run `run_body()` once per mode; a list of ModeResult in the order of `modes`.

    run_body: a zero-argument callable running the cell body (see
    `dezero_magic.cellrun.run_body_once`); what it returns is held while the
    retained memory is read.
    """
    if not callable(run_body):
        raise TypeError(f"measure_modes(run_body): run_body must be a callable with no arguments, "
                        f"got {type(run_body).__name__}")
    saved = {name: getattr(Config, name) for name in _SAVED}
    started_here = not tracemalloc.is_tracing()
    results = []
    try:
        if started_here:
            tracemalloc.start()
        for key, label, settings in modes:
            try:
                results.append(_measure_one(run_body, key, label, settings))
            finally:
                for name, value in saved.items():
                    setattr(Config, name, value)
    finally:
        for name, value in saved.items():
            setattr(Config, name, value)
        if started_here and tracemalloc.is_tracing():
            tracemalloc.stop()
        gc.collect()
    return results
