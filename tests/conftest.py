"""Shared fixtures: a seeded RNG and a fresh IPython shell with the extension."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: playwright's sync API keeps an asyncio loop
    # marked as running in the main thread while its session fixture lives,
    # and IPython's top-level await (tested in tests/dezero_magic) cannot run
    # a cell's coroutine under a running loop.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
