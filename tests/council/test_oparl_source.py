"""The council information as a dataset of the open data catalogue: the OParl interface and
the meetings calendar, for an authority whose council is kept here."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from rathaus.core import datasets
from rathaus.council import source
from tests.factories import AuthorityFactory
from tests.factories.council import BodyFactory, MeetingFactory, PaperFactory

pytestmark = pytest.mark.django_db


def test_the_source_applies_with_a_council_and_follows_its_changes():
    town = AuthorityFactory(slug="barleben")
    registered = datasets.get("council.oparl")
    assert registered is source.SOURCE
    assert not registered.applies(town)
    assert registered.modified(town) is None
    with time_machine.travel(dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC), tick=False):
        body = BodyFactory(authority=town)
        MeetingFactory(body=body, start=dt.datetime(2025, 9, 1, 16, tzinfo=dt.UTC), end=None)
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        paper = PaperFactory(body=body)
    PaperFactory()  # another council's change does not count
    assert registered.applies(town)
    assert registered.modified(town) == paper.modified
    assert registered.temporal_start(town) == dt.date(2025, 9, 1)
    kinds = {(d.format, d.media_type, d.download) for d in registered.distributions(town)}
    assert kinds == {("JSON", "application/json", False), ("ICS", "text/calendar", True)}
    paths = [d.path for d in registered.distributions(town)]
    assert paths == ["/oparl/v1/", "/rat/sitzungen.ics"]
    assert Client().get(paths[0]).status_code == 200
