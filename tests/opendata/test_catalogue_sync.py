"""The sync of the datasets the platform produces into the catalogue (ADR 0064): created,
updated and withdrawn with their sources, idempotent without writes, staff edits kept, each
authority with its own data; the demo's platform datasets lead to working addresses."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rathaus.core import datasets, housekeeping
from rathaus.core import demo as core_demo
from rathaus.core.models import Authority
from rathaus.opendata import catalogue_sync, sources
from rathaus.opendata.catalogue_models import DEFAULT_LICENCE, Dataset
from rathaus.opendata.models import Topic
from tests.factories import DatastreamFactory, ThingFactory
from tests.factories.core import AuthorityFactory
from tests.factories.opendata import DatasetFactory, LatestObservationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]

AIR = "opendata.sensors.luft"
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _stream(authority, topic=Topic.AIR, at=NOON, **fields):
    stream = DatastreamFactory(thing=ThingFactory(authority=authority), topic=topic, **fields)
    if at is not None:
        LatestObservationFactory(datastream=stream, phenomenon_time=at)
    return stream


@pytest.fixture
def town():
    return AuthorityFactory(slug="stadt-a", name="Stadt A", email="info@stadt-a.example")


def _air(authority):
    return Dataset.objects.get(authority=authority, source=AIR)


def test_a_topic_with_datastreams_becomes_a_published_dataset_with_its_distributions(town):
    first = _stream(town, name="PM10 Markt")
    second = _stream(town, name="NO2 Markt", at=NOON + dt.timedelta(hours=2))

    summary = catalogue_sync.sync_authority(town)

    assert (summary.created, summary.updated, summary.withdrawn) == (1, 0, 0)
    dataset = _air(town)
    assert dataset.status == Dataset.Status.PUBLISHED
    assert dataset.slug == "sensordaten-luft"
    assert dataset.title == "Messwerte der Luftqualität"
    assert dataset.licence == DEFAULT_LICENCE
    assert dataset.contact_email == "info@stadt-a.example"
    assert dataset.contact_name == "Stadt A"
    assert dataset.modified == NOON + dt.timedelta(hours=2)
    assert dataset.issued is not None
    assert dataset.landing_page == "http://testserver/daten/luft/"
    assert dataset.themes == ["ENVI", "HEAL"]
    rows = list(dataset.distributions.values_list("title", "access_url", "download_url", "format"))
    api = (
        f"http://testserver/sta/v1.1/Datastreams?$filter=id%20eq%20{second.pk}"
        f"%20or%20id%20eq%20{first.pk}"
    )
    assert rows == [
        ("NO2 Markt", f"http://testserver/daten/luft/{second.pk}.csv",
         f"http://testserver/daten/luft/{second.pk}.csv", "CSV"),
        ("PM10 Markt", f"http://testserver/daten/luft/{first.pk}.csv",
         f"http://testserver/daten/luft/{first.pk}.csv", "CSV"),
        ("Schnittstelle für Apps (OGC SensorThings API)", api, "", "JSON"),
    ]  # fmt: skip
    # Topics without datastreams give no dataset
    assert not Dataset.objects.filter(authority=town, source="opendata.sensors.bus").exists()


def test_many_series_get_the_unfiltered_api_address(town, monkeypatch):
    monkeypatch.setattr(sources, "MAX_API_PATH", 40)
    _stream(town)
    _stream(town)

    catalogue_sync.sync_authority(town)

    api = _air(town).distributions.get(format="JSON")
    assert api.access_url == "http://testserver/sta/v1.1/Datastreams"


def test_the_sync_follows_new_series_newer_values_and_withdraws_when_nothing_is_left(town):
    first = _stream(town)
    catalogue_sync.sync_authority(town)
    second = _stream(town, at=NOON + dt.timedelta(days=1))

    summary = catalogue_sync.sync_authority(town)

    assert summary.updated == 1
    dataset = _air(town)
    assert dataset.modified == NOON + dt.timedelta(days=1)
    assert dataset.distributions.count() == 3
    assert dataset.distributions.filter(access_url__endswith=f"/{second.pk}.csv").exists()

    first.delete()
    second.delete()
    summary = catalogue_sync.sync_authority(town)

    assert summary.withdrawn == 1
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.DRAFT

    _stream(town)
    catalogue_sync.sync_authority(town)
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.PUBLISHED  # the sync withdrew it: it comes back
    assert Dataset.objects.filter(authority=town, source=AIR).count() == 1


def test_a_second_run_without_changes_writes_nothing(town):
    _stream(town)
    _stream(town, topic=Topic.TRAFFIC)
    catalogue_sync.sync_authority(town)

    with CaptureQueriesContext(connection) as second:
        summary = catalogue_sync.sync_authority(town)
    with CaptureQueriesContext(connection) as third:
        catalogue_sync.sync_authority(town)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    writes = [q["sql"] for q in second.captured_queries
              if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]  # fmt: skip
    assert writes == []
    assert len(second.captured_queries) == len(third.captured_queries)
    # Listing the datasets (2) and asking each source (a few each), not one query per row
    assert len(second.captured_queries) <= 2 + 2 * len(datasets.registered()) + 2


def test_staff_edits_of_description_keywords_and_contact_survive(town):
    _stream(town)
    catalogue_sync.sync_authority(town)
    dataset = _air(town)
    dataset.description = "Von der Verwaltung ergänzt: Messungen seit 2019."
    dataset.keywords = ["Feinstaub"]
    dataset.contact_email = "umwelt@stadt-a.example"
    dataset.save()
    Authority.objects.filter(pk=town.pk).update(name="Stadt A an der Ohre", email="neu@a.example")
    town.refresh_from_db()
    _stream(town, at=NOON + dt.timedelta(hours=5))

    catalogue_sync.sync_authority(town)

    dataset.refresh_from_db()
    assert dataset.description == "Von der Verwaltung ergänzt: Messungen seit 2019."
    assert dataset.keywords == ["Feinstaub"]
    assert dataset.contact_email == "umwelt@stadt-a.example"
    assert dataset.contact_name == "Stadt A an der Ohre"  # untouched by staff: follows
    assert dataset.modified == NOON + dt.timedelta(hours=5)  # the source's fields still follow


def test_a_dataset_staff_withdrew_stays_withdrawn(town):
    _stream(town)
    catalogue_sync.sync_authority(town)
    Dataset.objects.filter(source=AIR).update(status=Dataset.Status.DRAFT)

    catalogue_sync.sync_authority(town)

    assert _air(town).status == Dataset.Status.DRAFT


def test_each_authority_gets_its_own_series_and_shared_ones(town):
    other = AuthorityFactory(slug="stadt-b")
    own = _stream(town)
    theirs = _stream(other)
    shared = _stream(None)

    catalogue_sync.sync_all([town, other])

    def csv_ids(authority):
        return {
            int(url.rsplit("/", 1)[1].removesuffix(".csv"))
            for url in _air(authority)
            .distributions.filter(format="CSV")
            .values_list("access_url", flat=True)
        }

    assert csv_ids(town) == {own.pk, shared.pk}
    assert csv_ids(other) == {theirs.pk, shared.pk}


def test_a_dataset_of_a_source_that_is_gone_is_withdrawn_and_others_are_left_alone(town):
    gone = DatasetFactory(authority=town, source="council.meetings", status="published")
    own = DatasetFactory(authority=town, source="", status="published")

    assert catalogue_sync.sync_authority(town).withdrawn == 1

    gone.refresh_from_db()
    own.refresh_from_db()
    assert gone.status == Dataset.Status.DRAFT
    assert own.status == Dataset.Status.PUBLISHED


def test_a_slug_staff_already_use_is_not_taken(town):
    DatasetFactory(authority=town, slug="sensordaten-luft", source="")
    _stream(town)

    catalogue_sync.sync_authority(town)

    assert _air(town).slug == "sensordaten-luft-2"


@pytest.fixture
def broken_source():
    def fail(authority):
        raise RuntimeError("the source's database is away")

    source = datasets.DatasetSource(
        key="test.broken", title="Kaputt", description="", themes=(), keywords=(),
        frequency="IRREG", distributions=fail, modified=lambda authority: None,
    )  # fmt: skip
    datasets.register(source)
    yield source
    datasets._sources.pop(source.key)


def test_a_failing_source_is_reported_and_the_others_are_still_synced(town, broken_source):
    _stream(town)

    summary = catalogue_sync.sync_authority(town)

    assert summary.failed == ["stadt-a: test.broken"]
    assert summary.created == 1


def test_the_command_reports_progress_and_a_summary(town, capsys):
    _stream(town)
    AuthorityFactory(slug="stadt-b")

    call_command("sync_datasets", "--authority", "stadt-a")

    out = capsys.readouterr().out
    assert "stadt-a: 1 created, 0 updated, 0 unchanged, 0 withdrawn" in out
    assert "stadt-b" not in out
    assert "Datasets: 1 created, 0 updated, 0 unchanged, 0 withdrawn" in out
    with pytest.raises(CommandError, match="no authority 'nirgendwo'"):
        call_command("sync_datasets", "--authority", "nirgendwo")


def test_the_worker_syncs_every_hour():
    job = {job.name: job for job in housekeeping.registered()}["opendata.catalogue_sync"]
    assert job.every == dt.timedelta(hours=1)
    assert job.run is catalogue_sync.run


def test_the_demo_lists_published_platform_datasets_whose_addresses_answer():
    core_demo.load()
    barleben = Authority.objects.get(slug="barleben")
    published = Dataset.objects.filter(authority=barleben, status=Dataset.Status.PUBLISHED).exclude(
        source=""
    )

    assert {"opendata.sensors.luft", "catalog.services"} <= set(
        published.values_list("source", flat=True)
    )
    for dataset in published.prefetch_related("distributions"):
        assert dataset.modified is not None
        assert dataset.modified <= timezone.now()
        for distribution in dataset.distributions.all():
            url = urlsplit(distribution.access_url)
            path = url.path + (f"?{url.query}" if url.query else "")
            response = Client(HTTP_HOST=url.netloc).get(path)
            assert response.status_code == 200, (distribution.access_url, response.status_code)


def test_the_construction_sites_get_a_german_short_name():
    # the dataset's address is /daten/katalog/baustellen-und-sperrungen/, not .../construction-sites/
    assert datasets.get("construction.sites").dataset_slug == "baustellen-und-sperrungen"
