"""Every reachable page, crawled as anonymous visitor, demo citizen and demo clerk.

A breadth-first walk over same-origin links (GET only) at a 320 px wide viewport. Each page
must load without an error status, pass axe-core (the conftest checks every page that loads),
log no console error, not scroll sideways, show no heading that is cut off or broken mid-word,
no overlapping controls, and be German: ``<html lang="de">`` and none of the English words
an untranslated interface would show. Staff pages are checked again at 1280 px (desk screens).

Pages of one kind (same path once numbers, ids, dates and tokens are masked) are visited a
few times only, so the walk stays short however much data the demo holds.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from rathaus.appointments.availability import TZ
from rathaus.appointments.models import AppointmentType, Booking
from rathaus.appointments.services import token_hash
from rathaus.cases import services
from rathaus.cases.models import Case
from rathaus.core.demo import DEMO_PASSWORD
from tests.support import (
    ANLIEGEN,
    CODE_LABEL,
    MELDEBESCHEINIGUNG,
    citizen_client,
    current_code,
    log_in_with_password,
    submit,
)

MAX_PAGES = 120  # per role
PER_KIND = 2  # pages of one path pattern
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}

# Never followed, with the reason.
SKIPPED_PREFIXES = (
    "/admin/",  # Django's admin: its own design, checked by its own tests
    "/api/",  # JSON and the API documentation, not portal pages
    "/sta/",  # the SensorThings API: JSON documents, checked by tests/opendata
    "/i18n/",  # the language switch (POST only)
    "/dateien/",  # file downloads
    "/logo/",  # an image
    "/health",  # plain text for monitoring
    "/favicon.ico",
    "/konto/abmelden/",  # would end the session the crawl runs in
    "/verwaltung/abmelden/",
    "/konto/bestaetigen/",  # confirms an e-mail address on GET (links from mails)
)
# (.ttl, .rdf, .jsonld: the data catalogue's RDF, checked in tests/opendata)
SKIPPED_SUFFIXES = (".pdf", ".ics", ".geojson", ".atom", ".bpmn", ".xml", ".json", ".csv",
                    ".png", ".svg", ".txt", ".ttl", ".rdf", ".jsonld")  # fmt: skip
# Attachments in the demo outbox (downloads) and e-file documents shown inline (a PDF or an
# image in the browser's viewer, not a page of the portal).
SKIPPED_PARTS = ("/anhang/", "/vorschau/")
# Where each role starts and which paths belong to its walk.
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "anonymous": ("/", ("/",)),
    "citizen": ("/konto/", ("/",)),
    "clerk": ("/verwaltung/", ("/verwaltung/", "/aufruf/", "/demo/", "/ozg/")),
}

# Words an untranslated interface shows; matched case-sensitively as whole words in the
# visible text and the accessible names. Words that are also German (Name, Status, Details,
# Download, Filter, Login, Team) are left out to avoid false alarms.
ENGLISH = [
    "Submit", "Cancel", "Search", "Save", "Delete", "Edit", "Previous", "Next", "Log in",
    "Log out", "Sign in", "Sign out", "Page not found", "Not found", "Back to", "Required",
    "Optional", "Loading", "Close", "Skip to", "Please", "This field", "Show", "Hide", "Yes",
    "Choose", "Select", "Settings", "Messages", "Appointments", "Cases", "Tasks", "Inbox",
    "Overview", "Welcome", "Account", "Password", "Username", "Email", "First name",
    "Last name", "Date of birth", "Address", "Street", "Postal code", "Today", "Tomorrow",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "June", "July", "October", "December", "Send", "Reply", "Open",
    "Closed", "Created", "Updated", "Due", "Assigned", "Unassigned", "Reset",
    "Confirm", "Book", "Apply", "Continue", "Done", "Error", "Warning", "Success", "and",
    "the", "of", "your", "you", "is", "are", "has", "been", "with", "for", "this", "not",
]  # fmt: skip
ENGLISH_PATTERN = re.compile(r"\b(" + "|".join(re.escape(word) for word in ENGLISH) + r")\b")

MASKS = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "<date>"),
    (re.compile(r"(?<=/)[A-Za-z0-9_-]*\d[A-Za-z0-9_-]{15,}(?=/|$)"), "<token>"),
    (re.compile(r"\d+"), "<n>"),
]

PAGE_CHECKS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.lang !== "de") problems.push(`<html lang="${root.lang}">, not "de"`);
  if (root.scrollWidth > window.innerWidth) {
    const wide = [...document.body.querySelectorAll("*")].filter(el => {
      const box = el.getBoundingClientRect();
      return box.right > window.innerWidth + 1 && getComputedStyle(el).position !== "fixed";
    }).slice(-3).map(el => el.outerHTML.slice(0, 120));
    problems.push(`scrolls sideways: ${root.scrollWidth} px at ${window.innerWidth} px; ` +
                  `widest: ${wide.join(" | ")}`);
  }
  const visible = el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    // the content of a closed <details> is not shown, although Chromium gives it a box
    const folded = el.closest("details:not([open])");
    if (folded && !(el.matches("summary") && el.parentElement === folded)) return false;
    return box.width > 1 && box.height > 1 && style.visibility !== "hidden";
  };  // (visually hidden text for screen readers is 1 px wide)
  for (const heading of document.querySelectorAll("h1, h2, h3")) {
    if (!visible(heading)) continue;
    if (heading.scrollWidth > heading.clientWidth + 1)
      problems.push(`heading cut off: "${heading.innerText.trim()}"`);
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s-]+/g)) {  // a break after "-" is fine
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size < 2) continue;
        // A word longer than the line may break, hyphenated (German hyphenation needs
        // hyphens: auto; this test browser has no dictionary, phones do). A shorter one not.
        const probe = document.createElement("span");
        probe.style.whiteSpace = "nowrap";
        probe.textContent = match[0];
        node.parentElement.appendChild(probe);
        const wordWidth = probe.getBoundingClientRect().width;
        probe.remove();
        const style = getComputedStyle(heading);
        const line = heading.clientWidth - parseFloat(style.paddingLeft) -
                     parseFloat(style.paddingRight);
        if (wordWidth <= line || getComputedStyle(node.parentElement).hyphens !== "auto")
          problems.push(`heading breaks the word "${match[0]}" although it fits on a line`);
      }
    }
  }
  const controls = [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary")].filter(visible);
  const boxes = controls.map(el => el.getBoundingClientRect());
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
      const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (width > 2 && height > 2)
        problems.push(`controls overlap: "${controls[i].innerText || controls[i].value || ""}"` +
                      ` and "${controls[j].innerText || controls[j].value || ""}"`);
    }
  }
  const labels = [...document.querySelectorAll("[aria-label], [title], [placeholder], img[alt]," +
                                                " input[type=submit], input[type=button]")]
    .filter(el => visible(el) || el.hasAttribute("aria-label"))
    .map(el => [el.getAttribute("aria-label"), el.getAttribute("title"),
                el.getAttribute("placeholder"), el.getAttribute("alt"),
                el.matches("input") ? el.value : null].filter(Boolean).join(" "));
  return {problems, text: document.body.innerText + "\\n" + labels.join("\\n"),
          links: [...document.querySelectorAll("a[href]")].map(a => a.href)};
}"""


