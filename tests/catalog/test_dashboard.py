"""The OZG dashboard (Umsetzungsstand): page, CSV and PDF export."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zlib
from collections import defaultdict
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone

from rathaus.appointments.locations import AppointmentType
from rathaus.catalog import services
from rathaus.catalog.models import LifeSituation, Offer, OzgService, Service, Topic
from rathaus.core.models import Authority
from rathaus.forms import definitions
from rathaus.forms.models import FormDefinition, FormVersion
from tests.factories import AuthorityFactory, FormVersionFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

WITHOUT_TOPIC = "ohne Themenfeld"


class Tables(HTMLParser):
    """The cell texts of every table of a page, by caption; also the SVG elements seen."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs: list[dict[str, str | None]] = []
        self._rows: list[list[str]] | None = None
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption_text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append(dict(attrs))
        elif tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in {"th", "td"} and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._caption_text = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in {"th", "td"} and self._cell is not None and self._rows is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption_text] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def expected_level(offer: Offer) -> int:
    """The level of an offer worked out from the live tables directly (the slow, obvious way)."""
    if offer.maturity_override is not None:
        return offer.maturity_override
    live_forms = FormDefinition.objects.filter(
        retired_at__isnull=True, versions__status=FormVersion.Status.PUBLISHED
    )
    if live_forms.filter(offer=offer).exists():
        return 3
    general = offer.general_request and live_forms.filter(
        authority=offer.authority, slug="anliegen", offer__isnull=True
    )
    bookable = AppointmentType.objects.filter(offer=offer, resources__active=True).exists()
    if offer.online_url or offer.appointment_url or bookable or general:
        return 2
    return 1 if offer.description.strip() else 0


def expected_levels(authority: Authority) -> list[int]:
    return [expected_level(offer) for offer in Offer.objects.filter(authority=authority)]


