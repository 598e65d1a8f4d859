"""How the nested `run_cell` of a `%%dezero` cell is made to read as the
outer cell: the source it runs (the cell's own line numbers, a one-line
cell's IPython syntax), the number its tracebacks give, its trailing `;`,
and the warnings its own syntax check would print a second time.
"""
import contextlib
import textwrap
import warnings

# Prepended to the body so traceback line numbers are the cell's own
# (line 1 of the cell is the `%%dezero` line).
LINE_ONE = "# %%dezero\n"


def cell_source(body):
    """What the nested run executes. LINE_ONE keeps the cell's own line
    numbers; a body that starts with another cell magic (`%%time` on the
    line below `%%dezero`) runs as that magic, which must stay on line 1."""
    if body.lstrip().startswith("%%"):
        return body
    # IPython dedents a cell by its lines' common indentation (a body pasted
    # from inside a def): LINE_ONE gets that indentation too, or its margin 0
    # would leave the body indented (IndentationError where a plain cell runs).
    return _margin(body) + LINE_ONE + body


def _margin(body):
    """The indentation that textwrap.dedent (IPython's leading_indent)
    removes from every line of `body`; "" for most cells."""
    dedented = textwrap.dedent(body)
    if dedented == body:
        return ""
    for line, flat in zip(body.splitlines(), dedented.splitlines()):
        if line.strip():
            return line[:len(line) - len(flat)]
    return ""


def one_line_source(shell, body, code):
    """The source for a one-line body that IPython's prefilter rewrote
    (`code`: the body as `transform_cell` made it), else None. IPython
    applies automagic (`cd /tmp`, `pwd`, `ls` without `%`) and autocall to
    one-line cells only, and LINE_ONE makes the body two lines: the nested
    run gets the line already rewritten, still on line 2."""
    if body.lstrip().startswith("%%"):
        return None
    try:
        static = shell.input_transformer_manager.transform_cell(body)
    except Exception:  # noqa: BLE001 - the nested run reports the cell's own error
        return None
    if len(static.splitlines()) != 1 or static.strip() == code.strip():
        return None
    return LINE_ONE + code


@contextlib.contextmanager
def _patched(owner, name, replacement):
    """`owner.name` is `replacement` inside the block; afterwards the
    attribute is what it was: restored where the instance had its own, else
    deleted (the class's method shows through again)."""
    had_own = name in vars(owner)
    previous = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        if had_own:
            setattr(owner, name, previous)
        else:
            delattr(owner, name)


def numbered_as(shell, number):
    """Compile the nested run under the outer cell's number. IPython counts a
    cell before running it, so the nested run would be named In[n+1] in
    tracebacks while the cell shows [n]."""
    compiler = getattr(shell, "compile", None)
    cache = getattr(compiler, "cache", None)
    if number is None or cache is None:
        return contextlib.nullcontext()

    def cache_as_outer(code, *args, **kwargs):
        kwargs.pop("number", None)
        return cache(code, number, *args[1:], **kwargs)

    return _patched(compiler, "cache", cache_as_outer)


def quiet_as(shell, code):
    """A trailing `;` hides Out[] as in a plain cell. IPython decides that
    from the last history entry, which is the outer `%%dezero` call, not
    the body the nested run executes."""
    hook = getattr(shell, "displayhook", None)
    check = getattr(hook, "semicolon_at_end_of_expression", None)
    if hook is None or not callable(check):
        return contextlib.nullcontext()

    def quiet():
        try:
            return bool(check(code))
        except Exception:  # noqa: BLE001 - untokenizable text: as IPython does, show the value
            return False

    return _patched(hook, "quiet", quiet)


def async_check_silent(shell):
    """IPython compiles a cell once to see whether it awaits, and that compile
    prints the cell's SyntaxWarnings (`'a' is b`) as `<>:N`. The outer cell
    (dezero_magic.autoawait's check of the body) printed them already: the
    nested run's check stays silent, so a warning shows as often as in a
    plain cell. The filter covers that check only, never the cell's code."""
    check = getattr(shell, "should_run_async", None)
    if not callable(check):
        return contextlib.nullcontext()

    def silent_check(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)  # an invalid escape '\d', on Python 3.11
            return check(*args, **kwargs)

    return _patched(shell, "should_run_async", silent_check)
