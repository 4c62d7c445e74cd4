"""DCAT-AP.de catalogues made by another tool: GovData's reference example (RDF/XML, Turtle)."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rathaus.opendata import dcat_import
from rathaus.opendata.models import Dataset
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parents[1] / "data" / "dcat"
GOVDATA_RDF = FILES / "dcat_ap_de-RefImp_RDF_ADVANCED.rdf"
GOVDATA_TTL = FILES / "dcat_ap_de-RefImp_TTL_ADVANCED.ttl"
DL_BY = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("path", [GOVDATA_RDF, GOVDATA_TTL], ids=["rdf-xml", "turtle"])
def test_the_govdata_reference_example_is_imported_with_its_publishers(path):
    authority = AuthorityFactory()

    report = dcat_import.read_graph(dcat_import.load(str(path)), authority, str(path))

    assert (len(report.created), report.skipped, report.notes) == (2, [], [])
    bathing = Dataset.objects.get(
        authority=authority,
        original_uri="https://example.com/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset",
    )
    assert (bathing.title, bathing.status, bathing.licence, bathing.themes) == (
        "Badegewässer in Hamburg", Dataset.Status.PUBLISHED, DL_BY, ["ENVI"],
    )  # fmt: skip
    assert bathing.publisher_name == "Behörde für Umwelt und Energie (BUE), Amt für Umweltschutz"
    assert bathing.publisher_uri == "http://www.hamburg.de/bue/#publisher"
    assert (bathing.contact_name, bathing.contact_email) == (
        "Meister, Thomas, Herr", "thomas.meister@example.com",
    )  # fmt: skip
    assert bathing.political_geocoding == "http://dcat-ap.de/def/politicalGeocoding/stateKey/02"
    assert bathing.keywords == [
        "badestelle", "gewaesserqualitaet", "umweltueberwachung", "wasser", "wasserbelastung",
    ]  # fmt: skip
    csv, xml = bathing.distributions.order_by("position")
    assert (csv.title, csv.format, csv.byte_size, csv.checksum_algorithm, csv.checksum) == (
        "Download Historische Messwerte Hamburg, 2004-2013 (CSV)", "CSV", 42702, "md5",
        "a58d35bebefa4972898110b9f5da62bc",
    )  # fmt: skip
    assert csv.download_url == (
        "http://example.com/badegewaesser/Badegewaesser_messwerte_historisch_HH_2004-2013.zip"
    )
    assert csv.modified == datetime.datetime(2018, 9, 4, 19, 39, 9, tzinfo=BERLIN)
    assert (xml.format, xml.byte_size) == ("XML", 5056)
    police = Dataset.objects.get(authority=authority, title="Gebietsgrenzen Polizeikommissariate")
    assert (police.accrual_periodicity, police.publisher_name) == (
        "MONTHLY", "Behörde für Inneres und Sport, Polizei Hamburg",
    )  # fmt: skip
    (wfs,) = police.distributions.all()
    assert wfs.download_url == (
        "https://example.com/HH_WFS_PKGrenzen?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature"
        "&typename=app:pk_grenzen"
    )
    assert wfs.byte_size == 935108