def expected_counts(authority: Authority) -> dict[str, list[int]]:
    """Offers per topic and maturity level, counted one by one."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    offers = Offer.objects.filter(authority=authority).select_related(
        "service__ozg_service__life_situation__topic"
    )
    for offer in offers:
        ozg = offer.service.ozg_service
        topic = ozg.life_situation.topic.name if ozg else WITHOUT_TOPIC
        counts[topic][expected_level(offer)] += 1
    return dict(counts)


def german_percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") + " %"


def topic_table(html: str, authority: Authority) -> list[list[str]]:
    tables = Tables(html).tables
    return tables[f"Leistungen nach Themenfeld und OZG-Reifegrad: {authority.name}"]


def offer_without_topic(authority: Authority, maturity: int) -> Offer:
    service = Service.objects.create(name="Hundesteuer An- und Abmeldung (örtlich)")
    values: dict[str, object] = {"description": "Hunde melden Sie im Rathaus an."}
    if maturity != 1:
        values.update(maturity_override=maturity, maturity_override_reason="Prüfung")
    offer, _outcome = services.save_offer(authority, service, values)
    return offer


def test_page_shows_the_totals_of_the_current_authority(
    client, barleben_catalogue, django_assert_max_num_queries
):
    # One for the offers, one per kind of online way, one for the responsibility rules (which
    # offers another authority handles), and the page's own few.
    with django_assert_max_num_queries(8):
        response = client.get("/ozg/")
    assert response.status_code == 200
    html = response.content.decode()
    levels_live = expected_levels(barleben_catalogue)
    total = len(levels_live)
    online = sum(level >= 3 for level in levels_live)
    assert 0 < online < total  # the demo, not an empty page
    assert f'<dd class="ozg-figure__value">{total}</dd>' in html
    assert f'<dd class="ozg-figure__value">{online}</dd>' in html
    assert (
        f'<dd class="ozg-figure__value">{german_percent(online, total)}</dd>'.replace(
            " %", "&nbsp;%"
        )
        in html
    )
    levels = Tables(html).tables["Leistungen nach OZG-Reifegrad"]
    assert levels[0] == ["Reifegrad", "Leistungen", "Anteil"]
    by_level = {row[0][0]: int(row[1]) for row in levels[1:]}
    assert by_level == {str(level): levels_live.count(level) for level in range(5)}
    assert levels[4][0] == "3 – vollständig online mit Nachweisen und Bescheid"


def test_table_has_a_row_per_topic_with_row_and_column_totals(client, barleben_catalogue):
    offer_without_topic(barleben_catalogue, maturity=3)
    html = client.get("/ozg/").content.decode()
    rows = topic_table(html, barleben_catalogue)
    header, body, footer = rows[0], rows[1:-1], rows[-1]
    assert header == [
        "Themenfeld",
        *(f"Reifegrad {level}" for level in range(5)),
        "Gesamt",
        "Anteil online",
    ]
    expected = expected_counts(barleben_catalogue)
    assert {row[0]: [int(cell) for cell in row[1:6]] for row in body} == expected
    for row in body:
        counts = [int(cell) for cell in row[1:6]]
        assert int(row[6]) == sum(counts)
        assert row[7] == german_percent(counts[3] + counts[4], sum(counts))
    assert body[-1][0] == WITHOUT_TOPIC  # after the topics, which are in alphabetical order
    assert [row[0] for row in body[:-1]] == sorted(row[0] for row in body[:-1])
    assert footer[0] == "Gesamt"
    column_totals = [sum(counts[level] for counts in expected.values()) for level in range(5)]
    assert [int(cell) for cell in footer[1:6]] == column_totals
    assert int(footer[6]) == Offer.objects.filter(authority=barleben_catalogue).count()
    assert 'scope="col"' in html
    assert 'scope="row"' in html


def test_chart_is_an_accessible_svg_with_a_bar_per_topic(client, barleben_catalogue):
    html = client.get("/ozg/").content.decode()
    chart = next(svg for svg in Tables(html).svgs if svg.get("class") == "ozg-chart")
    assert chart["role"] == "img"
    assert chart["aria-labelledby"] == "ozg-chart-title ozg-chart-desc"
    assert re.search(r'<title id="ozg-chart-title">[^<]*Gemeinde Barleben', html)
    assert '<desc id="ozg-chart-desc">' in html
    svg = html[html.index('<svg class="ozg-chart"') : html.index("</svg>", html.index("ozg-chart"))]
    for topic in expected_counts(barleben_catalogue):
        assert f">{topic.replace('&', '&amp;')}</text>" in svg
    # Coordinates are written with a decimal point whatever the language of the page.
    assert not re.search(r'(x|width)="\d+,\d', svg)
    assert "style=" not in html  # the Content Security Policy forbids inline styles
    assert "Reifegrade im Diagramm:" in html  # the legend


def test_another_authority_can_be_chosen(client, barleben_catalogue):
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    response = client.get("/ozg/", {"behoerde": "landkreis-boerde"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="landkreis-boerde" selected>Landkreis Börde</option>' in html
    assert '<option value="barleben">Gemeinde Barleben</option>' in html
    rows = topic_table(html, landkreis)
    assert int(rows[-1][6]) == Offer.objects.filter(authority=landkreis).count()
    assert {row[0] for row in rows[1:-1]} == set(expected_counts(landkreis))
    assert 'href="/ozg/umsetzungsstand.csv?behoerde=landkreis-boerde"' in html
    assert 'href="/ozg/umsetzungsstand.pdf?behoerde=landkreis-boerde"' in html


def test_unknown_authority_is_404(client, barleben_catalogue):
    for path in ("/ozg/", "/ozg/umsetzungsstand.csv", "/ozg/umsetzungsstand.pdf"):
        response = client.get(path, {"behoerde": "atlantis"})
        assert response.status_code == 404, path
    assert "Seite nicht gefunden" in client.get("/ozg/", {"behoerde": "atlantis"}).content.decode()


def test_authority_without_offers_gets_a_sentence_instead_of_a_chart(client, barleben_catalogue):
    empty = AuthorityFactory(name="Gemeinde Leerstadt")
    response = client.get("/ozg/", {"behoerde": empty.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gemeinde Leerstadt hat noch keine Leistungen eingetragen" in html
    assert "ozg-chart" not in html
    assert "<table" not in html


def test_csv_export_opens_in_german_excel(
    client, barleben_catalogue, django_assert_max_num_queries
):
    offer_without_topic(barleben_catalogue, maturity=1)
    # 22:30 UTC on 31 March is already 1 April in Berlin: the file is named by the German date.
    berlin_midnight = time_machine.travel(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), tick=False)
    with berlin_midnight, django_assert_max_num_queries(6):  # 5 + the responsibility rules
        response = client.get("/ozg/umsetzungsstand.csv", {"behoerde": "barleben"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ozg-umsetzungsstand-barleben-2026-04-01.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Themenfeld",
        *(f"Reifegrad {level}" for level in range(5)),
        "Gesamt",
        "Online (Reifegrad 3 oder 4)",
        "Anteil online (%)",
    ]
    expected = expected_counts(barleben_catalogue)
    body, total = rows[1:-1], rows[-1]
    assert {row[0]: [int(cell) for cell in row[1:6]] for row in body} == expected
    assert body[-1][0] == WITHOUT_TOPIC
    levels_live = expected_levels(barleben_catalogue)
    online = sum(level >= 3 for level in levels_live)
    assert total[0] == "Gesamt"
    assert int(total[6]) == len(levels_live)
    assert int(total[7]) == online
    assert total[8] == german_percent(online, len(levels_live)).removesuffix(" %")
    assert [int(cell) for cell in total[1:6]] == [levels_live.count(level) for level in range(5)]


def test_csv_export_does_not_hand_formulas_to_spreadsheets(client, barleben_catalogue):
    topic = Topic.objects.create(name="=HYPERLINK(1)", slug="formel")
    situation = LifeSituation.objects.create(topic=topic, name="Formel", slug="formel")
    ozg = OzgService.objects.create(ozg_id="99999", name="Formel", life_situation=situation)
    service = Service.objects.create(name="Formelleistung", ozg_service=ozg)
    services.save_offer(barleben_catalogue, service, {"appointment_url": "https://termine.example"})
    response = client.get("/ozg/umsetzungsstand.csv", {"behoerde": "barleben"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["'=HYPERLINK(1)", "0", "0", "1", "0", "0", "1", "0", "0,0"] in rows


def pdf_strings(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for metadata in it."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_pdf_export(client, barleben_catalogue):
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    with time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=UTC), tick=False):
        response = client.get("/ozg/umsetzungsstand.pdf", {"behoerde": "landkreis-boerde"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="ozg-umsetzungsstand-landkreis-boerde-2026-06-15.pdf"'
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5_000
    # The document title (shown by PDF readers) names the authority; pydyf writes it in UTF-16.
    title = "Umsetzungsstand OZG – Landkreis Börde"
    assert ("feff" + title.encode("utf-16-be").hex()).encode() in pdf_strings(pdf).lower()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert landkreis.name in text
        assert "Quelle: rathaus" in text
    else:
        print("pdftotext is not installed: the PDF's text is not checked")


def test_pdf_of_an_authority_without_offers(client, barleben_catalogue):
    empty = AuthorityFactory(name="Gemeinde Leerstadt")
    response = client.get("/ozg/umsetzungsstand.pdf", {"behoerde": empty.slug})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_ozg_entry_in_the_navigation(client, barleben_catalogue):
    html = client.get("/").content.decode()
    assert 'href="/ozg/"' in html
    page = client.get("/ozg/").content.decode()
    assert 'href="/ozg/" aria-current="page"' in page


def level_counts(client) -> dict[str, int]:
    levels = Tables(client.get("/ozg/").content.decode()).tables["Leistungen nach OZG-Reifegrad"]
    return {row[0][0]: int(row[1]) for row in levels[1:]}


def test_numbers_follow_a_published_online_form(client, barleben_catalogue):
    # the Eheurkunde: the Geburtsurkunde has the certificate portal's form already
    birth = Offer.objects.get(authority=barleben_catalogue, service__leika_key="99059004012000")
    before = level_counts(client)
    version = FormVersionFactory(
        definition__authority=barleben_catalogue,
        definition__offer=birth,
        status=FormVersion.Status.DRAFT,
        published_at=None,
    )
    assert level_counts(client) == before  # a draft is not live
    definitions.publish(version)
    after = level_counts(client)
    old_level = before_level(before, after)
    assert after["3"] == before["3"] + 1
    assert after[old_level] == before[old_level] - 1
    FormDefinition.objects.filter(pk=version.definition_id).update(retired_at=timezone.now())
    assert level_counts(client) == before  # retired: no longer live


def before_level(before: dict[str, int], after: dict[str, int]) -> str:
    (level,) = [key for key in before if after[key] == before[key] - 1]
    return level


def test_an_override_with_reason_replaces_the_derived_level(client, barleben_catalogue):
    before = level_counts(client)
    offer = offer_without_topic(barleben_catalogue, maturity=4)
    assert level_counts(client)["4"] == before["4"] + 1
    page = client.get("/ozg/leistungen/", {"behoerde": "barleben", "stufe": "4"})
    html = page.content.decode()
    assert offer.service.name in html
    assert "Prüfung" in html  # the reason is shown with the level


def test_every_number_links_to_its_services(client, barleben_catalogue):
    html = client.get("/ozg/").content.decode()
    links = re.findall(r'href="(/ozg/leistungen/\?[^"]+)">(\d+)</a>', html)
    assert links
    for href, number in links:
        page = client.get(href.replace("&amp;", "&"))
        assert page.status_code == 200, href
        items = re.findall(r'<li><a class="kern-link" href="/leistungen/', page.content.decode())
        assert len(items) == int(number), href
    # The chart is one image (its table has the links); the PDF has no links.
    svg = html[html.index('<svg class="ozg-chart"') : html.index("</svg>", html.index("ozg-chart"))]
    assert "<a " not in svg


def test_services_page_refuses_unknown_filters(client, barleben_catalogue):
    assert client.get("/ozg/leistungen/", {"stufe": "7"}).status_code == 404
    assert client.get("/ozg/leistungen/", {"thema": "atlantis"}).status_code == 404
