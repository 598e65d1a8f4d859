"""Peer frameworks for the benchmarks, installed side by side and run apart.

The book's own package (dezero 0.0.13) has the import name `dezero`, the same
as ours, so it must never share an interpreter with our code: it is installed
with `pip --target` into benchmarks/.peers/ (gitignored) and every benchmark
that uses it runs in a fresh subprocess whose sys.path starts with that
folder. micrograd is handled the same way so its timings are taken under the
same conditions.

    from peers import ensure_dezero_0013, run_isolated
    path = ensure_dezero_0013()
    if path is not None:
        print(run_isolated("import dezero; print(dezero.__file__)", [path]))
"""
import os
import pathlib
import subprocess
import sys
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
PEERS_DIR = HERE / ".peers"

# dezero 0.0.13 still uses `np.int`, which NumPy 1.24 removed: without this
# alias the book's package no longer even imports on a current NumPy.
_PRELUDE = """\
import sys
sys.path[:0] = {entries!r}
import numpy as np
if not hasattr(np, "int"):
    np.int = int
"""


class PeerError(RuntimeError):
    """The isolated peer process failed; the message carries its stderr."""


def _pip_install_target(requirement, target, probe):
    """Install `requirement` into `target` unless `probe` (a file relative to
    target) is already there. Returns the path or None, printing why not."""
    target = pathlib.Path(target)
    if (target / probe).exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
           "--disable-pip-version-check", "--target", str(target), requirement]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"[peers] cannot install {requirement}: {exc}", file=sys.stderr)
        return None
    if result.returncode != 0 or not (target / probe).exists():
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        print(f"[peers] cannot install {requirement} (pip exit {result.returncode}): "
              + " | ".join(tail), file=sys.stderr)
        return None
    return target


def ensure_dezero_0013():
    """Path of a folder holding the book's dezero 0.0.13, installed on first
    use; None (with the reason printed) when it cannot be installed."""
    return _pip_install_target("dezero==0.0.13", PEERS_DIR / "dezero-0.0.13",
                               os.path.join("dezero", "__init__.py"))


def ensure_micrograd():
    """Path of a folder holding micrograd 0.1.0 (Karpathy's scalar engine),
    installed on first use; None (with the reason printed) when impossible."""
    return _pip_install_target("micrograd==0.1.0", PEERS_DIR / "micrograd",
                               os.path.join("micrograd", "engine.py"))


def run_isolated(code, path_entries, timeout=600):
    """Run `code` in a fresh interpreter with `path_entries` first on sys.path
    and the `np.int` alias in place; return its stdout.

    The child starts in the peers folder (not the repository), so our own
    `dezero` can never shadow the peer's. Raises PeerError with the child's
    stderr when it fails.
    """
    entries = [os.fspath(p) for p in path_entries]
    program = _PRELUDE.format(entries=entries) + textwrap.dedent(code)
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # nothing of ours may leak onto the child's path
    result = subprocess.run([sys.executable, "-I", "-c", program], capture_output=True,
                            text=True, timeout=timeout, cwd=PEERS_DIR, env=env, check=False)
    if result.returncode != 0:
        raise PeerError(f"peer process failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


def imports_without_alias(path_entry):
    """Whether dezero 0.0.13 imports on this NumPy *without* the np.int alias
    (False on NumPy >= 1.24); returns (ok, last line of the error)."""
    code = f"import sys; sys.path.insert(0, {os.fspath(path_entry)!r}); import dezero"
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=PEERS_DIR, check=False)
    errors = [line for line in result.stderr.splitlines() if "Error" in line.split(":")[0]]
    return result.returncode == 0, (errors[-1].strip() if errors else result.stderr.strip()[-200:])


if __name__ == "__main__":
    for name, ensure in (("dezero 0.0.13", ensure_dezero_0013), ("micrograd", ensure_micrograd)):
        path = ensure()
        print(f"{name}: {path}")
    path = ensure_dezero_0013()
    if path is not None:
        print(run_isolated("import dezero, numpy; print(dezero.__version__, numpy.__version__)",
                           [path]).strip())
        print("imports without the np.int alias:", imports_without_alias(path))
