from __future__ import annotations

import pytest

from tests.support import ALL_TYPES_LAYOUT, ALL_TYPES_SCHEMA


@pytest.fixture
def all_types_form(barleben):
    """The all-types form published for Barleben at /antrag/alle-felder/."""
    from rathaus.forms import services

    version = services.create_definition(
        authority=barleben,
        slug="alle-felder",
        title="Alle Felder",
        schema=ALL_TYPES_SCHEMA,
        layout=ALL_TYPES_LAYOUT,
        receipt_email_field="email",
    )
    return services.publish(version)
