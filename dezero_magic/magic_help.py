"""Help and hints of the magics (`dezero_magic.magic`): -h/--help, the
-o option's text, argparse messages with what was meant, and the input
transform that lets `%%dezero -h` alone in a cell print the help.
"""
import inspect
import re
import shlex

# -o, as each magic checks it (magic._check_output): the cell magic also refuses a name its cell
# assigns; both say the same of the rest. (No percent signs: argparse formats these.)
_OUTPUT = ("store the Trace (graph, svg(), html(), text(), dot(), caption()) in NAME, a new variable or "
           "one holding an earlier Trace (refused if NAME holds anything else, is IPython's own (Out, _3, "
           "...) or a Python builtin")
HELP_OUTPUT = {"cell": _OUTPUT + ", or the cell assigns it)", "line": _OUTPUT + ")"}

MAGIC_LINE = re.compile(r"%%dezero(?=\s|$)")


def asks_help(line):
    """Whether the magic line asks for help (-h or --help among the options,
    before a `--` that starts an expression)."""
    try:
        tokens = shlex.split(line)
    except ValueError:  # an unclosed quote: argparse will say so
        tokens = line.split()
    if "--" in tokens:
        tokens = tokens[:tokens.index("--")]
    return "-h" in tokens or "--help" in tokens


def print_help(magic, not_run):
    # The text `%%dezero?` shows: the docstring with usage and options.
    text = inspect.cleandoc(magic.__doc__ or "")
    print(text[2:].lstrip("\n") if text.startswith("::") else text)  # (reST's literal-block marker)
    print(f"\n({not_run}: -h shows this help; remove it to run.)")


# Dashes a slide or a word processor puts where a hyphen was typed: "—b y" is no option to argparse.
_LONG_DASHES = "\u2012\u2013\u2014\u2015\u2212"


def with_hint(message, line):
    """argparse's "unrecognized arguments: * 2)" with what was meant: the
    magic line splits at spaces, a comment is not Python there, and a long
    dash pasted from a slide is no hyphen."""
    if "unrecognized arguments:" not in message:
        return message
    extra = message.split("unrecognized arguments:", 1)[1].strip()
    hints = []
    if not extra.startswith("#") and re.search(r"(^|\s)(-b|--backward)(\s|=)", line):
        hints.append('quote an expression that has spaces: -b "F.sum(y * 2)"')
    if "#" in extra:
        hints.append("a comment cannot follow the options on the %%dezero line; put it in the cell")
    dashed = [t for t in extra.split() if t[:1] in _LONG_DASHES]
    if dashed:
        hints.append(f"{dashed[0]} starts with a long dash (pasted from a slide?): type the option with a plain "
                     f"hyphen, -{dashed[0].lstrip(_LONG_DASHES)}")
    hints.append("%%dezero -h lists the options")
    return f"{message} ({'; '.join(hints)}). The cell was not run."


def not_run(message):
    """An option error of %%dezero, saying the cell was not run (once): a lecturer must
    know whether the cell's x and y were made. (Not for %dezero, which runs no cell.)"""
    if "the cell was not run" in message.lower():
        return message
    return f"{message.rstrip()}{'' if message.rstrip().endswith('.') else '.'} The cell was not run."


# Initialisms are read letter by letter: these letters' names start with a vowel sound.
_AN_LETTERS = "AEFHILMNORSX"
_INITIALISM = re.compile(r"[A-Z]{2,}")


def a_noun(noun):
    """'a float', 'an int', 'an ndarray' (said en-dee-array), 'an MLP',
    'a GRU': the article goes by the sound of the class name."""
    if _INITIALISM.match(noun):  # MLP, RNN, LSTM, SGD, GRU
        return f"an {noun}" if noun[0] in _AN_LETTERS else f"a {noun}"
    vowel = noun[:1].lower() in "aeiou" and not noun.lower().startswith(("uni", "use", "usu", "eu", "one"))
    return f"an {noun}" if vowel or noun.startswith("nd") else f"a {noun}"


def value_is(value):
    """'an int', 'a tuple' ...; None said as such (`y = f(x)` with an f that has no `return`)."""
    if value is None:
        return "None (a function without `return` gives None)"
    return a_noun(type(value).__name__)


# Options that take a value: given twice, argparse keeps the last one without a word.
_VALUED = (("-b", "--backward"), ("-o", "--output"), ("--max-nodes",), ("--rankdir",))


def repeated_option(line):
    """'-b given twice ...' when an option that takes a value appears more
    than once on the magic line (before a `--`), else None."""
    try:
        tokens = shlex.split(line)
    except ValueError:  # an unclosed quote: argparse will say so
        return None
    if "--" in tokens:
        tokens = tokens[:tokens.index("--")]
    for names in _VALUED:
        given = [t for t in tokens if t in names or t.startswith(tuple(n + "=" for n in names if n[1] == "-"))]
        if len(given) > 1:
            return (f"{names[0]} is given {len(given)} times on the %%dezero line; give it once (the cell "
                    "was not run)")
    return None


def line_hint(message, line):
    """The line magic's argparse message, with what was meant: an
    expression that starts with - (read as an option)."""
    if "required: expr" in message.lower() and line.strip().startswith("-"):
        return f"{message} (an expression that starts with - goes after --: %dezero -- -y)"
    return message


def _help_transform(shell):
    """A line transform: `%%dezero -h` with no body. IPython refuses a cell
    magic with an empty body before calling it ("the cell body is empty"),
    so the help would never print; given an empty line as its body, the
    magic is called and prints it. Inert once the extension is unloaded."""

    def dezero_help(lines):
        if (len(lines) != 1 or not MAGIC_LINE.match(lines[0]) or not asks_help(lines[0][len("%%dezero"):])
                or "dezero" not in shell.magics_manager.magics["cell"]):
            return lines
        return [lines[0].rstrip("\n") + "\n", "\n"]

    dezero_help.dezero_magic_help = True  # how a second load finds it
    return dezero_help


def install_help_transform(shell):
    """Put the transform first among the shell's line transforms (once: a
    reload finds the one installed before)."""
    manager = getattr(shell, "input_transformer_manager", None)
    transforms = getattr(manager, "line_transforms", None)
    if transforms is not None and not any(getattr(t, "dezero_magic_help", False) for t in transforms):
        transforms.insert(0, _help_transform(shell))


def remove_help_transform(shell):
    manager = getattr(shell, "input_transformer_manager", None)
    transforms = getattr(manager, "line_transforms", None)
    if transforms is not None:
        transforms[:] = [t for t in transforms if not getattr(t, "dezero_magic_help", False)]
