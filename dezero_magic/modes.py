"""`%%dezero --modes`: run the cell body once per memory mode and measure it.

The modes are the book's step-18 switches: the default (weak references
from functions to outputs, `retain_grad=False`), `Config.retain_grad = True`
(every backward keeps intermediate grads) and `no_grad()` (no graph). Each
run is measured with `tracemalloc`: the peak while it ran and what was still
allocated when it ended (while the namespace it ran in is still held), both
relative to what was allocated just before it. NumPy reports its array
buffers to tracemalloc, so the figures include the arrays.

Guarantees: `Config` is restored after every run and on every exit, and
NumPy's and `random`'s global generators after the last run; a run with
`run_body.prepare` measures a namespace prepared before its start is read;
tracemalloc is stopped only if this module started it (a user's own tracing
keeps running, only its peak is reset); an exception in a re-run is recorded
in that mode's result and never raised, so the cell's own result stands.

A student's own book-style classes read their own step-18 `Config`, not
dezero's: when the cell may run them (`run_body.students`, see
`dezero_magic.rerun`), each mode is set on that Config too, for the
settings it has (restored likewise); a mode that could not reach their
classes says so in its row (`ModeResult.note`): that run did what the
default run does.
"""
import contextlib
import gc
import random
import time
import tracemalloc
from dataclasses import dataclass
from typing import Optional

import numpy as np

from dezero.config import Config
from dezero_magic.exc_text import described
from dezero_magic.memory import human_bytes, keep_units
from dezero_magic.student_flags import students_config

# (key, label shown to users, Config settings of the run)
MODES = (
    ("default", "retain_grad=False (default)", {"enable_backprop": True, "retain_grad": False}),
    ("retain_grad", "retain_grad=True", {"enable_backprop": True, "retain_grad": True}),
    ("no_grad", "no_grad", {"enable_backprop": False, "retain_grad": False}),
)
_SAVED = ("enable_backprop", "retain_grad", "train")
_DEFAULT = MODES[0][2]
INTERRUPTED = "not measured: the re-runs were interrupted (Stop)"  # a ModeResult.error


@dataclass
class ModeResult:
    """One measured run. Bytes are None when the run raised (`error` says what)."""
    mode: str
    label: str
    peak_bytes: Optional[int] = None      # highest traced allocation above the start, while running
    retained_bytes: Optional[int] = None  # still allocated when the run ended, above the start
    seconds: float = 0.0
    error: Optional[str] = None           # "TypeError: ..." when this run raised
    note: Optional[str] = None            # why this mode did not reach a student's own classes

    @property
    def ok(self):
        return self.error is None


def _measure_one(run_body, key, label, settings):
    result = ModeResult(key, label)
    prepare = getattr(run_body, "prepare", None)
    namespace = None
    if prepare is not None:
        # Before the start is read: copies of the user's objects are not this run's memory.
        try:
            namespace = prepare()
        except Exception as exc:  # noqa: BLE001 - recorded for this mode; the cell's own run stands
            result.error = described(exc)
            return result
    # The copies stay held while the run is measured: a body that rebinds
    # x would free the copy of x, and the freed bytes cancelled what the run
    # kept ("retained after the run" read 3 KiB for a 3.9 MiB graph).
    held = dict(namespace) if namespace is not None else None
    for name, value in settings.items():
        setattr(Config, name, value)
    gc.collect()  # garbage of earlier runs must not count against this one
    start, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    began = time.perf_counter()
    kept = None
    try:
        # What run_body returns (the namespace it ran in) is held until the
        # retained memory is read: that is what the cell keeps.
        kept = run_body(namespace) if prepare is not None else run_body()
        current, peak = tracemalloc.get_traced_memory()
        result.peak_bytes = max(0, peak - start)
        result.retained_bytes = max(0, current - start)
    except Exception as exc:  # noqa: BLE001 - recorded for this mode; the cell's own run stands
        result.error = described(exc)
    finally:
        result.seconds = time.perf_counter() - began
        del kept, held
    return result


@contextlib.contextmanager
def _on_students_config(cls, settings):
    """`settings` on a student's own Config class (None: nothing), for the
    names it has, restored on every exit (an inherited value by removing the
    class's own copy, as `student_flags.backprop_off` does). Yields the
    names set; a class that refuses keeps the rest unset."""
    saved = {}
    try:
        for name, value in settings.items():
            if cls is not None and hasattr(cls, name):
                own, previous = name in vars(cls), getattr(cls, name)
                setattr(cls, name, value)
                saved[name] = (own, previous)
    except Exception:  # noqa: BLE001 - a metaclass that forbids it must not break the runs
        pass
    try:
        yield set(saved)
    finally:
        for name, (own, previous) in saved.items():
            if own:
                setattr(cls, name, previous)
            else:
                delattr(cls, name)


