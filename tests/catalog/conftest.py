from __future__ import annotations

import pytest

from rathaus.core import demo


@pytest.fixture
def barleben_catalogue(db):
    """The Barleben demo with its catalogue sample, synonyms, offers and responsibilities."""
    demo.load()
    from rathaus.core.models import Authority

    return Authority.objects.get(slug="barleben")
