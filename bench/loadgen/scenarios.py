"""What the virtual users do: the four kinds of traffic of the load run, as a browser does it.

* browsing: one public page (start page, catalogue, a topic, a service page, other pages);
* booking: type → month → day → time → details form with the ALTCHA proof (solved as the
  widget does) and the CSRF token → held;
* submission: the demo form "Anliegen an die Gemeinde" step by step, with a PNG uploaded on the
  first step, checked and submitted → receipt;
* staff: a demo clerk, logged in with password and TOTP code, opens the case inbox and a case.

Writes the server acknowledged (the redirect to "held" or to the receipt) are recorded in
:class:`Ledger`, and so are writes that were attempted but not acknowledged: after the run the
first must be in the database exactly once, the second at most once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field

from loadgen.client import Browser, FileField, Response, StepFailed, parse, post_form

KINDS = ("browsing", "booking", "submission", "staff")
MIX = {"browsing": 0.70, "booking": 0.15, "submission": 0.10, "staff": 0.05}
DEMO_PASSWORD = "Barleben-Demo-2026"  # noqa: S105 (public by design: rathaus.core.demo)
CLERKS = ("buergerbuero", "standesamt", "ordnungsamt", "bauamt")
OTHER_PAGES = (
    "/termine/", "/baustellen/", "/bekanntmachungen/", "/rat/", "/kontakt/", "/impressum/",
    "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/", "/ozg/", "/daten/",
)  # fmt: skip
HELD = "/termine/reserviert/"
RECEIPT = re.compile(r"^/antrag/eingang/([0-9a-f-]{36})/$")


def png() -> bytes:
    """A small valid PNG (64 x 48, one colour) without an imaging library."""
    width, height = 64, 48
    raw = b"".join(b"\x00" + b"\x00\x5a\xa0" * width for _row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PHOTO = FileField("schlagloch.png", "image/png", png())


@dataclass
class Ledger:
    """The writes of the run as the clients saw them, by the unique e-mail address of each."""

    run: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    bookings: dict[str, str] = field(default_factory=dict)  # e-mail -> "held" or "attempted"
    submissions: dict[str, str] = field(default_factory=dict)  # e-mail -> submission id or ""
    serial: int = 0

    def address(self, what: str) -> str:
        with self.lock:
            self.serial += 1
            return f"load-{self.run}-{what}{self.serial}@example.org"


@dataclass
class Site:
    """What the virtual users know about the site, found once before the run."""

    pages: list[str]
    services: list[str]
    types: list[str]


def discover(browser: Browser) -> Site:
    catalogue = parse(browser.get("/leistungen/")).links
    services = sorted({link for link in catalogue if re.fullmatch(r"/leistungen/\d+/", link)})
    topics = sorted({link for link in catalogue if link.startswith("/leistungen/thema/")})
    booking = parse(browser.get("/termine/")).links
    types = sorted({link for link in booking if re.fullmatch(r"/termine/[\w-]+/\d+/", link)})
    if not services or not types:
        raise SystemExit("the site has no service pages or appointment types: demo not loaded?")
    return Site(["/", "/leistungen/", *topics, *OTHER_PAGES], services, types)


# --- browsing --------------------------------------------------------------------------------


def browse(browser: Browser, site: Site, rng: random.Random) -> None:
    """One page: a service page in half of the visits, else the start page, catalogue, a
    topic or another public page."""
    path = rng.choice(site.services) if rng.random() < 0.5 else rng.choice(site.pages)
    browser.get(path)


# --- booking ---------------------------------------------------------------------------------


def solve_challenge(browser: Browser) -> str:
    """Fetch an ALTCHA challenge and solve it, as the widget in the browser does."""
    challenge = json.loads(browser.get("/termine/pruefung/").body)
    salt, target = challenge["salt"], challenge["challenge"]
    for number in range(int(challenge["maxnumber"]) + 1):
        if hashlib.sha256(f"{salt}{number}".encode()).hexdigest() == target:
            break
    else:
        raise StepFailed("ALTCHA challenge not solvable")
    solution = {
        "algorithm": challenge["algorithm"], "challenge": target, "number": number,
        "salt": salt, "signature": challenge["signature"],
    }  # fmt: skip
    return base64.b64encode(json.dumps(solution).encode()).decode()


def book(browser: Browser, site: Site, rng: random.Random, ledger: Ledger) -> None:
    month_path = rng.choice(site.types)
    month = browser.get(month_path)
    later = [link for link in parse(month).links if "?monat=" in link]
    if later and rng.random() < 0.5:  # a later month, as many visitors look further ahead
        month = browser.get(rng.choice(later))
    days = [link for link in parse(month).links if re.fullmatch(r".+/\d{4}-\d\d-\d\d/", link)]
    if not days:
        browser.recorder.count("booking: no free day in the month shown")
        return
    day = browser.get(rng.choice(days))
    times = [link for link in parse(day).links if re.fullmatch(r".+/\d{4}-\d\d-\d\d/\d{4}/", link)]
    if not times:
        browser.recorder.count("booking: no free time on the day shown")
        return
    details_path = rng.choice(times)
    details = browser.get(details_path)
    form = post_form(details)
    email = ledger.address("b")
    values = {"name": "Lena Last", "email": email, "phone": ""}
    # the widget adds its solution as a hidden field named "altcha" when it has solved it
    sent = [*form.fields(values), ("altcha", solve_challenge(browser))]
    with ledger.lock:
        ledger.bookings[email] = "attempted"
    answer = browser.post(form.action or details_path, sent, retries=1)
    if answer.status == 200:  # the form again: the proof was used by a request that failed
        browser.recorder.count("booking: form shown again, sent once more")
        form = post_form(answer)
        sent = [*form.fields(values), ("altcha", solve_challenge(browser))]
        answer = browser.post(form.action or details_path, sent)
    if answer.status == 302 and answer.location == HELD:
        with ledger.lock:
            ledger.bookings[email] = "held"
        browser.recorder.count("booking: held")
        browser.get(HELD)
    elif answer.status == 409:  # somebody else was quicker, or the person check was used up
        browser.recorder.count("booking: time taken meanwhile (409)")
    else:
        browser._unexpected(answer, "POST", details_path)


# --- submission ------------------------------------------------------------------------------


def submit(browser: Browser, rng: random.Random, ledger: Ledger) -> None:
    start_path = "/antrag/anliegen/"
    start = browser.get(start_path)
    form = post_form(start)
    step = browser.post(form.action or start_path, form.fields({}), retries=1)
    if step.status != 302:
        browser._unexpected(step, "POST", start_path)
    email = ledger.address("s")
    answers = {
        "topic": rng.choice(["roads", "lights", "green", "waste"]),
        "subject": f"Lastprobe {email.split('@')[0]}",
        "message": "Vor dem Haus Breiteweg 147 ist ein tiefes Schlagloch im Radweg.",
        "location": "Breiteweg 147",
        "name": "Ilse Last",
        "email": email,
        "phone": "",
        "reply_wanted": "yes",
    }
    path = step.location
    with ledger.lock:
        ledger.submissions[email] = ""
    for _step in range(6):  # the form's steps, then the check page
        page = browser.get(path)
        form = post_form(page)
        if "/pruefen/" in path:
            answer = browser.post(form.action or path, form.fields({}), retries=1)
            found = RECEIPT.match(answer.location) if answer.status == 302 else None
            if found is None:
                browser._unexpected(answer, "POST", path)
                return
            with ledger.lock:
                ledger.submissions[email] = found.group(1)
            browser.recorder.count("submission: received")
            browser.get(answer.location)
            return
        values = {name: answers[name.split(".")[-1]] for name in form.names() if
                  name.split(".")[-1] in answers}  # fmt: skip
        files = [item["name"] for item in form.inputs if item.get("type") == "file"]
        for name in files:
            values[name] = PHOTO
        answer = browser.post(
            form.action or path, form.fields(values, ("action", "next")), retries=1
        )
        if answer.status != 302:
            browser._unexpected(answer, "POST", path)
        path = answer.location
    raise StepFailed("the form did not reach its check page")


# --- staff -----------------------------------------------------------------------------------


def totp(username: str, moment: int) -> str:
    """The demo clerk's code for the 30-second step ``moment`` (RFC 6238, SHA-1, 6 digits);
    the key is the demo's, derived from the user name (rathaus.core.demo.DemoStaff)."""
    key = hashlib.sha1(f"rathaus-demo:{username}".encode()).digest()  # noqa: S324 (the demo's)
    digest = hmac.new(key, struct.pack(">Q", moment), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Clerk:
    """A demo clerk's browser, used by one virtual user at a time (a TOTP code counts once)."""

    def __init__(self, username: str, browser: Browser) -> None:
        self.username = username
        self.browser = browser
        self.logged_in = False
        self.last_step = 0

    def code(self) -> str:
        """A code not used before: this step's, or the next one (the server allows one step of
        drift) when this one was used already; else wait for the next step."""
        while True:
            now = int(time.time()) // 30
            step = max(now, self.last_step + 1)
            if step <= now + 1:
                self.last_step = step
                return totp(self.username, step)
            time.sleep(1)

    def login(self, next_path: str) -> Response:
        browser = self.browser
        page = browser.get(f"/verwaltung/anmelden/?next={next_path}")
        form = post_form(page)
        values = {"username": self.username, "password": DEMO_PASSWORD}
        answer = browser.post(form.action or "/verwaltung/anmelden/", form.fields(values))
        if answer.status != 302 or "/anmelden/code/" not in answer.location:
            browser._unexpected(answer, "POST", "/verwaltung/anmelden/")
        code_path = answer.location
        form = post_form(browser.get(code_path))
        answer = browser.post(code_path.split("?")[0], form.fields({"token": self.code()}),
                              referer=code_path)  # fmt: skip
        if answer.status != 302 or "/anmelden/" in answer.location:
            browser._unexpected(answer, "POST", code_path)
        self.logged_in = True
        browser.recorder.count("staff: logged in")
        return browser.get(answer.location)


def inbox(clerk: Clerk, rng: random.Random) -> None:
    browser = clerk.browser
    path = "/verwaltung/vorgaenge/"
    page = browser.get(path, expect=(200, 302)) if clerk.logged_in else None
    if page is None or page.status == 302:
        clerk.logged_in = False
        page = clerk.login(path)
    cases = [link for link in parse(page).links if re.fullmatch(path + r"[^?#]+/", link)]
    if cases:
        browser.get(rng.choice(cases))
