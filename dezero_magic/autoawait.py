"""Top-level `await` in a `%%dezero` cell.

IPython turns a cell magic into a plain call, `run_cell_magic(...)`, so the
kernel runs the cell synchronously; a body with `await` then needs a second
event loop, which fails inside Jupyter ("This event loop is already
running"). An input transform placed before IPython's cell-magic transform
rewrites exactly those cells (a `%%dezero` cell whose body has top-level
`await`) into `await <DezeroMagics>.dezero_cell_async(line, body)`: the
whole cell then runs on the kernel's own loop, as a plain cell with `await`
does. Every other cell is left to IPython untouched.
"""
import re

MAGIC_LINE = re.compile(r"%%dezero(?=\s|$)")
CALL = "await get_ipython().magics_manager.registry['DezeroMagics'].dezero_cell_async({line!r}, {body!r})\n"


def _body_awaits(shell, body):
    try:
        transformed = shell.transform_cell(body)
        # (compiling a 3,000-term expression raises RecursionError: that too is the ordinary way's to show)
        return shell.should_run_async(body, transformed_cell=transformed)
    except Exception:  # noqa: BLE001 - a body IPython cannot transform runs the ordinary way and fails there
        return False


def make_transform(shell):
    """The line transform for `shell` (a function of the cell's lines)."""

    def dezero_await(lines):
        if not lines or not MAGIC_LINE.match(lines[0]):
            return lines
        body = "".join(lines[1:])
        if not _body_awaits(shell, body):
            return lines
        line = lines[0][len("%%dezero"):].strip()
        return [CALL.format(line=line, body=body)]

    dezero_await.from_dezero_magic = True  # how `uninstall` finds it
    return dezero_await


def install(shell):
    """Put the transform first among the shell's line transforms (once)."""
    transforms = shell.input_transformer_manager.line_transforms
    if not any(getattr(t, "from_dezero_magic", False) for t in transforms):
        transforms.insert(0, make_transform(shell))


def uninstall(shell):
    transforms = shell.input_transformer_manager.line_transforms
    transforms[:] = [t for t in transforms if not getattr(t, "from_dezero_magic", False)]
