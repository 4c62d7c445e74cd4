"""Staff pages of construction projects: who may keep them, the project form (budget in
euros, dates, place), phases and pictures, publishing, and the audit entries."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from rathaus.construction.geometry import MAX_POINTS
from rathaus.construction.models import Project, ProjectPhase, ProjectPicture, Publication
from rathaus.construction.project_forms import parse_euros
from rathaus.core.models import AuditEvent, Locality, StoredFile
from tests.factories import ProjectFactory, ProjectPhaseFactory, ProjectPictureFactory
from tests.support import get_page, log_in, make_authority

pytestmark = pytest.mark.django_db

BASE = "/verwaltung/baustellen/bauvorhaben/"


def project_data(**changes: str) -> dict[str, str]:
    data = {
        "title": "Neue Turnhalle Barleben",
        "summary": "Eine Zweifeldhalle für Schule und Vereine.",
        "description": "",
        "state": "planned",
        "locality": "",
        "budget_cents": "2.450.000,00",
        "funding": "Eigenmittel der Gemeinde.",
        "starts_on": "2027-03-01",
        "ends_on": "2028-10-31",
        "geometry": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def keeper(barleben):
    """The demo clerk of the building office, in the group "Baustellen"."""
    return log_in(Client(), "bauamt")


@pytest.mark.parametrize(
    ("text", "cents"),
    [("2.450.000,00", 245_000_000), ("2450000", 245_000_000), ("2,45", 245),
     ("980.000", 98_000_000), ("1.234,5", 123_450), ("12 500 €", 1_250_000),
     ("2450000.50", 245_000_050)],
)  # fmt: skip
def test_budgets_are_read_as_germans_write_them(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["-5", "zwei Millionen", "1,234", "1.23.4", ""])
def test_what_is_no_amount_is_refused(text):
    with pytest.raises(ValueError, match=r"negative|not an amount"):
        parse_euros(text)


def test_only_staff_who_keep_the_projects_open_the_pages(barleben):
    assert Client().get(BASE).status_code == 302  # to the login
    clerk = log_in(Client(), "buergerbuero")
    assert clerk.get(BASE).status_code == 403
    assert clerk.get(f"{BASE}neu/").status_code == 403
    administrator = log_in(Client(), "digitales")
    assert administrator.get(BASE).status_code == 200
    bauamt = log_in(Client(), "bauamt")
    html = get_page(bauamt, BASE)
    assert "Erweiterung der Grundschule Barleben" in html
    assert 'aria-current="page"><span class="kern-label">Bauvorhaben</span>' in html  # the tab


def test_who_keeps_projects_keeps_sites_one_staff_entry(barleben):
    # one rule: the demo clerk of the building office keeps sites and projects alike
    bauamt = log_in(Client(), "bauamt")
    sites = get_page(bauamt, "/verwaltung/baustellen/")
    assert "Fahrbahnerneuerung Breiteweg" in sites
    assert 'aria-current="page"><span class="kern-label">Baustellen</span>' in sites
    assert f'href="{BASE}"' in sites  # the tab to the projects
    menu = get_page(bauamt, "/verwaltung/")
    assert ">Baustellen</a>" in menu
    assert ">Bauvorhaben</a>" not in menu  # no second entry far away
    clerk = log_in(Client(), "buergerbuero")
    assert ">Baustellen</a>" not in clerk.get("/verwaltung/").content.decode()
    assert clerk.get("/verwaltung/baustellen/").status_code == 403


def test_a_project_of_another_authority_is_not_found(keeper):
    elsewhere = ProjectFactory(authority=make_authority("anderswo"))
    assert keeper.get(f"{BASE}{elsewhere.pk}/").status_code == 404
    assert keeper.post(f"{BASE}{elsewhere.pk}/veroeffentlichung/").status_code == 404


def test_staff_create_a_project_with_its_short_name_from_the_title(keeper, barleben):
    village = Locality.objects.get(authority=barleben, name="Barleben")
    response = keeper.post(f"{BASE}neu/", project_data(locality=str(village.pk)))
    assert response.status_code == 302
    project = Project.objects.get(authority=barleben, title="Neue Turnhalle Barleben")
    assert response["Location"] == f"{BASE}{project.pk}/"
    assert project.slug == "neue-turnhalle-barleben"
    assert project.budget_cents == 245_000_000
    assert project.status == Publication.DRAFT
    assert project.locality == village
    event = AuditEvent.objects.get(action="construction.project.created")
    assert event.object_id == str(project.pk)
    # the same title again gets a short name of its own
    keeper.post(f"{BASE}neu/", project_data(budget_cents="2450000"))
    second = Project.objects.filter(title="Neue Turnhalle Barleben").exclude(pk=project.pk).get()
    assert second.slug == "neue-turnhalle-barleben-2"
    assert second.budget_cents == 245_000_000
    # the edit form shows the budget as it was typed
    assert 'value="2.450.000"' in get_page(keeper, f"{BASE}{project.pk}/")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"budget_cents": "-100"}, "budget_cents", "Die Kosten können nicht negativ sein."),
        ({"budget_cents": "viel"}, "budget_cents", "Bitte geben Sie die Kosten in Euro an"),
        ({"ends_on": "2027-01-01"}, "ends_on", "Die Fertigstellung kann nicht vor dem Beginn"),
        ({"title": ""}, "title", "Dieses Feld ist zwingend erforderlich."),
        ({"geometry": '{"type": "Point", "coordinates": [52.2, 11.6]}'}, "geometry",
         "Breite und Länge vertauscht?"),
        ({"geometry": '{"type": "Point", "coordinates": [2.35, 48.85]}'}, "geometry",
         "liegt nicht in Deutschland"),
        ({"geometry": "{kaputt"}, "geometry", "kein gültiges GeoJSON"),
        # the same checks as a construction site's place
        ({"geometry": '{"type": "Point", "coordinates": [[11.6, 52.2], [11.7, 52.2]]}'},
         "geometry", "Ein Punkt braucht zwei Zahlen"),
        ({"geometry": json.dumps({"type": "MultiPoint",
                                  "coordinates": [[11.6, 52.2]] * (MAX_POINTS + 1)})},
         "geometry", f"Der Ort hat zu viele Punkte. Höchstens {MAX_POINTS}"),
        ({"geometry": '{"type": "GeometryCollection", "geometries": []}'}, "geometry",
         "kann nicht gezeigt werden"),
        # deep nesting: a form error, not a RecursionError
        ({"geometry": "[" * 100_000 + "]" * 100_000}, "geometry", "kein gültiges GeoJSON"),
        ({"geometry": '{"type": "Point", "coordinates": ' + "[" * 5000 + "]" * 5000 + "}"},
         "geometry", "kein gültiges GeoJSON"),
    ],
)  # fmt: skip
def test_wrong_entries_are_refused_with_a_message_and_kept(keeper, changes, field, message):
    response = keeper.post(f"{BASE}neu/", project_data(**changes))
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'id="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert "Eine Zweifeldhalle für Schule und Vereine." in html  # nothing typed is lost
    assert not Project.objects.filter(title="Neue Turnhalle Barleben").exists()


def test_a_line_in_germany_is_kept_as_the_place(keeper, barleben):
    line = '{"type": "LineString", "coordinates": [[11.58, 52.17], [11.61, 52.19]]}'
    keeper.post(f"{BASE}neu/", project_data(geometry=line))
    project = Project.objects.get(title="Neue Turnhalle Barleben")
    assert project.geometry == {"type": "LineString", "coordinates": [[11.58, 52.17],
                                                                     [11.61, 52.19]]}  # fmt: skip


def test_only_the_normalised_geometry_is_stored(keeper, barleben):
    place = {"type": "Point", "coordinates": [11.6012345678, 52.2, 80.5],
             "crs": {"type": "name"}, "properties": {"x": "<script>"}, "bbox": [1, 2, 3, 4]}  # fmt: skip
    keeper.post(f"{BASE}neu/", project_data(geometry=json.dumps(place)))
    project = Project.objects.get(title="Neue Turnhalle Barleben")
    assert project.geometry == {"type": "Point", "coordinates": [11.601235, 52.2]}


def test_publishing_needs_a_summary_and_a_place_and_is_audited(keeper, barleben):
    project = ProjectFactory(authority=barleben, status=Publication.DRAFT, summary="",
                             locality=None, geometry=None)  # fmt: skip
    response = keeper.post(f"{BASE}{project.pk}/veroeffentlichung/", follow=True)
    assert "kann noch nicht veröffentlicht werden" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Publication.DRAFT
    project.summary = "Kurz gesagt."
    project.locality = Locality.objects.get(authority=barleben, name="Ebendorf")
    project.save()
    keeper.post(f"{BASE}{project.pk}/veroeffentlichung/")
    project.refresh_from_db()
    assert project.status == Publication.PUBLISHED
    assert project.published_at is not None
    assert Client().get(f"/baustellen/bauvorhaben/{project.slug}/").status_code == 200
    keeper.post(f"{BASE}{project.pk}/veroeffentlichung/", {"aktion": "zurueckziehen"})
    project.refresh_from_db()
    assert project.status == Publication.DRAFT
    assert Client().get(f"/baustellen/bauvorhaben/{project.slug}/").status_code == 404
    actions = list(AuditEvent.objects.filter(object_id=str(project.pk),
                                             object_type="construction.Project")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["construction.project.published", "construction.project.withdrawn"]


def test_phases_are_added_edited_reordered_and_removed(keeper, barleben):
    project = ProjectFactory(authority=barleben)
    for title in ("Planung", "Rohbau", "Ausbau"):
        response = keeper.post(f"{BASE}{project.pk}/abschnitte/neu/",
                               {"title": title, "state": "planned", "description": "",
                                "starts_on": "", "ends_on": ""})  # fmt: skip
        assert response.status_code == 302
    order = lambda: list(project.phases.values_list("title", flat=True))  # noqa: E731
    assert order() == ["Planung", "Rohbau", "Ausbau"]
    ausbau = project.phases.get(title="Ausbau")
    keeper.post(f"{BASE}{project.pk}/abschnitte/{ausbau.pk}/verschieben/", {"richtung": "hoch"})
    assert order() == ["Planung", "Ausbau", "Rohbau"]
    planung = project.phases.get(title="Planung")
    keeper.post(f"{BASE}{project.pk}/abschnitte/{planung.pk}/verschieben/", {"richtung": "runter"})
    assert order() == ["Ausbau", "Planung", "Rohbau"]
    # the first cannot move further up
    keeper.post(f"{BASE}{project.pk}/abschnitte/{ausbau.pk}/verschieben/", {"richtung": "hoch"})
    assert order() == ["Ausbau", "Planung", "Rohbau"]
    response = keeper.post(f"{BASE}{project.pk}/abschnitte/{planung.pk}/",
                           {"title": "Planung", "state": "done", "description": "",
                            "starts_on": "2026-05-01", "ends_on": "2026-01-01"})  # fmt: skip
    assert response.status_code == 422
    assert "Das Ende kann nicht vor dem Beginn liegen." in response.content.decode()
    keeper.post(f"{BASE}{project.pk}/abschnitte/{planung.pk}/entfernen/")
    assert order() == ["Ausbau", "Rohbau"]
    other = ProjectPhaseFactory()  # of another project: not reachable through this one
    assert keeper.post(f"{BASE}{project.pk}/abschnitte/{other.pk}/entfernen/").status_code == 404
    assert AuditEvent.objects.filter(action="construction.project.phase_removed").count() == 1


def jpeg_with_gps(size: tuple[int, int] = (2400, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 12.0, 3.0), 3: "E", 4: (11.0, 37.0, 20.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(keeper: Client, project: Project, content: bytes, name: str, media_type: str,
           alt_text: str = "Plan der Turnhalle") -> object:  # fmt: skip
    return keeper.post(
        f"{BASE}{project.pk}/bilder/neu/",
        {"picture": SimpleUploadedFile(name, content, media_type), "alt_text": alt_text,
         "caption": "Entwurf", "taken_on": ""},
    )  # fmt: skip


def test_a_picture_is_stored_without_its_gps_position_and_with_a_display_version(keeper,
                                                                                 barleben):  # fmt: skip
    project = ProjectFactory(authority=barleben)
    content = jpeg_with_gps()
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825)  # the upload has GPS
    response = upload(keeper, project, content, "turnhalle.jpg", "image/jpeg")
    assert response.status_code == 302
    picture = ProjectPicture.objects.get(project=project)
    stored = Image.open(io.BytesIO(picture.file.read_bytes()))
    assert stored.size == (2400, 1200)
    assert not stored.getexif()
    assert "exif" not in stored.info
    shown = Image.open(io.BytesIO(picture.display.read_bytes()))
    assert shown.size == (1200, 600)
    assert not shown.getexif()
    assert (picture.width, picture.height) == (1200, 600)
    assert picture.alt_text == "Plan der Turnhalle"
    assert AuditEvent.objects.filter(action="construction.project.picture_added").exists()


def test_a_picture_over_40_megapixels_is_refused_before_its_pixels_are_decoded(
    keeper, barleben, monkeypatch
):
    from rathaus.construction import project_pictures

    def decoded(image):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(project_pictures, "_clean", decoded)
    project = ProjectFactory(authority=barleben)
    png = io.BytesIO()
    Image.new("1", (8000, 5001)).save(png, format="PNG")  # 40.008 MP, small file
    files = StoredFile.objects.count()
    response = upload(keeper, project, png.getvalue(), "luftbild.png", "image/png")
    assert response.status_code == 422
    assert "Höchstens 40 Megapixel sind möglich" in response.content.decode()
    assert not project.pictures.exists()
    assert StoredFile.objects.count() == files


def png_with_metadata() -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", (1600, 800), (10, 120, 200, 255))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"
    exif[0x8825] = {1: "N", 2: (52.0, 12.0, 3.0), 3: "E", 4: (11.0, 37.0, 20.0)}
    text = PngImagePlugin.PngInfo()
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Standort 52.2, 11.6</x:xmpmeta>")
    text.add_text("Comment", "Aufgenommen von Frau Beispiel")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif, pnginfo=text, icc_profile=b"\0" * 200)
    return buffer.getvalue()


def test_a_png_loses_exif_xmp_comments_and_profile_in_both_versions(keeper, barleben):
    project = ProjectFactory(authority=barleben)
    content = png_with_metadata()
    uploaded = Image.open(io.BytesIO(content))
    assert uploaded.getexif().get_ifd(0x8825)
    assert "XML:com.adobe.xmp" in uploaded.info
    response = upload(keeper, project, content, "plan.png", "image/png")
    assert response.status_code == 302
    picture = ProjectPicture.objects.get(project=project)
    for stored_file, size in ((picture.file, (1600, 800)), (picture.display, (1200, 600))):
        raw = stored_file.read_bytes()
        stored = Image.open(io.BytesIO(raw))
        assert stored.size == size
        assert stored.mode == "RGBA"
        assert not stored.getexif()
        assert set(stored.info) <= {"dpi", "gamma", "aspect"}, stored.info
        assert b"Beispiel" not in raw
        assert b"xmpmeta" not in raw
        assert b"eXIf" not in raw
        assert b"iCCP" not in raw


def test_a_photo_is_turned_upright_as_the_camera_says(keeper, barleben):
    project = ProjectFactory(authority=barleben)
    image = Image.new("RGB", (300, 100), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show rotated by 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    assert upload(keeper, project, buffer.getvalue(), "foto.jpg", "image/jpeg").status_code == 302
    picture = ProjectPicture.objects.get(project=project)
    stored = Image.open(io.BytesIO(picture.file.read_bytes()))
    assert stored.size == (100, 300)
    assert not stored.getexif()


@pytest.mark.parametrize(
    ("content", "name", "media_type", "message"),
    [
        (b"%PDF-1.4\n%%EOF\n", "plan.png", "image/png", "passt nicht zu ihrem Namen"),
        (b"GIF89a" + b"\0" * 40, "plan.gif", "image/gif", "nicht angenommen"),
        (b"", "leer.png", "image/png", "Die übertragene Datei ist leer."),
    ],
)
def test_what_is_no_picture_is_refused_and_nothing_is_stored(keeper, barleben, content, name,
                                                             media_type, message):  # fmt: skip
    project = ProjectFactory(authority=barleben)
    files = StoredFile.objects.count()
    response = upload(keeper, project, content, name, media_type)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not project.pictures.exists()
    assert StoredFile.objects.count() == files


def test_a_picture_needs_its_description(keeper, barleben):
    project = ProjectFactory(authority=barleben)
    png = io.BytesIO()
    Image.new("RGB", (40, 30)).save(png, format="PNG")
    response = upload(keeper, project, png.getvalue(), "plan.png", "image/png", alt_text="")
    assert response.status_code == 422
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert not project.pictures.exists()


def test_a_picture_is_refused_while_the_virus_scanner_is_unreachable(keeper, barleben, settings,
                                                                     tmp_path):  # fmt: skip
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = str(tmp_path / "no-clamd.sock")
    project = ProjectFactory(authority=barleben)
    response = upload(keeper, project, jpeg_with_gps((60, 40)), "plan.jpg", "image/jpeg")
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "Plan der Turnhalle" in response.content.decode()  # the description is kept
    assert not project.pictures.exists()


def test_pictures_are_reordered_edited_and_removed_with_their_files(keeper, barleben):
    project = ProjectFactory(authority=barleben)
    first = ProjectPictureFactory(project=project, alt_text="Erstes", position=1)
    second = ProjectPictureFactory(project=project, alt_text="Zweites", position=2)
    keeper.post(f"{BASE}{project.pk}/bilder/{second.pk}/verschieben/", {"richtung": "hoch"})
    assert list(project.pictures.values_list("alt_text", flat=True)) == ["Zweites", "Erstes"]
    response = keeper.post(f"{BASE}{project.pk}/bilder/{first.pk}/",
                           {"alt_text": "", "caption": "", "taken_on": ""})  # fmt: skip
    assert response.status_code == 422
    keeper.post(f"{BASE}{project.pk}/bilder/{first.pk}/",
                {"alt_text": "Das erste Bild", "caption": "", "taken_on": "2026-05-04"})  # fmt: skip
    first.refresh_from_db()
    assert first.alt_text == "Das erste Bild"
    keeper.post(f"{BASE}{project.pk}/bilder/{first.pk}/entfernen/")
    assert list(project.pictures.values_list("alt_text", flat=True)) == ["Zweites"]
    assert not StoredFile.objects.filter(pk=first.file_id).exists()
    assert AuditEvent.objects.filter(action="construction.project.picture_removed").exists()


def test_the_edit_page_lists_phases_and_pictures_with_their_buttons(keeper, barleben):
    project = ProjectFactory(authority=barleben, status=Publication.DRAFT)
    ProjectPhaseFactory(project=project, title="Rohbau")
    ProjectPhaseFactory(project=project, title="Ausbau")
    ProjectPictureFactory(project=project)
    html = get_page(keeper, f"{BASE}{project.pk}/")
    assert 'Nach unten <span class="kern-sr-only">Bauabschnitt Rohbau</span>' in html
    assert 'Nach oben <span class="kern-sr-only">Bauabschnitt Ausbau</span>' in html
    assert "Veröffentlichen" in html
    assert ProjectPhase.objects.filter(project=project).count() == 2
