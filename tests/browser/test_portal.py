"""The public portal in a real browser: start page, keyboard use, languages, small screens."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, expect

Check = Callable[[Page], None]
WELCOME_DE = "Willkommen im digitalen Rathaus der Gemeinde Barleben"
WELCOME_EN = "Welcome to the digital town hall of Gemeinde Barleben"


def test_start_page_of_barleben(page: Page, server: str, assert_accessible: Check) -> None:
    response = page.goto(f"{server}/")
    assert response is not None
    assert response.status == 200

    expect(page).to_have_title("Startseite – Gemeinde Barleben")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_DE)
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Start", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(nav.get_by_role("link", name="Ämter und Kontakt")).to_be_visible()
    # Organised by what people come to do, not by offices.
    tasks = page.get_by_role("region", name="Was möchten Sie tun?")
    expect(tasks.get_by_role("link")).to_have_count(5)
    expect(page.get_by_role("heading", name="Standesamt")).to_have_count(0)
    assert_accessible(page)

    # The skip link is the first thing the keyboard reaches; hidden until focused.
    skip_link = page.get_by_role("link", name="Zum Hauptinhalt springen")
    expect(skip_link).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    expect(skip_link).to_be_in_viewport()
    assert_accessible(page)

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/#inhalt")
    expect(page.locator("main#inhalt")).to_be_focused()
    # The next Tab continues inside the main content, not at the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

    # "Report a problem" is the general request form.
    tasks.get_by_role("link", name="Problem melden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anliegen an die Gemeinde")


def test_language_switch(page: Page, server: str, assert_accessible: Check) -> None:
    page.goto(f"{server}/")
    switch = page.get_by_role("group", name="Sprache")
    expect(switch.get_by_role("button", name="Deutsch")).to_have_attribute("aria-pressed", "true")

    switch.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_EN)
    expect(page).to_have_url(f"{server}/")
    switch = page.get_by_role("group", name="Language")
    expect(switch.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    assert_accessible(page)

    # The choice is kept while browsing.
    page.get_by_role("navigation").get_by_role("link", name="Offices and contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offices and contact")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    switch.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ämter und Kontakt")
    expect(page).to_have_url(f"{server}/kontakt/")
    assert_accessible(page)


def test_contact_page_lists_the_offices(page: Page, server: str, assert_accessible: Check) -> None:
    page.goto(f"{server}/kontakt/")
    expect(page).to_have_title("Ämter und Kontakt – Gemeinde Barleben")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Standesamt", exact=True)).to_be_visible()
    workshop = main.get_by_role("region", name="Digitalwerkstatt Villa 147")
    expect(workshop).to_contain_text("Breiteweg 147")
    expect(workshop).to_contain_text("Bereich Digitales")
    expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
            "link", name="Ämter und Kontakt"
        )
    ).to_have_attribute("aria-current", "page")
    assert_accessible(page)


def test_small_screen_without_horizontal_scrolling(
    new_context: Callable[..., BrowserContext], server: str, assert_accessible: Check
) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    for path in ("/", "/kontakt/", "/verwaltung/anmelden/"):
        page.goto(f"{server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at a 320 px viewport"
        assert_accessible(page)


def test_without_javascript(
    new_context: Callable[..., BrowserContext], server: str, assert_accessible: Check
) -> None:
    """The language switch is a plain form and the navigation plain links: no script needed."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_DE)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_EN)
    assert_accessible(page)

    page.get_by_role("navigation").get_by_role("link", name="Offices and contact").click()
    expect(page).to_have_url(f"{server}/kontakt/")
    expect(page.get_by_role("heading", name="Standesamt", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Deutsch").click()
    expect(page).to_have_url(f"{server}/kontakt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ämter und Kontakt")
    assert_accessible(page)

    page.get_by_role("navigation").get_by_role("link", name="Start", exact=True).click()
    expect(page).to_have_url(f"{server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_DE)
    assert_accessible(page)


def test_not_found_page(page: Page, server: str, assert_accessible: Check) -> None:
    response = page.goto(f"{server}/gibt-es-nicht/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.get_by_role("main")).to_contain_text("Tippfehler")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Zur Startseite").click()
    expect(page).to_have_url(f"{server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_DE)
    assert_accessible(page)


def test_api_docs_load_without_cdn(
    page: Page,
    new_context: Callable[..., BrowserContext],
    empty_server: str,
    assert_accessible: Check,
) -> None:
    server = empty_server
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    with page.expect_response(lambda r: r.url.endswith("/api/v1/openapi.json")) as schema:
        response = page.goto(f"{server}/api/v1/docs")
    assert response is not None
    assert response.status == 200
    assert schema.value.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("rathaus API")
    expect(page.get_by_text("/api/v1/version", exact=True)).to_be_visible()
    assert_accessible(page)

    # Also under the real Content-Security-Policy (the page fixture bypasses it for axe).
    strict = new_context(bypass_csp=False).new_page()
    strict.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    strict.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    strict.on("pageerror", lambda error: errors.append(str(error)))
    strict.goto(f"{server}/api/v1/docs")
    expect(strict.get_by_text("/api/v1/version", exact=True)).to_be_visible()
    assert not errors, f"errors in the browser console: {errors}"

    origin = urlsplit(server).netloc
    foreign = [url for url in requests if urlsplit(url).netloc != origin]
    assert not foreign, f"requests to other hosts than the live server: {foreign}"
