"""Fixtures for the dezero tests."""
import sys

import pytest


@pytest.fixture(autouse=True)
def _outside_ipython(monkeypatch):
    """dezero's tests run as a script does (the book's use): an IPython shell
    that a dezero_magic test started earlier in the same run would make
    plot_dot_graph return IPython's Image/SVG instead of the path."""
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