def kind_of(path: str, query: str) -> str:
    """The path pattern: numbers, ids, dates and tokens masked; query values likewise."""
    pattern = path
    for regex, mask in MASKS:
        pattern = regex.sub(mask, pattern)
    keys = sorted(key for key, _value in parse_qsl(query, keep_blank_values=True))
    return pattern + ("?" + "&".join(keys) if keys else "")


def followable(url: str, origin: str, prefixes: tuple[str, ...]) -> str | None:
    """The path and query to visit for a link, or None if the crawl does not follow it."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path or "/"
    if not path.startswith(prefixes) or path.startswith(SKIPPED_PREFIXES):
        return None
    if path.endswith(SKIPPED_SUFFIXES) or any(part in path for part in SKIPPED_PARTS):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return path + (f"?{query}" if query else "")


def booking_today() -> None:
    """A confirmed appointment that began a few minutes ago, so the desk shows its actions."""
    kind = AppointmentType.objects.select_related("location").get(
        location__slug="buergerbuero", slug="meldebescheinigung"
    )
    now = timezone.localtime(timezone.now(), TZ).replace(second=0, microsecond=0)
    start = max(now - dt.timedelta(minutes=10 + now.minute % 5), now.replace(hour=0, minute=0))
    end = start + dt.timedelta(minutes=kind.duration_minutes)
    Booking.objects.create(
        appointment_type=kind, location=kind.location, resource=kind.resources.get(name="Schalter 1"),
        start=start, end=end, blocked_until=end, status=Booking.Status.CONFIRMED,
        name="Erika Muster", email="erika.muster@example.org",
        token_hash=token_hash(secrets.token_urlsafe(32)), confirmed_at=start,
    )  # fmt: skip


def cases_in_the_inbox() -> None:
    """Two applications routed to the Bürgerbüro; the clerk works on the Meldebescheinigung
    (its title is the long word the case page must fit on a phone)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    clerk = get_user_model().objects.get(username="buergerbuero")
    applications = [("meldebescheinigung", MELDEBESCHEINIGUNG, citizen_client()),
                     ("anliegen", ANLIEGEN, Client())]  # fmt: skip
    for slug, answers, client in applications:
        submission = submit(client, slug, answers)
        services.route(str(submission.pk))
        case = Case.objects.get(submission=submission)
        if slug == "meldebescheinigung":
            services.take_over(case, clerk)
            services.add_note(case, clerk, "Melderegister geprüft.")


