"""Every lecture notebook runs top to bottom on a fresh kernel without an error.

Executed headless with nbclient on the "python3" kernel of this interpreter's
environment, from the notebooks folder (as JupyterLab would run them). A
notebook fails on any error output and on any stderr output that reports an
error (a traceback, or IPython's one-line UsageError); warnings on stderr
are allowed.
"""
import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
# IPython prints some errors (UsageError from a magic) to stderr without an
# "error" output; a line that starts like an exception report counts too.
STDERR_ERROR = re.compile(r"^(Traceback|UsageError|\w+Error\b|\w+Exception\b)", re.MULTILINE)
CELL_TIMEOUT_S = 180  # generous: the test machine has two busy cores


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    # The kernel spec runs "python": make that this interpreter (the venv's).
    env_path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_S,
        startup_timeout=120,
        allow_errors=True,  # collect every error, then report them all
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = env_path
    try:
        client.execute()
    finally:
        os.environ["PATH"] = old_path
    return notebook


def problems(notebook):
    """(cell number, description) for every error output or error report on stderr."""
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append((number, f"{output['ename']}: {output['evalue']}\n"
                                      + "\n".join(output.get("traceback", []))))
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                if STDERR_ERROR.search(output.get("text", "")):
                    found.append((number, "error on stderr:\n" + output["text"]))
    return found


EXPECTED = ["00_tour", "01_steps_01_10", "02_steps_11_16", "03_steps_17_18", "04_steps_19_24",
            "05_steps_25_36", "06_steps_37_60"]


def test_every_lecture_notebook_is_there():
    assert [p.stem for p in NOTEBOOK_FILES] == EXPECTED


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=[p.stem for p in NOTEBOOK_FILES])
def test_notebook_runs_clean(path):
    notebook = execute(path)
    found = problems(notebook)
    # The first error in full; later ones are often its consequences.
    report = "\n\n".join(f"cell {n}:\n{text}\n--- source:\n{notebook.cells[n].source}"
                         for n, text in found[:1])
    if len(found) > 1:
        report += f"\n\nerrors also in cells {[n for n, _ in found[1:]]}"
    assert not found, f"{path.name} has errors:\n{report}"
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells), "a code cell did not run"


def test_committed_notebooks_match_their_sources_and_have_no_outputs():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import build
    finally:
        sys.path.remove(str(NOTEBOOKS))
    assert build.main(["--check"]) == 0, "run: python notebooks/build.py"
    for path in NOTEBOOK_FILES:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            assert not cell.get("outputs") and not cell.get("execution_count"), path.name
