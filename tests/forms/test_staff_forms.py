"""Staff manage their authority's online forms under /verwaltung/formulare/."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.catalog.models import Offer
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import AuditEvent
from rathaus.forms import services
from rathaus.forms.models import Channel, FormDefinition, FormVersion
from rathaus.forms.submissions import create_submission
from tests.support import DATA, current_code

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

LIST = "/verwaltung/formulare/"
CREATE = "/verwaltung/formulare/neu/"
IMPORT = "/verwaltung/formulare/importieren/"
XDF = DATA / "xdatenfelder"
CITIZEN_HOST = "barleben.localhost"

DEMO_FORMS = 4  # Anliegen, Meldebescheinigung, the certificate order, the assembly notice


def log_in(client: Client, username: str) -> Client:
    """Both factors, as a person logs in: password, then the current code of their app."""
    response = client.post(
        "/verwaltung/anmelden/", {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    response = client.post("/verwaltung/anmelden/code/", {"token": current_code(device)})
    assert response["Location"] == "/verwaltung/"
    return client


def form(slug: str, authority: str = "barleben") -> FormDefinition:
    return FormDefinition.objects.get(authority__slug=authority, slug=slug)


def detail_url(definition: FormDefinition) -> str:
    return f"/verwaltung/formulare/{definition.pk}/"


def version_url(definition: FormDefinition, number: int, suffix: str = "") -> str:
    return f"/verwaltung/formulare/{definition.pk}/versionen/{number}/{suffix}"


def staff_events(prefix: str = "form.") -> list[AuditEvent]:
    """Audit events of staff (the demo loader records its forms without an actor)."""
    return list(
        AuditEvent.objects.filter(action__startswith=prefix, actor__isnull=False).order_by(
            "sequence"
        )
    )


def edit_data(response: Any) -> dict[str, Any]:
    """What the browser sends back for the edit form as shown."""
    shown = response.context["form"]
    data = {}
    for name in shown.fields:
        value = shown[name].value()
        data[name] = "" if value is None else value
    return data


def new_draft(definition: FormDefinition) -> FormVersion:
    latest = definition.versions.order_by("-number").first()
    assert latest is not None
    return services.new_version(definition, schema=latest.schema, layout=latest.layout)


@pytest.fixture
def clerk(client, barleben):
    """Max Mustermann, Sachbearbeitung in the Standesamt of Barleben: may look, not change."""
    return log_in(client, "standesamt")


@pytest.fixture
def head(client, barleben):
    """Lena Beispiel, Leitung of the Ordnungsamt of Barleben: may change every form."""
    return log_in(client, "ordnungsamt")


# --- seeing ----------------------------------------------------------------------------------


def test_list_shows_the_forms_of_the_authority(clerk, barleben):
    anliegen = form("anliegen")
    certificate = form("meldebescheinigung")
    new_draft(certificate)
    create_submission(
        authority=barleben,
        form_version=anliegen.published_version(),
        data={"subject": "Laterne"},
        trust_level="none",
        channel=Channel.WEB,
    )
    response = clerk.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Online-Formulare" in html
    assert f'href="{detail_url(anliegen)}">Anliegen an die Gemeinde</a>' in html
    assert "<code>/antrag/anliegen/</code>" in html
    assert "Meldebescheinigung beantragen" in html
    rows = {item.slug: item for item in response.context["definitions"]}
    assert rows["anliegen"].submission_count == 1
    assert rows["anliegen"].published_number == 1
    assert rows["anliegen"].draft_number is None
    assert rows["meldebescheinigung"].submission_count == 0
    assert rows["meldebescheinigung"].draft_number == 2
    assert f'href="{version_url(certificate, 2)}"' in html
    # A clerk may look but gets no buttons for changes.
    assert CREATE not in html
    assert IMPORT not in html
    assert "die Leitung und die Administration" in html


def test_list_needs_one_query_for_the_forms_however_many(clerk, barleben):
    with CaptureQueriesContext(connection) as before:
        assert clerk.get(LIST).status_code == 200
    schema, layout = form("anliegen").versions.get().schema, form("anliegen").versions.get().layout
    for number in range(6):
        version = services.create_definition(
            authority=barleben, slug=f"test-{number}", title=f"Test {number}", schema=schema,
            layout=layout,
        )  # fmt: skip
        services.publish(version)
        new_draft(version.definition)
    with CaptureQueriesContext(connection) as after:
        response = clerk.get(LIST)
    assert len(response.context["definitions"]) == 9  # the demo's three and six new
    assert len(after.captured_queries) == len(before.captured_queries)


def test_detail_lists_the_versions(clerk):
    certificate = form("meldebescheinigung")
    new_draft(certificate)
    response = clerk.get(detail_url(certificate))
    html = response.content.decode()
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert "veröffentlicht" in html
    assert "in Vorbereitung" in html
    assert "/antrag/meldebescheinigung/" in html
    # Read-only for a clerk: versions can be shown, not edited, published or retired.
    assert f'href="{version_url(certificate, 2)}"' in html
    assert version_url(certificate, 2, "veroeffentlichen/") not in html
    assert "neue-version" not in html
    assert "zurueckziehen" not in html


def test_forms_of_another_authority_are_not_found(client, barleben):
    log_in(client, "versammlung")  # Landkreis Börde
    anliegen = form("anliegen")
    for url in (detail_url(anliegen), version_url(anliegen, 1, "importbericht/")):
        assert client.get(url).status_code == 404, url
    for url in (
        f"{detail_url(anliegen)}zurueckziehen/",
        version_url(anliegen, 1),
        version_url(anliegen, 1, "veroeffentlichen/"),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert client.post(f"{detail_url(anliegen)}neue-version/").status_code == 404
    assert client.post(version_url(anliegen, 1, "vorschau/"), {}).status_code == 404
    assert client.get(LIST, {"behoerde": "barleben"}).status_code == 404
    assert client.get(CREATE, {"behoerde": "barleben"}).status_code == 404
    html = client.get(LIST).content.decode()
    assert "Landkreis Börde" in html
    assert "Anliegen an die Gemeinde" not in html


def test_clerk_gets_403_for_every_change(clerk):
    anliegen = form("anliegen")
    draft = new_draft(anliegen)
    with open(XDF / "v3" / "simple.xml", "rb") as handle:
        xml = handle.read()
    attempts = [
        ("get", CREATE, {}),
        ("post", CREATE, {"title": "Neu", "slug": "neu"}),
        ("get", IMPORT, {}),
        ("post", IMPORT, {"file": SimpleUploadedFile("simple.xml", xml)}),
        ("post", f"{detail_url(anliegen)}neue-version/", {}),
        ("get", f"{detail_url(anliegen)}zurueckziehen/", {}),
        ("post", f"{detail_url(anliegen)}zurueckziehen/", {}),
        ("post", version_url(anliegen, 2), {"title": "Geändert", "action": "save"}),
        ("get", version_url(anliegen, 2, "veroeffentlichen/"), {}),
        ("post", version_url(anliegen, 2, "veroeffentlichen/"), {}),
    ]
    for method, url, data in attempts:
        response = getattr(clerk, method)(url, data)
        assert response.status_code == 403, (method, url)
        assert "Nicht erlaubt" in response.content.decode()
    # The version page is shown read-only.
    page = clerk.get(version_url(anliegen, 2))
    assert page.status_code == 200
    assert 'name="action" value="save"' not in page.content.decode()
    assert "readonly" in page.content.decode()
    draft.refresh_from_db()
    anliegen.refresh_from_db()
    assert (draft.status, anliegen.retired_at) == (FormVersion.Status.DRAFT, None)
    assert FormDefinition.objects.count() == DEMO_FORMS
    assert staff_events() == []


def test_pages_need_both_factors(client, barleben):
    anliegen = form("anliegen")
    urls = [LIST, CREATE, IMPORT, detail_url(anliegen), version_url(anliegen, 1)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/verwaltung/anmelden/?next=")
    client.force_login(get_user_model().objects.get(username="ordnungsamt"))
    for url in urls:
        assert client.get(url)["Location"].startswith("/verwaltung/anmelden/?next=")
    assert client.post(f"{detail_url(anliegen)}zurueckziehen/").status_code == 302
    anliegen.refresh_from_db()
    assert anliegen.retired_at is None


# --- creating and importing ------------------------------------------------------------------


def test_head_creates_a_form_with_a_starter_version(head):
    offer = Offer.objects.get(authority__slug="barleben", service__leika_key="99027002012000")
    page = head.get(CREATE)
    assert page.status_code == 200
    assert "Geburtsurkunde Ausstellung" in page.content.decode()
    response = head.post(
        CREATE, {"title": "Urkunde bestellen", "slug": "urkunde", "offer": str(offer.pk)}
    )
    assert response.status_code == 302
    created = form("urkunde")
    (version,) = created.versions.all()
    assert response["Location"] == version_url(created, 1)
    assert (created.title, created.offer, version.status) == (
        "Urkunde bestellen",
        offer,
        FormVersion.Status.DRAFT,
    )
    assert list(version.schema["properties"]) == ["anliegen"]
    assert version.layout["steps"][0]["elements"][0]["widget"] == "text"
    (event,) = staff_events()
    assert event.action == "form.version_created"
    assert event.actor_label.startswith("ordnungsamt ")
    # The starter version is editable and previewed at once.
    page = head.get(response["Location"])
    assert page.status_code == 200
    assert "Ihr Anliegen" in page.content.decode()


def test_create_explains_a_used_address(head):
    response = head.post(CREATE, {"title": "Noch ein Anliegen", "slug": "anliegen"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<input type="text" name="slug"[^>]*aria-invalid="true"', html)
    assert 'id="id_slug_error"' in html
    assert "/antrag/anliegen/" in html
    assert "Das Formular wurde nicht angelegt" in html
    assert FormDefinition.objects.filter(slug="anliegen").count() == 1


def test_head_imports_an_xdatenfelder_file_as_a_new_form(head):
    xml = (XDF / "v3" / "simple.xml").read_bytes()
    response = head.post(IMPORT, {"file": SimpleUploadedFile("simple.xml", xml)})
    assert response.status_code == 302, response.content.decode()
    imported = form("g60000000088")
    version = imported.versions.get()
    assert response["Location"] == version_url(imported, 1, "importbericht/")
    assert version.source == "FIM G60000000088 v1.2.0"
    assert version.status == FormVersion.Status.DRAFT
    assert imported.title == "Anschrift in Deutschland"
    report = head.get(response["Location"])
    html = report.content.decode()
    assert report.status_code == 200
    assert "simple.xml" in html
    notes = version.layout.get("notes", [])
    assert notes
    assert "R60000000019" in html  # the rule kept as a note
    # The same file again: a second form with its own address.
    again = head.post(IMPORT, {"file": SimpleUploadedFile("simple.xml", xml)})
    assert again.status_code == 302
    assert form("g60000000088-2").versions.count() == 1


def test_import_as_a_new_version_of_an_existing_form(head):
    xml = (XDF / "v3" / "simple.xml").read_bytes()
    head.post(IMPORT, {"file": SimpleUploadedFile("simple.xml", xml)})
    imported = form("g60000000088")
    services.publish(imported.versions.get())
    response = head.post(
        IMPORT, {"file": SimpleUploadedFile("simple.xml", xml), "definition": str(imported.pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == version_url(imported, 2, "importbericht/")
    assert [(v.number, v.status) for v in imported.versions.order_by("number")] == [
        (1, FormVersion.Status.PUBLISHED),
        (2, FormVersion.Status.DRAFT),
    ]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("v3/unexpected-node.xml", ["unexpected element <unknown>", "line 11"]),
        ("v2/unknown-namespace.xml", ["unknown namespace", "xdatenfelder_unknown"]),
    ],
)
def test_import_shows_the_converter_message_at_the_field(head, name, words):
    xml = (XDF / name).read_bytes()
    response = head.post(IMPORT, {"file": SimpleUploadedFile(name.split("/")[1], xml)})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<input type="file" name="file"[^>]*aria-invalid="true"', html)
    error = re.search(r'<div class="kern-error" id="id_file_error">(.*?)</div>', html, re.S)
    assert error is not None
    for word in words:
        assert word.replace("<", "&lt;").replace(">", "&gt;") in error.group(1)
    assert "Die Datei wurde nicht importiert" in html
    assert FormDefinition.objects.count() == DEMO_FORMS


def test_import_refuses_a_file_above_5_mb_before_reading_it(head):
    big = SimpleUploadedFile("big.xml", b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>")
    response = head.post(IMPORT, {"file": big})
    assert response.status_code == 400
    assert "5 MB" in response.content.decode()
    assert FormDefinition.objects.count() == DEMO_FORMS


# --- editing -----------------------------------------------------------------------------------


def test_head_saves_a_version_in_preparation(head):
    anliegen = form("anliegen")
    new_draft(anliegen)
    page = head.get(version_url(anliegen, 2))
    assert page.status_code == 200
    data = edit_data(page)
    assert json.loads(data["schema"]) == anliegen.versions.get(number=1).schema
    layout = json.loads(data["layout"])
    layout["steps"][0]["title"] = "Worum geht es Ihnen?"
    data.update(
        title="Anliegen melden",
        fee="0",
        layout=json.dumps(layout, ensure_ascii=False),
        action="save",
    )
    response = head.post(version_url(anliegen, 2), data)
    assert response.status_code == 302, response.content.decode()
    version = anliegen.versions.get(number=2)
    assert (version.title, version.fee_cents) == ("Anliegen melden", 0)
    assert version.layout["steps"][0]["title"] == "Worum geht es Ihnen?"
    assert [event.action for event in staff_events()] == ["form.version_changed"]
    assert "Version 2 wurde gespeichert" in head.get(response["Location"]).content.decode()


def test_invalid_json_is_explained_with_line_and_column(head):
    anliegen = form("anliegen")
    new_draft(anliegen)
    data = edit_data(head.get(version_url(anliegen, 2)))
    data["schema"] = '{\n  "type": "object",\n  "properties": {,}\n}'
    data["action"] = "save"
    response = head.post(version_url(anliegen, 2), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<textarea name="schema"[^>]*aria-invalid="true"', html)
    error = re.search(r'<div class="kern-error" id="id_schema_error">(.*?)</div>', html, re.S)
    assert error is not None
    assert "Zeile 3, Spalte 18" in error.group(1)
    assert "Die Version wurde nicht gespeichert" in html
    # What was typed is kept, and the preview says why it cannot show the form.
    assert "properties&quot;: {,}" in html
    assert "Das Formular kann noch nicht angezeigt werden" in html
    assert anliegen.versions.get(number=2).schema == anliegen.versions.get(number=1).schema


def test_definition_problems_are_listed_at_the_field(head):
    anliegen = form("anliegen")
    new_draft(anliegen)
    data = edit_data(head.get(version_url(anliegen, 2)))
    layout = json.loads(data["layout"])
    removed = layout["steps"][0]["elements"].pop(1)  # "subject"
    layout["steps"][0]["elements"][0]["widget"] = "slider"
    data.update(layout=json.dumps(layout), action="save")
    response = head.post(version_url(anliegen, 2), data)
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(r'<div class="kern-error" id="id_layout_error">(.*?)</div>', html, re.S)
    assert error is not None
    items = re.findall(r"<li[^>]*>(.*?)</li>", error.group(1), re.S)
    assert len(items) == 2
    assert any(f"&#x27;{removed['field']}&#x27; is not asked for" in item for item in items)
    assert any("unknown widget &#x27;slider&#x27;" in item for item in items)
    assert staff_events() == []


def test_receipt_email_field_must_be_an_email_question(head):
    anliegen = form("anliegen")
    new_draft(anliegen)
    data = edit_data(head.get(version_url(anliegen, 2)))
    data.update(receipt_email_field="subject", action="save")
    response = head.post(version_url(anliegen, 2), data)
    assert response.status_code == 400
    assert 'id="id_receipt_email_field_error"' in response.content.decode()


def test_preview_renders_the_edited_definition_without_saving(head):
    anliegen = form("anliegen")
    new_draft(anliegen)
    data = edit_data(head.get(version_url(anliegen, 2)))
    layout = json.loads(data["layout"])
    layout["steps"][0]["elements"][1]["label"] = "Kurzer Betreff Ihres Anliegens"
    data.update(layout=json.dumps(layout), action="preview")
    response = head.post(version_url(anliegen, 2), data)
    html = response.content.decode()
    assert response.status_code == 200
    region = re.search(
        r'<section id="form-preview"[^>]*aria-labelledby="form-preview-heading">(.*?)</section>',
        html,
        re.S,
    )
    assert region is not None
    assert 'id="form-preview-heading">Vorschau</h2>' in region.group(1)
    assert "Kurzer Betreff Ihres Anliegens" in region.group(1)
    assert "Wie erreichen wir Sie?" in region.group(1)  # every step
    assert 'for="f-email"' in region.group(1)  # the citizen templates
    # The preview is below the form, not inside it, and nothing was saved.
    assert html.index("</form>", html.index('name="layout"')) < html.index('id="form-preview"')
    assert anliegen.versions.get(number=2).layout == anliegen.versions.get(number=1).layout
    assert staff_events() == []


def test_preview_fragment_for_htmx(head):
    anliegen = form("anliegen")
    new_draft(anliegen)
    page = head.get(version_url(anliegen, 2))
    html = page.content.decode()
    preview = version_url(anliegen, 2, "vorschau/")
    textarea = re.search(r'<textarea name="layout"[^>]*>', html).group(0)
    assert f'hx-post="{preview}"' in textarea
    assert "hx-trigger=" in textarea
    data = edit_data(page)
    response = head.post(preview, data, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<section id="form-preview"')
    assert "<html" not in fragment
    assert "Worum geht es?" in fragment
    assert "E-Mail-Adresse" in fragment
    data["schema"] = "{"
    broken = head.post(preview, data, headers={"HX-Request": "true"}).content.decode()
    assert "Das Formular kann noch nicht angezeigt werden" in broken
    assert "Zeile 1, Spalte 2" in broken


def test_a_published_version_cannot_be_edited(head):
    anliegen = form("anliegen")
    url = version_url(anliegen, 1)
    page = head.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="action" value="save"' not in html
    assert re.search(r'<textarea[^>]*id="schema-json"[^>]*readonly', html)
    assert "kann nicht geändert werden" in html
    assert "Worum geht es?" in html  # its preview
    response = head.post(url, {"title": "Geändert", "action": "save"})
    assert response.status_code == 409
    assert "nicht mehr geändert werden" in response.content.decode()
    assert anliegen.versions.get(number=1).title == "Anliegen an die Gemeinde"
    assert head.get(version_url(anliegen, 1, "veroeffentlichen/")).status_code == 409


# --- publishing and retiring -------------------------------------------------------------------


def test_publish_replaces_the_published_version_and_the_start_page(head):
    anliegen = form("anliegen")
    created = head.post(f"{detail_url(anliegen)}neue-version/")
    assert created["Location"] == version_url(anliegen, 2)
    data = edit_data(head.get(created["Location"]))
    data.update(title="Anliegen und Hinweise an die Gemeinde", action="save")
    assert head.post(created["Location"], data).status_code == 302
    confirm = head.get(version_url(anliegen, 2, "veroeffentlichen/"))
    assert confirm.status_code == 200
    assert "Version 1" in confirm.content.decode()
    response = head.post(version_url(anliegen, 2, "veroeffentlichen/"))
    assert response["Location"] == detail_url(anliegen)
    first, second = anliegen.versions.order_by("number")
    assert (first.status, second.status) == ("superseded", "published")
    assert first.title == "Anliegen an die Gemeinde"  # the old version is unchanged
    assert second.published_by.username == "ordnungsamt"
    assert [event.action for event in staff_events()] == [
        "form.version_created",
        "form.version_changed",
        "form.published",
    ]
    citizen = Client(HTTP_HOST=CITIZEN_HOST)
    start = citizen.get("/antrag/anliegen/").content.decode()
    assert "Anliegen und Hinweise an die Gemeinde" in start
    assert "gibt es nicht mehr" not in start


def test_publish_shows_the_problems_of_a_broken_version(head):
    anliegen = form("anliegen")
    version = new_draft(anliegen)
    FormVersion.objects.filter(pk=version.pk).update(layout={"steps": []})
    response = head.post(version_url(anliegen, 2, "veroeffentlichen/"))
    assert response.status_code == 400
    assert "non-empty list of steps" in response.content.decode()
    assert anliegen.published_version().number == 1


def test_retire_after_confirmation(head):
    anliegen = form("anliegen")
    url = f"{detail_url(anliegen)}zurueckziehen/"
    confirm = head.get(url)
    assert confirm.status_code == 200
    assert "Formular zurückziehen?" in confirm.content.decode()
    response = head.post(url)
    assert response["Location"] == detail_url(anliegen)
    anliegen.refresh_from_db()
    assert anliegen.retired_at is not None
    assert [event.action for event in staff_events()] == ["form.retired"]
    citizen = Client(HTTP_HOST=CITIZEN_HOST)
    start = citizen.get("/antrag/anliegen/").content.decode()
    assert "Diesen Online-Antrag gibt es nicht mehr." in start
    assert "zurückgezogen" in head.get(detail_url(anliegen)).content.decode()


def test_changes_need_the_csrf_token(head):
    head.handler.enforce_csrf_checks = True
    anliegen = form("anliegen")
    assert head.post(f"{detail_url(anliegen)}zurueckziehen/").status_code == 403
    assert head.post(f"{detail_url(anliegen)}neue-version/").status_code == 403
    anliegen.refresh_from_db()
    assert anliegen.retired_at is None
    assert anliegen.versions.count() == 1


def test_pages_are_translated_to_english(head):
    head.post("/i18n/setlang/", {"language": "en", "next": LIST})
    html = head.get(LIST).content.decode()
    assert "Online forms" in html
    assert "Online-Formulare" not in html


def test_a_published_version_shows_its_online_fee(head):
    anliegen = form("anliegen")
    assert 'id="fee-json"' not in head.get(version_url(anliegen, 1)).content.decode()
    version = anliegen.published_version()
    fee = {"items": [{"label": "Bearbeitung", "amount_cents": 1000}]}
    following = services.new_version(anliegen, schema=version.schema, layout=version.layout,
                                     fee=fee)  # fmt: skip
    services.publish(following)
    html = head.get(version_url(anliegen, following.number)).content.decode()
    assert "Online verlangte Gebühr (JSON)" in html
    assert "Bearbeitung" in html
    following.refresh_from_db()
    following.fee = {}
    with pytest.raises(ValueError, match="cannot change"):
        following.save()