def _students_note(students, config, settings, switched):
    """Why a mode did not reach a student's classes, or None when it did."""
    missing = [n for n, v in settings.items() if v != _DEFAULT.get(n) and n not in switched]
    if students is None or not missing:
        return None
    same = "so this run did what the default run did"
    if students.defines_config:
        return ("not applied to your classes: this cell defines their Config anew in every run, so it "
                f"could not be switched before the run; define Config in an earlier cell ({same})")
    if config is None:
        current = students.namespace.get("Config")
        if isinstance(current, type) and issubclass(current, Config):
            return None  # their code reads dezero's Config, which was switched
        return ("not applied to your classes: your code has no Config.enable_backprop or retain_grad "
                f"yet (book step 18 adds them), {same}")
    why = (" (in book step 18 retain_grad is an argument of backward, which the cell's own call sets)"
           if "retain_grad" in missing else "")
    return f"not applied to your classes: your Config has no {', '.join(missing)}{why}, {same}"


def measure_modes(run_body, modes=MODES):
    """Run `run_body()` once per mode; a list of ModeResult in the order of `modes`.

    run_body: a zero-argument callable running the cell body (see
    `dezero_magic.rerun.run_body_once`); what it returns is held while the
    retained memory is read. Its `students` attribute, if any, names the
    student's classes the cell runs (`rerun.StudentsUse`).
    """
    if not callable(run_body):
        raise TypeError(f"measure_modes(run_body): run_body must be a callable with no arguments, "
                        f"got {type(run_body).__name__}")
    students = getattr(run_body, "students", None)
    config = None if students is None or students.defines_config else students_config(students.namespace)
    saved = {name: getattr(Config, name) for name in _SAVED}
    # The re-runs draw random numbers too; later cells must draw what they would have.
    numpy_state, random_state = np.random.get_state(), random.getstate()
    started_here = not tracemalloc.is_tracing()
    results = []
    try:
        if started_here:
            tracemalloc.start()
        for i, (key, label, settings) in enumerate(modes):
            try:
                with _on_students_config(config, settings) as switched:
                    result = _measure_one(run_body, key, label, settings)
                result.note = _students_note(students, config, settings, switched)
                results.append(result)
            except KeyboardInterrupt:
                # Stop pressed during a re-run: the cell's own run had finished, so
                # its graph is still shown, with the modes measured until then.
                results += [ModeResult(k, lbl, error=INTERRUPTED) for k, lbl, _ in modes[i:]]
                break
            finally:
                for name, value in saved.items():
                    setattr(Config, name, value)
    finally:
        for name, value in saved.items():
            setattr(Config, name, value)
        if started_here and tracemalloc.is_tracing():
            tracemalloc.stop()
        np.random.set_state(numpy_state)
        random.setstate(random_state)
        gc.collect()
    return results


MEASURED = ("measured (tracemalloc), above what existed before each run: the cell was run again once "
            "per mode, on copies of what it reads from earlier cells")
HEADER = ("mode", "peak", "retained after the run", "time")


NOISE_BYTES = 64 * 1024  # the interpreter's own allocations move a run's figures by a few KiB


def noise_note(results):
    """Said when every run allocated so little that the interpreter's own
    allocations decide which mode reads larger (step 18's scalars: 8-byte
    arrays), else None."""
    measured = [r for r in results if r.ok]
    if len(measured) < 2 or max(max(r.peak_bytes, r.retained_bytes) for r in measured) >= NOISE_BYTES:
        return None
    return ("These runs allocate so little (under 64 KiB) that the interpreter's own allocations, a few "
            "KiB that differ from run to run, decide which mode reads larger; give the variables bigger "
            "arrays (np.ones(100_000), say) to see what each mode keeps.")


def result_rows(results):
    """One row of strings a mode, as HEADER names the columns (the widget's
    table and the static HTML/text show the same numbers)."""
    rows = []
    for r in results:
        note = f"; {r.note}" if r.note else ""
        if r.ok:
            rows.append((r.label, human_bytes(r.peak_bytes), human_bytes(r.retained_bytes),
                         f"{r.seconds:.3f} s{note}"))
        elif r.error == INTERRUPTED:
            rows.append((r.label, "-", "-", r.error))
        else:
            rows.append((r.label, "-", "-", f"the re-run raised {r.error}{note}"))
    return rows


def results_text(results):
    """The --modes table for terminals and text/plain."""
    rows = [HEADER] + result_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    lines = [f"memory per mode, {MEASURED}:"]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]
    note = noise_note(results)
    return "\n".join(lines + ([f"  ({note})"] if note else []))


def results_html(results, esc):
    """The --modes table as plain HTML (the static view; `esc` escapes text)."""
    head = "".join(f"<th style='text-align:left;padding:2px 10px'>{esc(h)}</th>" for h in HEADER)
    # (numbers stay on one line with their units: "104" over "B" on a narrow screen)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left;padding:2px 10px'>{esc(keep_units(c))}</td>"
                                    for c in row) + "</tr>" for row in result_rows(results))
    note = noise_note(results)
    return (f'<div class="dz-modes" style="font-size:14px"><div>Memory per mode, {esc(MEASURED)}</div>'
            f"<table><tr>{head}</tr>{body}</table>" + (f"<div>{esc(keep_units(note))}</div>" if note else "")
            + "</div>")
