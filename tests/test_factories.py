"""Every model of rathaus has a factory, and every factory stores a valid object.

A new model without a factory fails here: add one to ``tests/factories/`` (the module of its app).
"""

from __future__ import annotations

import factory
import pytest
from django.apps import apps

import tests.factories

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

# Models without a factory, on purpose. Shrink this list; never add a model only to silence the
# test.
WITHOUT_FACTORY: set[str] = set()

FACTORIES = [
    value
    for value in vars(tests.factories).values()
    if isinstance(value, type)
    and issubclass(value, factory.django.DjangoModelFactory)
    and value._meta.model is not None
]


def rathaus_models() -> set[str]:
    return {
        model._meta.label
        for config in apps.get_app_configs()
        if config.name.startswith("rathaus.")
        for model in config.get_models()
    }


def test_every_model_of_rathaus_has_a_factory():
    covered = {item._meta.model._meta.label for item in FACTORIES}
    assert rathaus_models() - covered - WITHOUT_FACTORY == set()


def test_the_list_of_models_without_a_factory_holds_only_models_without_one():
    covered = {item._meta.model._meta.label for item in FACTORIES}
    assert rathaus_models() >= WITHOUT_FACTORY
    assert WITHOUT_FACTORY & covered == set()


# Every factory's objects pass full_clean() today, so there is no list of exceptions; a model
# whose validators cannot pass for a stored row would be named here with the reason.
@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda item: item.__name__)
def test_factory_stores_valid_objects(model_factory, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # for the factories with a file field
    first = model_factory.create()
    second = model_factory.create()  # unique fields come from sequences
    assert None not in (first.pk, second.pk)
    assert first.pk != second.pk
    for stored in (first, second):
        stored.refresh_from_db()
        stored.full_clean()
