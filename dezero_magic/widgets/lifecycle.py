"""How long a displayed %%dezero view lives, so re-running cells never grows the kernel.

ipywidgets keeps every widget alive (in `ipywidgets.widgets.widget._instances`)
until `close()` is called on it, and the front end does not close a widget
when it clears an output. Without this module every run of a `%%dezero` cell
left its whole view (Tab, pages, controls, their Layout and style models,
the Trace and its graph) in the kernel for good.

The policy (`shown(view)` is called when a view's mime bundle is produced,
i.e. when it is displayed):

* **With a cell id** (JupyterLab, Notebook 7 and VS Code send the executing
  cell's id as `metadata.cellId` of the execute request; ipykernel keeps that
  message as the shell's parent): a view displayed by a new execution of a
  cell closes the views that the same cell displayed in earlier executions.
  The front end cleared that old output before running the cell again, so
  nothing on screen loses its model. Views of one execution (two `%dezero`
  lines in one cell) are kept together. Cells listed in `metadata.deletedCells`
  (JupyterLab sends the ids of cells deleted since the last request) have
  their views closed too. These views are not capped: they are bounded by the
  number of cells in the notebook.
* **With a kernel but no cell id** (classic Notebook 6, qtconsole, jupyter
  console, front ends that do not send it): the views cannot be matched to
  outputs, so the last `ANONYMOUS_LIMIT` are kept and the oldest beyond it is
  closed. If that old output is still on screen, its widget area empties (its
  static SVG stays in a saved notebook); a cell that many `%%dezero` runs ago
  has almost always been re-run or scrolled past.
* **Without a kernel** (terminal IPython, a plain `InteractiveShell`, tests):
  no front end can ever render a widget, so only `NO_FRONT_END_LIMIT` views
  are kept (code that builds a view and drives it right away still can). The
  bundle is the same as in a kernel, so tests of the widget output keep
  meaning what they say.

`close_view` closes everything a view made: its widgets, their Layout and
style models, and links held as attributes (`Widget.close()` alone closes
only the one model, not its children); it stops a playing Play first.
"""
from collections import OrderedDict, deque

import ipywidgets as widgets

ANONYMOUS_LIMIT = 50
NO_FRONT_END_LIMIT = 5

_by_cell = OrderedDict()   # cell id -> (msg id of the execution that displayed them, [views])
_anonymous = deque()       # views without a cell id, oldest first


def _get_ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # IPython absent: no shell, no front end
        return None
    return get_ipython()


def parent_message(shell):
    """The execute request being run (a dict; empty without a kernel)."""
    kernel = getattr(shell, "kernel", None)
    get_parent = getattr(kernel, "get_parent", None)
    parent = None
    if callable(get_parent):
        try:
            parent = get_parent("shell")
        except TypeError:  # ipykernel < 6 takes no channel
            parent = get_parent()
    if not isinstance(parent, dict):
        parent = getattr(shell, "parent_header", None)
    return parent if isinstance(parent, dict) else {}


def execution(shell=None):
    """(has_kernel, cell id or None, message id or None, deleted cell ids) for the running cell."""
    shell = _get_ipython() if shell is None else shell
    if getattr(shell, "kernel", None) is None:
        return False, None, None, ()
    parent = parent_message(shell)
    metadata = parent.get("metadata") or {}
    header = parent.get("header") or {}
    cell_id = metadata.get("cellId") if isinstance(metadata, dict) else None
    deleted = metadata.get("deletedCells") if isinstance(metadata, dict) else None
    deleted = tuple(d for d in deleted if isinstance(d, str)) if isinstance(deleted, (list, tuple)) else ()
    msg_id = header.get("msg_id") if isinstance(header, dict) else None
    return True, (cell_id if isinstance(cell_id, str) and cell_id else None), msg_id, deleted


def shown(view, shell=None):
    """Record that `view` is being displayed now; close what this makes stale (module docstring)."""
    has_kernel, cell_id, msg_id, deleted = execution(shell)
    for gone in deleted:
        _close_cell(gone)
    if cell_id is None:
        if any(v is view for v in _anonymous):
            return
        _anonymous.append(view)
        limit = ANONYMOUS_LIMIT if has_kernel else NO_FRONT_END_LIMIT
        while len(_anonymous) > limit:
            close_view(_anonymous.popleft())
        return
    earlier_msg, views = _by_cell.get(cell_id, (msg_id, []))
    if earlier_msg != msg_id:      # a new execution of that cell: its old output is gone
        _close_cell(cell_id)
        views = []
    if not any(v is view for v in views):
        views.append(view)
    _by_cell[cell_id] = (msg_id, views)


def _close_cell(cell_id):
    _msg, views = _by_cell.pop(cell_id, (None, []))
    for view in views:
        close_view(view)


def live_views():
    """How many displayed views are kept alive (for tests and diagnostics)."""
    return len(_anonymous) + sum(len(views) for _msg, views in _by_cell.values())


def close_all_views():
    """Close every view this module keeps (e.g. when the extension is unloaded)."""
    for cell_id in list(_by_cell):
        _close_cell(cell_id)
    while _anonymous:
        close_view(_anonymous.popleft())


def _owned(w):
    """Widgets `w` refers to: synced traits (children, layout, style, ...) and attributes
    (pages kept for code, links that no container holds)."""
    values = [getattr(w, key, None) for key in getattr(w, "keys", ())]
    values += list(vars(w).values())
    for value in values:
        if isinstance(value, widgets.Widget):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, widgets.Widget))
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, widgets.Widget))


def close_view(view):
    """Close `view` and every widget reachable from it (each once), its Plays
    stopped first: ipywidgets' front-end PlayModel keeps its timer when its
    model closes, and each tick then throws "Syncing error: no comm channel
    defined" (every interval, for good with repeat on). Messages reach the
    front end in order, so it has paused before it reads the close."""
    found, todo = {}, [view]
    while todo:
        w = todo.pop()
        if id(w) not in found:
            found[id(w)] = w
            todo.extend(_owned(w))
    for w in found.values():
        if isinstance(w, widgets.Play) and w.comm is not None:
            with w.hold_sync():   # one message; nothing is sent for a Play already at rest
                w.repeat = False
                w.playing = False
    for w in found.values():
        w.close()
