"""Fixtures for dezero_magic: a real IPython shell with the extension loaded."""
import sys

import pytest

sys.path.insert(0, __file__.rsplit("/", 1)[0])  # student_code.py lives next to the tests


@pytest.fixture
def shell():
    """The global test InteractiveShell, extension loaded, namespace cleaned after."""
    from IPython.testing.globalipapp import get_ipython, start_ipython

    from dezero import events

    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "dezero_magic")
    ip.run_cell("import numpy as np\nimport dezero\nimport dezero.functions as F\n"
                "from dezero import Variable", store_history=False)
    before = set(ip.user_ns)
    yield ip
    for name in set(ip.user_ns) - before:
        ip.user_ns.pop(name, None)
    # A cell that bound `_` itself (`for _ in range(12)`) makes IPython stop
    # updating _, __, ___ for good (it will not overwrite a user's `_`); the
    # next test must start with them in IPython's hands again.
    for unders in ("_", "__", "___"):
        ip.user_ns[unders] = getattr(ip.displayhook, unders)
    ip.run_line_magic("unload_ext", "dezero_magic")
    assert events.observers() == (), "a %%dezero cell left an observer registered"
    assert sys.getprofile() is None


@pytest.fixture
def displayed(monkeypatch):
    """Objects passed to IPython's display() by the magic, in order."""
    shown = []
    monkeypatch.setattr("dezero_magic.magic.display", lambda obj: shown.append(obj))
    return shown
