"""The public council pages in a real browser on a 390 px phone, with axe on every page: the
start page from the main navigation (next meetings, the month as a list, a cancelled meeting
marked), a meeting with its agenda (a non-public item without content), and the paper search
without JavaScript finding a word that is only in a file's text.

The demo has no council yet when these tests are written; each test makes its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rathaus.core.models import Authority
from rathaus.council.models import Body, Meeting
from tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    CouncilFileFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
)
from tests.factories.council import ConsultationFactory

Check = Callable[[Page], None]
pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _council() -> dict[str, Any]:
    town = Authority.objects.get(slug="barleben")
    body = Body.objects.filter(authority=town).first() or BodyFactory(
        authority=town, name="Gemeinderat Barleben"
    )
    council = OrganizationFactory(body=body, name="Gemeinderat Probedorf")
    soon = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
    soon += dt.timedelta(days=3)
    upcoming = MeetingFactory(body=body, name="Probesitzung des Gemeinderates", start=soon,
                              end=soon + dt.timedelta(hours=3))  # fmt: skip
    upcoming.organizations.add(council)
    MeetingFactory(body=body, name="Abgesagte Probesitzung", cancelled=True,
                   start=soon + dt.timedelta(days=1), end=None)  # fmt: skip
    past = soon - dt.timedelta(days=30)
    held = MeetingFactory(body=body, name="Gehaltene Probesitzung", start=past, end=None,
                          meeting_state=Meeting.State.HELD)  # fmt: skip
    held.organizations.add(council)
    annex = CouncilFileFactory(body=body, name="Anlage Breitbandplan",
                               text="Der Probefaserausbau erreicht alle Ortsteile.")  # fmt: skip
    paper = PaperFactory(body=body, reference="IV-0912/2026", name="Probevorlage Breitband")
    paper.auxiliary_files.add(annex)
    item = AgendaItemFactory(body=body, meeting=held, number="3.", order=3,
                             name="Probevorlage Breitband", result="zur Kenntnis genommen")  # fmt: skip
    ConsultationFactory(body=body, meeting=held, agenda_item=item, paper=paper)
    AgendaItemFactory(body=body, meeting=held, number="8.", order=8, public=False,
                      name="Geheime Grundstückssache")  # fmt: skip
    return {"held": held, "paper": paper, "month": f"{soon:%Y-%m}"}


def test_the_start_page_and_a_meeting_on_a_phone(new_context, server: str, axe_reports) -> None:
    made = _council()
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Gemeinderat"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ratsinformation")
    upcoming = page.locator("section").filter(
        has=page.get_by_role("heading", name="Nächste Sitzungen")
    )
    expect(upcoming).to_contain_text("Probesitzung des Gemeinderates")
    cancelled = upcoming.locator(".council-meeting--cancelled").filter(has_text="Abgesagte Probe")
    expect(cancelled).to_contain_text("abgesagt")
    # the month is a list on a phone, not a grid wider than the screen
    expect(page.locator("table.council-month")).to_be_hidden()
    expect(page.locator(".council-month-list")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Nächster Monat").click()
    expect(page).to_have_url(f"{server}/rat/?monat=" + _next_month() + "#kalender")

    page.goto(f"{server}/rat/")
    page.get_by_role("link", name="Tagesordnung und Ergebnisse: Gehaltene Probesitzung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gehaltene Probesitzung")
    agenda = page.locator("section").filter(has=page.get_by_role("heading", name="Tagesordnung"))
    expect(agenda).to_contain_text("zur Kenntnis genommen")
    expect(agenda).to_contain_text("Nicht öffentlich")
    expect(agenda).not_to_contain_text("Geheime Grundstückssache")
    expect(page.get_by_role("link", name="IV-0912/2026 – Probevorlage Breitband")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    response = page.request.get(f"{server}/rat/sitzungen/{made['held'].pk}/termin.ics")
    assert response.ok
    assert b"BEGIN:VEVENT" in response.body()
    axe_reports.wait(page)

    # on a desk screen the month is a grid (axe checks it as the page loads)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/rat/?monat={made['month']}")
    expect(page.locator("table.council-month")).to_be_visible()
    expect(page.locator("table.council-month")).to_contain_text("Probesitzung des Gemeinderates")
    axe_reports.wait(page)


def _next_month() -> str:
    today = timezone.localdate()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


def test_the_paper_search_without_javascript(new_context, server: str,
                                             assert_accessible: Check) -> None:  # fmt: skip
    made = _council()
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto(f"{server}/rat/vorlagen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorlagen")
    assert_accessible(page)
    page.get_by_label("Suchwörter").fill("probefaserausbau")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("status")).to_have_text("1 Vorlage")
    expect(page.locator(".council-snippet mark")).to_have_text("Probefaserausbau")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("link", name="IV-0912/2026 – Probevorlage Breitband").click()
    expect(page).to_have_url(f"{server}/rat/vorlagen/{made['paper'].pk}/")
    expect(page.get_by_text("Anlage Breitbandplan")).to_be_visible()
    expect(page.get_by_role("link", name="Gehaltene Probesitzung")).to_be_visible()
    assert_accessible(page)
