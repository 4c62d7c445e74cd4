"""The staff pages of the open data catalogue (/verwaltung/daten/): administrators create a
dataset with its distributions, publish it once nothing is missing, and withdraw it; platform
datasets allow only a few fields; others may not keep the catalogue."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent, OrgUnit
from rathaus.opendata.catalogue_models import Dataset, Distribution
from tests.factories import DatasetFactory, DistributionFactory, MembershipFactory
from tests.support import log_in, post_data

LIST = "/verwaltung/daten/"
CC_BY = "http://dcat-ap.de/def/licenses/cc-by/4.0"


def new_dataset(admin: Client, **fields: str) -> Dataset:
    form = admin.get(f"{LIST}neu/").content.decode()
    data = post_data(form, **{
        "title": "Haushaltsplan 2026", "slug": "", "description": "Einnahmen und Ausgaben.",
        "keywords": "Haushalt, Finanzen, Haushalt", "licence": CC_BY,
        "accrual_periodicity": "ANNUAL", "contact_name": "Kämmerei",
        "dist-0-title": "Tabelle", "dist-0-access_url": "https://daten.example.org/hh.csv",
        "dist-0-format": "csv", "dist-0-position": "1",
        **fields,
    })  # fmt: skip
    response = admin.post(f"{LIST}neu/", data)
    assert response.status_code == 302, response.content.decode()
    return Dataset.objects.get(title=data["title"])


def test_an_administrator_creates_and_publishes_a_dataset(barleben):
    admin = log_in(Client(), "digitales")
    assert 'href="/verwaltung/daten/"' in admin.get("/verwaltung/").content.decode()

    dataset = new_dataset(admin)
    assert (dataset.authority, dataset.slug, dataset.status) == (
        barleben,
        "haushaltsplan-2026",
        Dataset.Status.DRAFT,
    )
    assert dataset.keywords == ["Haushalt", "Finanzen"]
    assert dataset.licence == CC_BY
    assert [(d.title, d.format) for d in dataset.distributions.all()] == [("Tabelle", "CSV")]
    page = admin.get(f"{LIST}{dataset.pk}/").content.decode()
    assert "Zum Veröffentlichen fehlt noch:" in page
    assert "Mindestens eine Kategorie (Thema) fehlt." in page

    # "Save and publish" saves what was typed first; refused, the edits stay saved as a draft
    data = post_data(page, description="Einnahmen und Ausgaben je Produkt.", publish="1")
    refused = admin.post(f"{LIST}{dataset.pk}/", data)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Ihre Änderungen wurden als Entwurf gespeichert." in html
    assert "Der Datensatz kann noch nicht veröffentlicht werden." in html
    assert "<li>Mindestens eine Kategorie (Thema) fehlt.</li>" in html
    assert "<li>Eine Kontaktmöglichkeit (E-Mail-Adresse oder Webseite) fehlt.</li>" in html
    assert "Die Beschreibung fehlt." not in html
    assert "Einnahmen und Ausgaben je Produkt.</textarea>" in html
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.DRAFT
    assert dataset.description == "Einnahmen und Ausgaben je Produkt."
    assert Client().get("/daten/katalog/haushaltsplan-2026/").status_code == 404

    data = post_data(html, themes="ECON", contact_email="kaemmerei@example.org", publish="1")
    published = admin.post(f"{LIST}{dataset.pk}/", data)
    assert published["Location"] == f"{LIST}{dataset.pk}/"
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.PUBLISHED
    assert dataset.issued is not None
    public = Client().get("/daten/katalog/haushaltsplan-2026/").content.decode()
    assert "Einnahmen und Ausgaben je Produkt." in public
    assert list(
        AuditEvent.objects.filter(object_type="opendata.Dataset", object_id=str(dataset.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "opendata.dataset_created",
        "opendata.dataset_changed",
        "opendata.dataset_changed",
        "opendata.dataset_published",
    ]

    admin.post(f"{LIST}{dataset.pk}/zurueckziehen/")
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.DRAFT
    assert Client().get("/daten/katalog/haushaltsplan-2026/").status_code == 404
    assert AuditEvent.objects.filter(action="opendata.dataset_withdrawn").exists()


def test_wrong_input_is_shown_with_everything_typed_kept(barleben):
    admin = log_in(Client(), "digitales")
    DatasetFactory(authority=barleben, slug="belegt")
    data = post_data(admin.get(f"{LIST}neu/").content.decode(), **{
        "title": "Pegel", "slug": "belegt", "licence": CC_BY, "accrual_periodicity": "DAILY",
        "temporal_start": "2025-02-01", "temporal_end": "2025-01-01",
        "dist-0-title": "Pegel als Datei", "dist-0-access_url": "kein link",
    })  # fmt: skip
    response = admin.post(f"{LIST}neu/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "Ein anderer Datensatz hat diesen Kurznamen schon." in html
    assert "Das Ende liegt vor dem Beginn." in html
    assert "Datei oder Zugang 1, Adresse (URL)" in html
    assert 'value="Pegel als Datei"' in html
    assert not Dataset.objects.filter(title="Pegel").exists()
    data["publish"] = "1"  # "Save and publish" with errors: nothing saved, nothing published
    html = admin.post(f"{LIST}neu/", data).content.decode()
    assert "Noch nichts wurde gespeichert oder veröffentlicht." in html
    assert not Dataset.objects.filter(title="Pegel").exists()
    del data["publish"]
    data["slug"] = "catalog"
    assert "Dieser Kurzname ist reserviert." in admin.post(f"{LIST}neu/", data).content.decode()


def test_distributions_are_added_removed_and_reordered(barleben):
    admin = log_in(Client(), "digitales")
    dataset = new_dataset(admin)
    page = admin.get(f"{LIST}{dataset.pk}/").content.decode()
    data = post_data(page, **{
        "dist-0-position": "5",
        "dist-1-title": "Schnittstelle", "dist-1-access_url": "https://daten.example.org/api",
        "dist-1-format": "JSON", "dist-1-position": "2",
    })  # fmt: skip
    assert admin.post(f"{LIST}{dataset.pk}/", data).status_code == 302
    assert [d.title for d in dataset.distributions.order_by("position")] == [
        "Schnittstelle",
        "Tabelle",
    ]
    page = admin.get(f"{LIST}{dataset.pk}/").content.decode()
    first = Distribution.objects.get(title="Schnittstelle")
    index = next(key for key, value in post_data(page).items()
                 if key.endswith("-id") and value == str(first.pk))  # fmt: skip
    data = post_data(page, **{index.replace("-id", "-DELETE"): "on"})
    assert admin.post(f"{LIST}{dataset.pk}/", data).status_code == 302
    assert [d.title for d in dataset.distributions.all()] == ["Tabelle"]


def test_a_published_dataset_stays_complete(barleben):
    dataset = DatasetFactory(authority=barleben, title="Pegelstände")
    only = DistributionFactory(dataset=dataset, title="Pegel-CSV")
    admin = log_in(Client(), "digitales")
    page = admin.get(f"{LIST}{dataset.pk}/").content.decode()
    index = next(key for key, value in post_data(page).items()
                 if key.endswith("-id") and value == str(only.pk))  # fmt: skip
    data = post_data(page, description="Neu", **{index.replace("-id", "-DELETE"): "on"})
    response = admin.post(f"{LIST}{dataset.pk}/", data)
    assert response.status_code == 409
    assert "Nichts wurde gespeichert." in response.content.decode()
    dataset.refresh_from_db()
    assert dataset.description != "Neu"
    assert dataset.distributions.count() == 1

    before = dataset.modified
    data = post_data(page, description="Tägliche Pegelstände am Kanal.")
    assert admin.post(f"{LIST}{dataset.pk}/", data).status_code == 302
    dataset.refresh_from_db()
    assert dataset.description == "Tägliche Pegelstände am Kanal."
    assert dataset.modified > before


def test_a_platform_dataset_allows_only_description_keywords_and_contact(barleben):
    dataset = DatasetFactory(authority=barleben, title="Baustellen", source="beispiel.quelle")
    DistributionFactory(dataset=dataset, title="GeoJSON", link_status="broken",
                        link_error="HTTP 404")  # fmt: skip
    admin = log_in(Client(), "digitales")
    listing = admin.get(LIST).content.decode()
    assert "wird automatisch aktualisiert" in listing
    assert "1 defekter Link" in listing
    page = admin.get(f"{LIST}{dataset.pk}/").content.decode()
    assert "wird automatisch aktualisiert" in page
    assert 'name="title"' not in page
    assert 'name="dist-TOTAL_FORMS"' not in page
    assert "HTTP 404" in page
    assert "/veroeffentlichen/" not in page

    data = post_data(page, description="Alle Baustellen.", keywords="Verkehr",
                     contact_email="bau@example.org", title="Anders")  # fmt: skip
    assert admin.post(f"{LIST}{dataset.pk}/", data).status_code == 302
    dataset.refresh_from_db()
    assert (dataset.title, dataset.description, dataset.keywords, dataset.contact_email) == (
        "Baustellen",
        "Alle Baustellen.",
        ["Verkehr"],
        "bau@example.org",
    )
    assert admin.post(f"{LIST}{dataset.pk}/zurueckziehen/").status_code == 403
    assert admin.post(f"{LIST}{dataset.pk}/veroeffentlichen/").status_code == 403


def test_only_keepers_of_the_catalogue_see_it_and_only_their_own(barleben):
    other = DatasetFactory(title="Fremd")
    clerk = log_in(Client(), "buergerbuero")
    assert clerk.get(LIST).status_code == 403
    assert clerk.post(f"{LIST}neu/", {"title": "x"}).status_code == 403
    assert 'href="/verwaltung/daten/"' not in clerk.get("/verwaltung/").content.decode()
    assert Client().get(LIST).status_code == 302  # to the login

    # the role "Sensordaten" in a unit of Barleben keeps Barleben's catalogue, not another's
    keeper = get_user_model().objects.get(username="bauamt")
    MembershipFactory(user=keeper, org_unit=OrgUnit.objects.filter(authority=barleben).first(),
                      role=roles.role(roles.SENSOR_DATA))  # fmt: skip
    keeping = log_in(Client(), "bauamt")
    assert keeping.get(LIST).status_code == 200
    assert keeping.get(f"{LIST}{other.pk}/").status_code == 404
    assert keeping.post(f"{LIST}{other.pk}/veroeffentlichen/").status_code == 404
    assert "Fremd" not in keeping.get(LIST).content.decode()
    assert keeping.get(f"{LIST}{other.pk}/veroeffentlichen/").status_code == 405


def test_a_superuser_chooses_the_authority_whose_catalogue_to_keep(barleben):
    other = DatasetFactory(title="Kreisstraßen")
    admin = log_in(Client(), "digitales")  # a superuser: every authority, the portal's first
    assert "Kreisstraßen" not in admin.get(LIST).content.decode()
    chosen = admin.get(LIST, {"behoerde": other.authority.slug}).content.decode()
    assert "Kreisstraßen" in chosen
    assert f'href="/verwaltung/daten/neu/?behoerde={other.authority.slug}"' in chosen

    address = f"{LIST}neu/?behoerde={other.authority.slug}"
    data = post_data(admin.get(address).content.decode(), **{
        "title": "Radwege", "licence": CC_BY, "accrual_periodicity": "IRREG",
    })  # fmt: skip
    assert admin.post(address, data).status_code == 302
    assert Dataset.objects.get(title="Radwege").authority == other.authority


def test_the_form_says_what_publishing_needs_in_plain_words(barleben):
    admin = log_in(Client(), "digitales")
    page = admin.get(f"{LIST}neu/").content.decode()
    assert 'Beschreibung <span class="kern-body--small">(zum Veröffentlichen nötig)' in page
    assert "(zum Veröffentlichen nötig: E-Mail-Adresse oder Webseite)" in page
    assert "Distribution" not in page
    assert "Dateien und Zugänge" in page
    experts = page[page.index("<details") : page.index("</details>")]
    assert 'name="political_geocoding"' in experts
    assert 'name="publisher_uri"' in experts
    assert '<details class="kern-body">' in page  # folded away while empty
    listing = admin.get(LIST).content.decode()
    assert "/daten/katalog/ " not in listing
    assert 'href="/daten/katalog/"' in listing


def test_a_file_with_only_a_download_address_gets_it_as_its_address(barleben):
    admin = log_in(Client(), "digitales")
    dataset = new_dataset(admin, **{
        "dist-0-access_url": "", "dist-0-download_url": "https://daten.example.org/hh.csv",
    })  # fmt: skip
    assert [(d.access_url, d.download_url) for d in dataset.distributions.all()] == [
        ("https://daten.example.org/hh.csv", "https://daten.example.org/hh.csv")
    ]
    data = post_data(admin.get(f"{LIST}neu/").content.decode(), **{
        "title": "Ohne Adresse", "licence": CC_BY, "accrual_periodicity": "ANNUAL",
        "dist-0-title": "Tabelle", "dist-0-format": "CSV",
    })  # fmt: skip
    html = admin.post(f"{LIST}neu/", data).content.decode()
    assert "Bitte geben Sie die Adresse der Datei oder der Schnittstelle an." in html


def test_a_short_name_from_the_title_spells_out_german_letters(barleben):
    admin = log_in(Client(), "digitales")
    dataset = new_dataset(admin, title="Straßenbäume und Grünflächen in Ölsen")
    assert dataset.slug == "strassenbaeume-und-gruenflaechen-in-oelsen"


def test_the_common_open_licences_come_first(barleben):
    admin = log_in(Client(), "digitales")
    page = admin.get(f"{LIST}neu/").content.decode()
    select = page[
        page.index('name="licence"') : page.index("</select>", page.index('name="licence"'))
    ]
    values = re.findall(r'<option value="([^"]*)"', select)
    assert [value.rsplit("/licenses/", 1)[1] for value in values[:5]] == [
        "dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-zero", "cc-by-sa/4.0",
    ]  # fmt: skip
    assert select.index('<optgroup label="Weitere Lizenzen">') > select.index("cc-by-sa/4.0")
    assert "- -" not in select
    assert "--" not in select


def test_a_forged_number_of_distributions_is_refused_without_building_them(barleben, monkeypatch):
    """TOTAL_FORMS comes from the browser: a huge number must not make the server build a
    thousand forms per request."""
    from rathaus.opendata import catalogue_forms

    built = []
    original = catalogue_forms.DistributionForm.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(catalogue_forms.DistributionForm, "__init__", counting)
    admin = log_in(Client(), "digitales")
    form = admin.get(f"{LIST}neu/").content.decode()
    built.clear()
    data = post_data(form, title="Haushaltsplan 2026", **{"dist-TOTAL_FORMS": str(2**63)})
    response = admin.post(f"{LIST}neu/", data)
    assert response.status_code == 422
    assert "höchstens 50" in response.content.decode()
    assert len(built) <= 51
    assert not Dataset.objects.filter(title="Haushaltsplan 2026").exists()
