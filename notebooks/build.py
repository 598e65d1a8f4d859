"""Write the lecture notebooks from their sources.

The sources are notebooks/src/*.py in the "percent" format that VS Code and
jupytext read: a line `# %%` starts a code cell, `# %% [markdown]` starts a
markdown cell whose lines are comments ("# text"). Keeping the sources as
plain Python makes reviews readable; the .ipynb files are generated from
them, without outputs, and committed.

Usage::

    python notebooks/build.py           # (re)write notebooks/*.ipynb
    python notebooks/build.py --check   # exit 1 if a notebook is not what its source gives
"""
import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"name": "python"},
}


def _markdown_line(line, source, number):
    if line in ("#", ""):
        return ""
    if line.startswith("# "):
        return line[2:]
    raise ValueError(f"{source}:{number}: a markdown cell's lines start with '# ' (got {line!r})")


def parse(source):
    """Cells of a percent-format source: a list of ("code" | "markdown", text)."""
    cells = []
    kind, lines = None, []

    def flush():
        if kind is not None:
            text = "\n".join(lines).strip("\n")
            if text:
                cells.append((kind, text))

    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# %%"):
            flush()
            kind = "markdown" if "[markdown]" in line else "code"
            lines = []
        elif kind == "markdown":
            lines.append(_markdown_line(line, source, number))
        elif kind == "code":
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"{source}:{number}: code before the first '# %%' line")
    flush()
    return cells


def build(source):
    notebook = new_notebook(metadata=METADATA)
    for index, (kind, text) in enumerate(parse(source)):
        make = new_markdown_cell if kind == "markdown" else new_code_cell
        # Stable ids keep regenerated notebooks byte-identical.
        notebook.cells.append(make(text, id=f"{source.stem[:2]}-{index:03d}"))
    return nbformat.writes(notebook) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SOURCES.glob("*.py")):
        target = HERE / (source.stem + ".ipynb")
        text = build(source)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(target.name)
        if not args.check:
            target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("out of date (run python notebooks/build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
