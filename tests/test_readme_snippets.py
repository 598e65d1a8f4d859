"""README.md's quickstart runs as written, in a fresh interpreter: a lecturer copies it first.
(QA 19: its notebook cells used np, F and Variable without importing them: NameError.)"""
import json
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"

# Each README code block in its own cell of a fresh IPython shell, in order; prints what failed.
RUNNER = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
failed = []
for cell in json.loads(sys.argv[1]):
    result = shell.run_cell(cell, store_history=False)
    if not result.success:
        failed.append([cell, repr(result.error_before_exec or result.error_in_exec)])
print("FAILED=" + json.dumps(failed))
"""


def quickstart_blocks():
    text = README.read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```[a-z]*\n(.*?)```", section, re.S)


def test_the_quickstart_blocks_run_as_written_in_a_fresh_shell():
    blocks = quickstart_blocks()
    notebook = [b for b in blocks if "%load_ext dezero_magic" in b]
    assert notebook and any(b.startswith("%%dezero") for b in blocks), blocks
    # The notebook part alone, as a lecturer pastes it into a new notebook; then everything in order.
    for cells in (blocks[blocks.index(notebook[0]):], blocks):
        out = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(cells)], capture_output=True,
                             text=True, timeout=240, cwd=README.parent)
        line = [x for x in out.stdout.splitlines() if x.startswith("FAILED=")]
        assert line, out.stdout[-2000:] + out.stderr[-2000:]
        assert json.loads(line[0][len("FAILED="):]) == [], line[0]


def test_the_numpy_functions_the_readme_calls_twins_give_a_variable_with_a_graph():
    import numpy as np

    from dezero import Variable

    text = README.read_text()
    bullet = text.split("NumPy functions that dezero has a differentiable twin for", 1)[1].split("\n- ", 1)[0]
    named = set(re.findall(r"`np\.(\w+)`", bullet.split("Those whose answer")[0]))
    v, m = Variable(np.array([1.0, 2.0, 3.0, 4.0])), Variable(np.arange(4.0).reshape(2, 2))
    calls = {"mean": lambda: np.mean(v), "average": lambda: np.average(v, weights=[1, 2, 3, 4]),
             "reshape": lambda: np.reshape(v, (2, 2)), "ravel": lambda: np.ravel(m),
             "expand_dims": lambda: np.expand_dims(v, 0), "broadcast_to": lambda: np.broadcast_to(v, (2, 4)),
             "clip": lambda: np.clip(v, 1.5, 3.5), "dot": lambda: np.dot(v, v), "trace": lambda: np.trace(m),
             "trapezoid": lambda: np.trapezoid(v), "nansum": lambda: np.nansum(v)}
    assert named == set(calls), named ^ set(calls)
    for name, call in calls.items():
        out = call()
        assert isinstance(out, Variable) and out.creator is not None, name
