"""The Barleben demo has construction sites in all three villages: current, planned and ended,
one until further notice, a detour line, an area and a real PDF; loading again adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from pypdf import PdfReader

from rathaus.construction import demo, geometry, sites
from rathaus.construction.models import Disruption, DisruptionDocument
from rathaus.core import streets
from rathaus.core.demo import Tally
from rathaus.core.files import open_blob

pytestmark = pytest.mark.django_db


def test_the_demo_sites_cover_what_citizens_ask(barleben):
    found = list(Disruption.objects.filter(authority=barleben).select_related("locality"))
    assert 8 <= len(found) <= 12
    assert {site.locality.name for site in found} == {"Barleben", "Ebendorf", "Meitzendorf"}
    today = timezone.localdate()
    assert {sites.state_of(site, today) for site in found} == set(sites.State)
    assert any(site.until_further_notice and site.ends_on is None for site in found)
    assert any(site.kind == "detour" and site.geometry["type"] == "LineString" for site in found)
    assert any(site.geometry["type"] == "Polygon" for site in found)
    for site in found:
        assert geometry.validate(site.geometry) == site.geometry
        if site.locality.name == "Barleben":
            listed = streets.streets_of(barleben, "Barleben")
            assert {streets.normalise(name) for name in site.streets} <= listed, site.title

    document = DisruptionDocument.objects.get(disruption__authority=barleben)
    with open_blob(document.file.key) as handle:
        reader = PdfReader(handle)
        assert "Verkehrsrechtliche Anordnung" in reader.pages[0].extract_text()


def test_loading_again_changes_nothing(barleben):
    tally = Tally()
    demo.load(tally)
    assert not tally.changed
    assert DisruptionDocument.objects.count() == 1
