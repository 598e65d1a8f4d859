"""Shared fixtures: a seeded RNG and a fresh IPython shell with the extension."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)
