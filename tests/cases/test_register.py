"""The register lookup of the Meldebescheinigung (ADR 0029): the staff task by default, the
register extract for the demo and tests."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth import get_user_model

from rathaus.cases import decisions, register, services
from rathaus.cases.models import Case, CaseEvent, RegisterRecord
from tests.support import MELDEBESCHEINIGUNG, citizen_client, log_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _without_process(db):
    from rathaus.processes.models import ProcessModel

    ProcessModel.objects.update(is_default=False)


def open_meldung(data: dict | None = None) -> Case:
    submission = submit(citizen_client(), "meldebescheinigung", data or MELDEBESCHEINIGUNG)
    assert services.route(str(submission.pk)) == "routed"
    return Case.objects.get(submission=submission)


def clerk():
    return get_user_model().objects.get(username="buergerbuero")


def test_the_extract_confirms_the_data_when_the_person_is_found(barleben):
    case = open_meldung()
    record = RegisterRecord.objects.get(case=case)
    assert record.source == "extract"
    assert (record.first_name, record.family_name) == ("Ilse", "Beispiel")
    assert record.moved_in_on == datetime.date(1989, 10, 1)
    assert record.confirmed_by is None
    assert CaseEvent.objects.filter(case=case, kind="register_confirmed", new="extract").exists()


def test_a_person_missing_from_the_extract_leaves_the_staff_task(barleben, settings, tmp_path):
    extract = tmp_path / "register.json"
    extract.write_text(json.dumps([]), encoding="utf-8")
    settings.RATHAUS_REGISTER_EXTRACT = str(extract)
    case = open_meldung()
    assert not RegisterRecord.objects.filter(case=case).exists()
    with pytest.raises(services.CaseActionRefused, match=r"Melderegister|register"):
        decisions.decide(case, clerk(), "granted", "")


def test_the_clerk_checks_the_register_and_corrects_the_data(client, barleben, settings):
    settings.RATHAUS_REGISTER_LOOKUP = "staff"
    case = open_meldung()
    assert not RegisterRecord.objects.filter(case=case).exists()
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{case.number}/"
    assert "Melderegister prüfen" in client.get(url).content.decode()  # a link among the actions
    page = client.get(url, {"tab": "antrag"}).content.decode()
    # The form is filled in from the application; the clerk corrects what the register says.
    assert 'name="family_name" value="Beispiel"' in page
    assert 'name="date_of_birth" value="1957-03-14"' in page
    refused = client.post(url, {"action": "decide", "outcome": "granted", "reasons": ""},
                          follow=True)  # fmt: skip
    assert "Melderegister" in refused.content.decode()
    assert case.documents.count() == 0
    answers = {"action": "register", "tab": "antrag", "first_name": "Ilse Marie",
               "family_name": "Beispiel", "date_of_birth": "1957-03-14",
               "street": "Breiteweg 12a", "postal_code": "39179", "place": "Barleben",
               "moved_in_on": "2001-07-01"}  # fmt: skip
    response = client.post(url, answers, follow=True)
    assert "Die Daten aus dem Melderegister sind bestätigt" in response.content.decode()
    record = RegisterRecord.objects.get(case=case)
    assert (record.first_name, record.street, record.source) == (
        "Ilse Marie",
        "Breiteweg 12a",
        "staff",
    )
    assert record.moved_in_on == datetime.date(2001, 7, 1)
    assert record.confirmed_by == clerk()
    # A date in the future is refused; the confirmed data stays.
    client.post(url, {**answers, "moved_in_on": "2999-01-01"})
    assert RegisterRecord.objects.get(case=case).moved_in_on == datetime.date(2001, 7, 1)
    decisions.decide(case, clerk(), "granted", "")


def test_a_refusal_needs_no_register_data(barleben, settings):
    settings.RATHAUS_REGISTER_LOOKUP = "staff"
    case = open_meldung()
    decisions.decide(case, clerk(), "refused", "Unter dieser Anschrift nicht gemeldet.")
    assert case.documents.count() == 1


def test_other_services_need_no_register(barleben):
    from tests.support import ANLIEGEN

    submission = submit(citizen_client(), "anliegen", ANLIEGEN)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert not register.needs_register(case)
    assert not RegisterRecord.objects.exists()


def test_both_lookups_are_plugins():
    assert set(register.register_lookups) >= {"staff", "extract"}
    assert register.register_lookups.setting == "RATHAUS_REGISTER_LOOKUP"


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_letter_prints_the_confirmed_register_data(barleben, settings):
    settings.RATHAUS_REGISTER_LOOKUP = "staff"
    case = open_meldung({**MELDEBESCHEINIGUNG, "copies": 3, "purpose": "employer"})
    person = register.Person(
        first_name="Ilse Marie", family_name="Beispiel-Neu",
        date_of_birth=datetime.date(1957, 3, 14), street="Bahnhofstraße 7",
        postal_code="39179", place="Barleben", moved_in_on=datetime.date(2001, 7, 1),
    )  # fmt: skip
    register.save(case, person, user=clerk(), source=RegisterRecord.Source.STAFF)
    document = decisions.decide(case, clerk(), "granted", "")
    text = " ".join(pdf_text(document.file.read_bytes()).split())
    assert "Ilse Marie Beispiel-Neu" in text
    assert "14. März 1957" in text
    assert "Bahnhofstraße 7" in text
    assert "Breiteweg 12" not in text  # the application's address, also not in the address window
    assert "Ilse Beispiel " not in text
    assert "Eingezogen am 1. Juli 2001" in text
    assert "Anzahl der Bescheinigungen 3" in text
    assert "30,00 € (3 × 10,00 €)" in text


def test_the_letter_says_when_the_certificate_is_free(barleben):
    case = open_meldung({**MELDEBESCHEINIGUNG, "copies": 2, "purpose": "pension"})
    document = decisions.decide(case, clerk(), "granted", "")
    text = " ".join(pdf_text(document.file.read_bytes()).split())
    assert "Eingezogen am 1. Oktober 1989" in text  # from the demo register extract
    assert "Anzahl der Bescheinigungen 2" in text
    assert "für diesen Zweck gebührenfrei" in text
