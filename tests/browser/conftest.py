"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every test in this directory is marked ``browser`` (``make browser`` / ``pytest -m browser``).
The browser is started once per session; each test gets a fresh context (no cookies carried
over), German as the browser language, and a live server with the Barleben demo loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from rathaus.core import audit, roles
from rathaus.core.models import AuditChainHead
from tests.support import load_demo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000  # for actions and for expect(): generous, CI machines may be busy

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio event loop running in the test thread; Django would
    # then refuse the tests' ORM calls (SynchronousOnlyOperation) although they are synchronous.
    # Allowed only while Playwright runs, so tests without a browser keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as instance:
            yield instance
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with: apt-get install chromium",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def demo_data(transactional_db: None, request: pytest.FixtureRequest) -> None:
    """The Barleben demo, committed so that the live server thread sees it.

    Transactional tests end with a flush of all tables, which also removes the rows the data
    migrations made (roles, audit chain head); they are put back before the demo is loaded.
    (Serialized rollback would do that too, but breaks as soon as a transactional test without
    it ran before, since that test's flush recreates the content types.)
    """
    for name in roles.ALL:
        Group.objects.get_or_create(name=name)
    AuditChainHead.objects.get_or_create(pk=1, defaults={"sequence": 0, "hash": audit.GENESIS_HASH})
    load_demo(request)


@pytest.fixture
def server(demo_data: None, live_server: Any, settings: Any) -> str:
    """Base URL of the live server (host ``localhost``: the default authority, Barleben).

    Links in e-mails lead to the portal of the authority (``core.tenancy.portal_url``); here
    that is the live server. Maps get no tile server: tests reach nothing outside this
    machine, and the maps draw their stations without a background.
    """
    settings.RATHAUS_PUBLIC_URL = str(live_server.url)
    settings.RATHAUS_MAP_TILE_URL = ""
    return str(live_server.url)


@pytest.fixture
def empty_server(live_server: Any, settings: Any) -> str:
    """Base URL of the live server without the demo, for pages that show no data."""
    settings.RATHAUS_PUBLIC_URL = str(live_server.url)
    settings.RATHAUS_MAP_TILE_URL = ""
    return str(live_server.url)


# Runs axe-core in every page that finishes loading (top frame, HTML only) and reports the
# result to the test through an exposed binding. A run that a navigation interrupts is lost;
# the next page is checked again.
AUTO_AXE_SCRIPT = """
(() => {
  if (window.top !== window) return;
  window.addEventListener("load", () => setTimeout(async () => {
    if (!location.protocol.startsWith("http")) return;  // not the browser's own error pages
    if (document.contentType !== "text/html" || typeof axe === "undefined") return;
    if (window.__rathausAxeRunning) return;
    window.__rathausAxeRunning = true;
    try {
      const result = await axe.run(document, {runOnly: {type: "tag", values: %s}});
      await window.__rathausAxeReport({url: location.href, violations: result.violations});
    } catch (error) {
      await window.__rathausAxeReport({url: location.href, error: String(error)});
    } finally {
      window.__rathausAxeRunning = false;
    }
  }, 0));
})();
"""
WAIT_FOR_AXE = """() => new Promise(resolve => {
  const check = () => window.__rathausAxeRunning ? setTimeout(check, 25) : resolve();
  check();
})"""


class AxeReports:
    """What axe-core found in the pages of one test's contexts."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.checked: list[str] = []

    def __call__(self, source: Any, report: dict[str, Any]) -> None:
        url = str(report.get("url", ""))
        self.checked.append(url)
        error = str(report.get("error") or "")
        if error and "already running" not in error:
            self.failures.append(f"axe-core could not check {url}: {error}")
        violations = report.get("violations") or []
        if violations:
            self.failures.append(_format_violations(url, violations))

    @staticmethod
    def wait(page: Page) -> None:
        """Wait until the check of the page's last load has reported."""
        page.evaluate(WAIT_FOR_AXE)


@pytest.fixture
def axe_reports() -> AxeReports:
    """What the automatic axe-core checks found in this test's pages."""
    return AxeReports()


@pytest.fixture
def new_context(
    browser: Browser, axe_source: str, axe_reports: AxeReports
) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (German, CSP bypassed for axe); all are closed after the test.

    axe-core checks every page that loads in a context with JavaScript (WCAG 2.0/2.1 A and
    AA); the test fails at its end if any page had a violation. Pages in contexts without
    JavaScript, and states that htmx or a script reached after loading, are checked where the
    test calls ``assert_accessible``.
    """
    contexts: list[BrowserContext] = []
    reports = axe_reports

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {"locale": "de-DE", "bypass_csp": True}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        if settings.get("java_script_enabled", True):
            context.expose_binding("__rathausAxeReport", reports)
            context.add_init_script(axe_source + AUTO_AXE_SCRIPT % json.dumps(AXE_TAGS))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        for open_page in context.pages:
            with contextlib.suppress(PlaywrightError):
                open_page.evaluate(WAIT_FOR_AXE)
        context.close()
    if reports.failures:
        pytest.fail("\n\n".join(reports.failures), pytrace=False)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']}\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = ", ".join(
                " ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"    at {target}")
            lines.append(textwrap.indent(textwrap.shorten(node["html"], 300), "      "))
            summary = node.get("failureSummary")
            if summary:
                lines.append(textwrap.indent(summary, "      "))
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing; run `npm ci` (make setup).", pytrace=False)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]] | None:
    """axe-core's violations on the page as it is now; None if the page runs no JavaScript."""
    page.wait_for_load_state("load")
    with contextlib.suppress(PlaywrightError):
        page.evaluate(WAIT_FOR_AXE)  # the check that runs on every load must finish first
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        return None
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return list(result["violations"])


@pytest.fixture
def assert_accessible(browser: Browser, axe_source: str) -> Iterator[Callable[[Page], None]]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; fail on any violation.

    In a context without JavaScript axe cannot run in the page itself, so the same URL is loaded
    with the same cookies in a JavaScript-enabled twin context and checked there.
    """
    twins: list[Page] = []

    def check(page: Page) -> None:
        violations = _axe_violations(page, axe_source)
        if violations is None:
            if not twins:
                twin = browser.new_context(locale="de-DE", bypass_csp=True)
                twin.set_default_timeout(TIMEOUT_MS)
                twins.append(twin.new_page())
            twin_page = twins[0]
            twin_page.context.clear_cookies()
            twin_page.context.add_cookies(page.context.cookies())  # type: ignore[arg-type]
            twin_page.goto(page.url)
            violations = _axe_violations(twin_page, axe_source)
            assert violations is not None
        if violations:
            raise AssertionError(_format_violations(page.url, violations))

    yield check
    for twin_page in twins:
        twin_page.context.close()
