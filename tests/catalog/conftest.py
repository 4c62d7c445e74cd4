from __future__ import annotations

import pytest


@pytest.fixture
def barleben_catalogue(barleben):
    """The Barleben demo with its catalogue sample, synonyms, offers and responsibilities, as
    `rathaus demo-data` loads it: with the sensor history (see ``tests.support.load_demo`` and
    the demo snapshot in tests/conftest.py)."""
    return barleben
