"""Python's recursion limit under `%%dezero`: the cell must reach the same
depth as in a plain cell, neither less nor more (book step 8's lesson is
that recursion fails on deep graphs), and the profile hook of
`backward_watch` must never be what raises RecursionError.

Two parts:

* `recursion_headroom`: while the body runs, the limit is raised by exactly
  the recursion levels the magic puts between the outer cell and the nested
  run of its body (`nested_levels`), measured at run time (an IPython
  kernel runs its cells through other frames than a test shell).
* `calls_until_look`: the hook looks now and then how close the limit is
  and stops recording once fewer than PROBE levels are left below it, so
  that the student's own frame, not ours, meets the limit.
"""
import contextlib
import dis
import sys

# The hook's own work (a grad's snapshot, reading a backward's code) nests a
# few levels; PROBE leaves it ample room even after STEP more calls that each
# nest a few levels (a C call counts as a level before Python 3.12).
PROBE = 64
STEP = 8
# Farther than FAR levels from the limit nothing is probed: a cheap frame
# count tells, and the next look comes FAR // 4 calls later.
FAR = 256


def _probe(n):
    return n if n <= 0 else _probe(n - 1)


def calls_until_look():
    """For the profile hook, at a call event: None when fewer than PROBE
    recursion levels are left below the caller (it must stop listening),
    else how many call events may pass before it looks again."""
    limit = sys.getrecursionlimit()
    try:
        sys._getframe(max(0, limit - FAR))  # ValueError: fewer frames than that
    except ValueError:
        return FAR // 4
    try:
        _probe(PROBE)  # exact, C calls included, where a frame count is not
    except RecursionError:
        return None
    return STEP


def recursing(frame, depth=24):
    """The function that recurs: the one most of the innermost `depth` frames run, as `Class.method`."""
    counts, f = {}, frame
    for _ in range(depth):
        if f is None:
            break
        counts[f.f_code] = counts.get(f.f_code, 0) + 1
        f = f.f_back
    if not counts:
        return ""
    code = max(counts, key=counts.get)
    return getattr(code, "co_qualname", code.co_name)


_CO_RESUMABLE = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async generator


def _entered_through_c(frame):
    """Whether `frame` was run by a C function that itself counts as a
    recursion level before Python 3.12: a cell's module code run by exec(),
    or a coroutine resumed by `coro.send()` (not by `await`/`for`)."""
    code = frame.f_code
    if code.co_name == "<module>":
        return True
    caller = frame.f_back
    if not code.co_flags & _CO_RESUMABLE or caller is None:
        return False
    at = caller.f_lasti
    raw = caller.f_code.co_code
    return 0 <= at < len(raw) and dis.opname[raw[at]].startswith(("CALL", "PRECALL"))


def nested_levels(frame):
    """Recursion levels from the outer cell's `run_cell_async` down to the
    nested one that runs the body (`frame`: a frame the nested one called,
    its `pre_run_cell` callback): the depth the body runs deeper than a
    plain cell. The part below
    `run_cell_async` is the same code in both runs. None when there is no
    outer run (the magic called from Python, not from a cell)."""
    f = frame
    while f is not None and f.f_code.co_name != "run_cell_async":
        f = f.f_back
    if f is None:
        return None
    counts_c = sys.version_info < (3, 12)  # from 3.12 on only Python frames count
    levels = 0
    while f is not None:
        levels += 1 + (counts_c and _entered_through_c(f))
        f = f.f_back
        if f is not None and f.f_code.co_name == "run_cell_async":
            return levels
    return None


def _cause(name):
    """The usual cause of a recursion through `name` (`Class.method`), for a student."""
    method = name.rsplit(".", 1)[-1]
    if method.startswith("backward"):
        return ("Usually a Variable.backward calls self.backward() where the book calls x.backward() on the "
                "input (step 7), or the graph leads back to itself; a graph too deep for recursion fails this "
                "way too, and step 8's loop replaces the recursion.")
    if method.startswith("__") and method.endswith("__"):
        return ("An operator method that applies its own operator to its own class (`self + other` inside "
                "__add__) calls itself without end: call the function instead (book step 20: add(self, other)).")
    return (f"Usually {method} calls itself without a case that stops it (a missing base case), or the data "
            "it walks leads back to itself.")


UNLOADED = ("The cell unloaded the extension (%unload_ext dezero_magic): what ran after that line was not "
            "recorded, so this graph and its notes stop there.")


def watch_notes(watch, error):
    """What became of the profile hook, as notes: it stopped near the
    recursion limit, the cell set its own hook in its place or removed it,
    or an interrupt inside it made CPython take it off (not the cell's doing)."""
    if watch is None:
        return []
    if watch.recursed is not None:
        limit = sys.getrecursionlimit()  # (the cell's own limit again: the headroom is given back)
        name = watch.recursed
        where = f", through {name} again and again" if name else ""
        stopped = ("%%dezero stopped recording your classes' backward calls near that depth, so that its own "
                   "recording would not raise the error in your code"
                   + ("; the graph shows the backward steps recorded before it." if watch.calls else "."))
        if isinstance(error, RecursionError):
            return [f"RecursionError: the cell's calls nested deeper than Python's recursion limit ({limit})"
                    f"{where}. {_cause(name)} {stopped}"]
        return [f"The cell's calls nested to within about {PROBE} levels of Python's recursion limit ({limit})"
                f"{where}. {stopped}"]
    if watch.displaced:
        return ["The cell set its own profile hook (sys.setprofile, %prun), which replaced the one %%dezero "
                "records your classes' backward calls with: the backward order after that point was not "
                "recorded. Your hook is kept."]
    if watch.removed and watch.unloaded:
        return [UNLOADED]
    if watch.removed:
        return ["The cell removed the profile hook %%dezero records your classes' backward calls with "
                "(sys.setprofile(None)): the backward order after that point was not recorded."]
    if watch.raised_inside == "KeyboardInterrupt":   # (what a plain cell does too: nothing after it ran)
        return ["The cell was interrupted: recording stopped at the interrupt."]
    return []


# The recursion levels the magic puts under the cell's code (run_cell inside
# run_cell) when they cannot be measured (no outer cell): what a test shell
# measures. The limit is raised by exactly the levels measured otherwise: a
# recursion that just fits in a plain cell must fit here too (step 7's recursive
# backward on a long chain raised RecursionError only under %%dezero), and one
# that fails there must fail here (step 8's lesson).
HEADROOM = 12


@contextlib.contextmanager
def recursion_headroom(shell):
    """Raise the recursion limit by the levels the magic adds, once the
    nested run starts (its `pre_run_cell`: only then are its frames there to
    count), and take them back afterwards."""
    old = sys.getrecursionlimit()
    raised = []

    def measure(*_info):
        if raised:
            return
        try:
            levels = nested_levels(sys._getframe())
        except Exception:  # noqa: BLE001 - frames we cannot read: what a test shell adds
            levels = None
        raised.append(HEADROOM if levels is None else levels)
        sys.setrecursionlimit(sys.getrecursionlimit() + raised[0])

    events = getattr(shell, "events", None)
    registered = False
    try:
        events.register("pre_run_cell", measure)
        registered = True
    except Exception:  # noqa: BLE001 - no event to wait for: raise it now
        measure()
    try:
        yield
    finally:
        if registered:
            events.unregister("pre_run_cell", measure)
        if raised and sys.getrecursionlimit() == old + raised[0]:  # a limit the cell set itself stays
            sys.setrecursionlimit(old)
