"""What citizens see of their e-file, the way from a case to its file, and the demo's file plan."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from rathaus.accounts import gdpr
from rathaus.core import files
from rathaus.core.models import OrgUnit
from rathaus.documents import demo, filing, services
from rathaus.documents.models import Document, File, Subject
from tests.support import citizen_client, log_in

pytestmark = [pytest.mark.django_db]

INTERNAL_TITLE = "Vermerk: Rücksprache mit dem Meldeamt"


@pytest.fixture
def filed(meldung) -> File:
    filing.sync_case(meldung)
    file = File.objects.get(case=meldung)
    note = files.store_bytes(b"intern", name="vermerk.txt", media_type="text/plain")
    services.add_document(
        file, services.NewContent(note), title=INTERNAL_TITLE, kind=Document.Kind.NOTE,
        direction=Document.Direction.INTERNAL,
        user=get_user_model().objects.get(username="buergerbuero"),
    )  # fmt: skip
    return file


def test_the_data_export_lists_the_documents_of_the_citizens_files(meldung, filed):
    exported = gdpr.export_data(meldung.applicant)["efile"]

    assert [entry["file_number"] for entry in exported] == [filed.number]
    titles = [document["title"] for document in exported[0]["documents"]]
    assert any(title.startswith("Antrag: ") for title in titles)
    assert INTERNAL_TITLE not in titles
    pdf = next(d for d in exported[0]["documents"] if d["title"].startswith("Antrag: "))
    assert (pdf["kind"], pdf["direction"]) == ("application", "in")
    assert pdf["versions"][0]["number"] == 1
    assert pdf["versions"][0]["sha256"]
    json.dumps(exported)  # JSON-ready as it goes into daten.json


def test_the_citizens_case_page_lists_the_shared_documents(meldung, filed):
    page = citizen_client().get(f"/konto/antraege/{meldung.submission.reference}/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Dokumente in der Akte" in text
    assert f"Antrag: {meldung.submission.form_version.title}" in text
    assert INTERNAL_TITLE not in text


def test_the_case_page_leads_staff_to_the_case_file(meldung):
    staff = log_in(Client(), "buergerbuero")
    url = f"/verwaltung/akten/vorgang/{meldung.pk}/"
    assert url in staff.get(f"/verwaltung/vorgaenge/{meldung.number}/").content.decode()
    assert log_in(Client(), "bauamt").get(url).status_code == 404

    response = staff.get(url)

    file = File.objects.get(case=meldung)
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:file", args=[file.pk])


def test_the_demo_has_a_file_plan_for_its_units(barleben):
    subjects = {subject.code: subject for subject in Subject.objects.filter(authority=barleben)}

    for unit in OrgUnit.objects.filter(authority=barleben):
        subject = services.subject_for_unit(unit)
        assert subject.code == unit.file_plan_code, unit.slug
        assert subject.holds_files
        assert subject.legal_basis
        assert subject.parent is not None
        assert not subject.parent.holds_files
    assert subjects["33.10"].parent.code == "33"
    assert subjects["33"].parent.code == "3"
    assert subjects["63.10"].disposal == Subject.Disposal.ARCHIVE
    assert subjects["33.10"].disposal == Subject.Disposal.DESTROY
    landkreis = OrgUnit.objects.get(slug="versammlungsbehoerde")
    assert services.subject_for_unit(landkreis).code == "32.30"
    entries = sum(len(items) for items in demo.file_plan().values())
    assert Subject.objects.count() == entries


def test_the_demo_files_the_cases_it_finds(meldung):
    from rathaus.core.demo import Tally

    assert not File.objects.filter(case=meldung).exists()
    tally = Tally()
    demo.load(tally)

    assert Document.objects.filter(file__case=meldung).exists()
    assert tally["Case filed: updated"] == 1
    again = Tally()
    demo.load(again)
    assert not again.changed