def seeds(page: Page, server: str, role: str) -> list[str]:
    """Where the walk starts: the role's home, every published form's start page (the service
    pages linking to them are many of one kind) and, started in the browser, the first step
    of a form a citizen fills in."""
    from rathaus.forms.models import FormDefinition, FormVersion

    start, _prefixes = ROLES[role]
    if role == "clerk":
        return [start]
    forms = FormDefinition.objects.filter(versions__status=FormVersion.Status.PUBLISHED)
    starts = [f"/antrag/{slug}/" for slug in sorted(set(forms.values_list("slug", flat=True)))]
    page.goto(f"{server}/antrag/anliegen/")
    page.get_by_role("button", name="Antrag beginnen").click()
    expect(page).to_have_url(re.compile(r"/schritt/"))
    return [start, *starts, urlsplit(page.url).path]


def log_in(page: Page, server: str, role: str) -> None:
    if role == "citizen":
        from rathaus.accounts.demo import CITIZEN_EMAIL

        page.goto(f"{server}/konto/anmelden/")
        page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
        page.get_by_label("Passwort").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page).not_to_have_url(re.compile(r"/konto/anmelden/"))
    elif role == "clerk":
        page.goto(f"{server}/verwaltung/anmelden/")
        log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
        device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
        page.get_by_label(CODE_LABEL).fill(current_code(device))
        page.get_by_role("button", name="Anmelden", exact=True).click()
        expect(page).to_have_url(f"{server}/verwaltung/")


def check_page(page: Page, label: str, defects: list[str]) -> list[str]:
    result: dict[str, Any] = page.evaluate(PAGE_CHECKS)
    defects.extend(f"{label}: {problem}" for problem in dict.fromkeys(result["problems"]))
    english = sorted(set(ENGLISH_PATTERN.findall(result["text"])))
    if english:
        defects.append(f"{label}: English on a German page: {', '.join(english)}")
    return list(result["links"])


@pytest.mark.sensor_history  # the dashboards are crawled with their charts and tables full
@pytest.mark.parametrize("role", ["anonymous", "citizen", "clerk"])
def test_crawl(
    role: str,
    server: str,
    new_context: Callable[..., BrowserContext],
    axe_reports: Any,
) -> None:
    started = time.monotonic()
    if role == "clerk":
        booking_today()
    if role != "anonymous":
        cases_in_the_inbox()  # the citizen's list of applications, the clerk's inbox
    page = new_context(viewport=NARROW).new_page()
    console: list[str] = []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    log_in(page, server, role)

    _start, prefixes = ROLES[role]
    queue: deque[str] = deque(seeds(page, server, role))
    seen = set(queue)
    kinds: Counter[str] = Counter()
    defects: list[str] = []
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        target = queue.popleft()
        parts = urlsplit(target)
        kind = kind_of(parts.path, parts.query)
        if kinds[kind] >= PER_KIND:
            continue
        kinds[kind] += 1
        console.clear()
        try:
            response = page.goto(f"{server}{target}")
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        visited.append(target)
        if response is None or response.status >= 400:
            defects.append(f"{target}: status {response.status if response else 'none'}")
        axe_reports.wait(page)
        links = check_page(page, f"{target} at 320 px", defects)
        if role == "clerk":
            page.set_viewport_size(WIDE)
            check_page(page, f"{target} at 1280 px", defects)
            page.set_viewport_size(NARROW)
        defects.extend(f"{target}: console error: {text}" for text in console)
        for link in links:
            follow = followable(link, server, prefixes)
            if follow and follow not in seen:
                seen.add(follow)
                queue.append(follow)
    seconds = time.monotonic() - started
    print(f"crawl as {role}: {len(visited)} pages in {seconds:.0f} s, {len(seen)} links seen")
    assert len(visited) > 10, visited
    assert not defects, "\n".join(defects)


def test_the_page_checks_find_each_kind_of_defect(page: Page, server: str) -> None:
    probe = (
        '<!doctype html><html lang="en"><head><title>Probe</title></head><body><main>'
        '<h1 style="font-size: 40px; width: 300px; overflow-wrap: anywhere">Meldebescheinigung</h1>'
        '<h2 style="width: 100px; overflow: hidden; white-space: nowrap">Zusammenfassung</h2>'
        '<p style="width: 500px">Please submit.</p>'
        '<button>A</button><button style="margin-left: -20px">B</button>'
        "</main></body></html>"
    )
    page.route(f"{server}/probe", lambda route: route.fulfill(body=probe, content_type="text/html"))
    page.set_viewport_size(NARROW)
    page.goto(f"{server}/probe")
    defects: list[str] = []
    check_page(page, "probe", defects)
    found = "\n".join(defects)
    assert 'lang="en"' in found
    assert "scrolls sideways" in found
    assert 'breaks the word "Meldebescheinigung"' in found
    assert 'heading cut off: "Zusammenfassung"' in found
    assert 'controls overlap: "A" and "B"' in found
    assert "English on a German page: Please" in found
