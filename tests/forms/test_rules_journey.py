"""FIM rules of the shared schema S00000246 at work: a citizen's answers that a rule forbids
are refused at the field with the rule's message, nothing is stored, the allowed answers pass."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from rathaus.forms.models import Draft, FormVersion
from tests.factories import CodeListFactory
from tests.support import DATA, log_in, post_data
from tests.support import get_page as page

pytestmark = pytest.mark.django_db

IMPORT = "/verwaltung/formulare/importieren/"
REAL = DATA / "xdatenfelder" / "v2" / "S00000246v1.1_xdf2.xml"
PERSON = "g00001802_antragsteller_aufenthaltserlaubnis"
CONTACT = f"{PERSON}.g60000110_kommunikation_eine_pflichtangabe"
ADDRESS = f"{PERSON}.g60000093_anschrift_inland_oder_ausland_mit_frage"
HOME = f"{ADDRESS}.g60000088_anschrift_inland"
STREET = f"{HOME}.g60000086_anschrift_inland_strassenanschrift"
PO_BOX = f"{HOME}.g60000087_anschrift_inland_postfachanschrift"
ABROAD = f"{ADDRESS}.g60000091_anschrift_ausland"
BIRTH = f"{PERSON}.g60000083_geburtsdatum_teilbekannt"
CODES = {
    "urn:de:fim:codeliste:gesetzlichervertreterbevollmächtigter": ("2021-03-19", 5),
    "urn:de:fim:codeliste:anschrift-inland-oder-ausland": ("2021-06-18", 2),
    "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat": ("2023-02-24", 3),
    "urn:de:xauslaender:codelist:azr:artderaugenfarbe": ("1", 3),
    "urn:xpersonenstand:schluesseltabelle:geschlecht": ("3", 3),
    "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit": (
        "2023-02-24",
        3,
    ),
    "urn:de:fim:codeliste:art-der-erwerbstaetigkeit-aufenthaltserlaubnis": ("2021-05-19", 21),
}


def import_with_code_lists() -> str:
    for urn, (version, count) in CODES.items():
        codes = [[f"{n:03d}", f"Wert {n}"] for n in range(1, count + 1)]
        if urn.endswith("artderaugenfarbe"):
            codes.append(["98", "Sonstige"])
        if urn.endswith("anschrift-inland-oder-ausland"):
            codes = [["001", "in Deutschland"], ["002", "außerhalb von Deutschland"]]
        CodeListFactory(urn=urn, version=version, codes=codes)
    out = StringIO()
    call_command("import_xdatenfelder", str(REAL), "--publish", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_rule_refuses_the_answers_it_forbids_at_the_field(client, barleben):
    output = import_with_code_lists()
    assert "rules translated: 32, not translated: 2" in output
    assert "R60000024 (version 2.0) Datumkorrekt" in output
    response = client.post("/antrag/s00000246/", {})
    assert response.status_code == 302
    step = response["Location"].replace(
        "g60000220_gesetzlicher_vertreter/", "g00001802_antragsteller_aufenthaltse/"
    )
    html = page(client, step)
    # The address abroad is shown only for the answer "außerhalb von Deutschland".
    assert f'data-show-if="{{&quot;field&quot;: &quot;{ADDRESS}.f60000263' in html
    answers = {
        f"{PERSON}.f60000227_familienname": "Beispiel",
        f"{PERSON}.f60000228_vornamen": "Ilse",
        f"{ADDRESS}.f60000263_abfrage_anschrift_inland_oder_ausland": "001",
        f"{STREET}.f60000243_strasse": "Breiteweg",
        f"{STREET}.f60000244_hausnummer": "1",
        f"{STREET}.f60000246_postleitzahl": "39179",
        f"{STREET}.f60000247_ort": "Barleben",
        f"{ABROAD}.f60000261_staat": "001",
        f"{PERSON}.g60000144_augenfarbe_person.f60000281_augenfarbe_person": "001",
        f"{PERSON}.f60000280_groesse_person": "170",
        f"{PERSON}.f60000332_geschlecht": "001",
        f"{BIRTH}.f60000233_jahr": "1957",
        f"{PERSON}.f60000234_geburtsort": "Magdeburg",
        f"{PERSON}.f60000235_geburtsland_staat_der_geburt": "001",
        f"{PERSON}.f60000236_staatsangehoerigkeit": "001",
    }
    # R60000023: a day of birth without a month is refused at the month.
    forbidden = post_data(
        html, action="next", **answers, **{f"{BIRTH}.f60000231_tag_ohne_monat_und_jahr": "14"}
    )
    response = client.post(step, forbidden)
    assert response.status_code == 422
    text = response.content.decode()
    # R60000037: at least one way to reach the applicant, at the first of the fields.
    assert (
        f'href="#f-{CONTACT.replace(".", "-")}-f60000240_telefon">Telefonnummer: Bitte füllen '
        "Sie mindestens eines davon aus: „Telefonnummer“, „Telefaxnummer“, „E-Mail-Adresse“, "
        "„De-Mail-Adresse“."
    ) in text
    assert f'href="#f-{BIRTH.replace(".", "-")}-f60000232_monat">Monat: Bitte füllen' in text
    # Nothing else is wrong: the group's own message is the schema's (the group is required).
    assert text.count('<a class="kern-link" href="#f-') == 3, text
    draft = Draft.objects.get()
    assert "g60000110_kommunikation_eine_pflichtangabe" not in draft.data.get(PERSON, {})
    # R60000019: a street address or a post office box, not both.
    both = {**answers, f"{CONTACT}.f60000242_e_mail": "ilse@example.org",
            f"{PO_BOX}.f60000249_postfach": "12 34", f"{PO_BOX}.f60000246_postleitzahl": "39179",
            f"{PO_BOX}.f60000247_ort": "Barleben"}  # fmt: skip
    response = client.post(step, post_data(html, action="next", **both))
    assert response.status_code == 422
    assert "Bitte füllen Sie nur eines davon aus: „Straßenanschrift“" in response.content.decode()
    allowed = {**answers, f"{CONTACT}.f60000242_e_mail": "ilse@example.org"}
    response = client.post(step, post_data(html, action="next", **allowed))
    assert response.status_code == 302, response.content.decode()[:3000]
    data = Draft.objects.get().data[PERSON]
    # R60000021: the answer abroad does not apply to an address in Germany and is dropped.
    assert (
        "g60000091_anschrift_ausland"
        not in data["g60000093_anschrift_inland_oder_ausland_mit_frage"]
    )
    assert data["g60000110_kommunikation_eine_pflichtangabe"] == {
        "f60000242_e_mail": "ilse@example.org"
    }


def test_staff_see_the_counts_and_the_untranslated_rules(barleben, client):
    staff = log_in(client, "ordnungsamt")
    xml = REAL.read_bytes()
    response = staff.post(IMPORT, {"file": SimpleUploadedFile("s246.xml", xml)})
    assert response.status_code == 302, response.content.decode()
    report = staff.get(response["Location"]).content.decode()
    assert "FIM-Regeln: 32 Regeln übersetzt, 2 nicht übersetzt." in report
    assert "Regel R60000024 (Version 2.0) Datumkorrekt" in report
    assert "nicht übersetzt: Der Satz „Wenn alle drei Felder" in report
    assert "Regel R60000020" not in report  # translated: a condition, no longer a note
    form = FormVersion.objects.get(definition__slug="s00000246").definition
    detail = staff.get(f"/verwaltung/formulare/{form.pk}/").content.decode()
    assert "Version 1: 32 übersetzt, 2 selbst zu prüfen" in detail
    assert f'href="/verwaltung/formulare/{form.pk}/versionen/1/#notes-heading"' in detail


def test_the_case_page_lists_the_rules_the_form_did_not_check(meldung, client):
    version = meldung.submission.form_version
    layout = {**version.layout, "notes": ["Regel R1 (Version 1) Datum: Bitte prüfen."]}
    # Published versions are immutable; a test may put notes there by the back door.
    FormVersion.objects.filter(pk=version.pk).update(layout=layout)
    staff = log_in(client, "buergerbuero")
    page = staff.get(f"/verwaltung/vorgaenge/{meldung.number}/").content.decode()
    assert "Regeln, die Sie selbst prüfen" in page
    assert "Regel R1 (Version 1) Datum: Bitte prüfen." in page


def test_a_case_of_a_form_without_notes_shows_no_rules_section(meldung, client):
    staff = log_in(client, "buergerbuero")
    page = staff.get(f"/verwaltung/vorgaenge/{meldung.number}/").content.decode()
    assert "Regeln, die Sie selbst prüfen" not in page


def test_the_api_refuses_what_a_rule_forbids_at_the_field(barleben, client):
    import_with_code_lists()
    person = {
        "g60000110_kommunikation_eine_pflichtangabe": {},
        "g60000093_anschrift_inland_oder_ausland_mit_frage": {
            "f60000263_abfrage_anschrift_inland_oder_ausland": "001",
            "g60000091_anschrift_ausland": {"f60000261_staat": "001"},
        },
    }
    response = client.post(
        "/api/v1/forms/s00000246/submissions",
        json.dumps({"data": {PERSON: person}}),
        content_type="application/json",
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 422
    problems = {(item["field"], item["message"]) for item in response.json()["errors"]}
    # The address abroad is not asked for an address in Germany.
    assert any(
        field == f"data.{ABROAD}" and "nach Ihren anderen Antworten nicht" in message
        for field, message in problems
    ), problems
    # At least one way to reach the applicant (R60000037), at the first of the fields.
    assert any(
        field == f"data.{CONTACT}.f60000240_telefon" and "mindestens eines davon" in message
        for field, message in problems
    ), problems
    # Germany was chosen, so the address in Germany is required (R60000020).
    assert (f"data.{HOME}", "Bitte füllen Sie diesen Teil aus.") in problems
