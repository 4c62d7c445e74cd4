"""The service page shows only the ways to a service that really exist (ADR 0023)."""

from __future__ import annotations

import re

from django.urls import resolve

from rathaus.appointments.locations import AppointmentType
from rathaus.catalog import claims, maturity, services
from rathaus.catalog.models import Offer
from rathaus.forms import definitions
from rathaus.forms.models import FormDefinition, FormVersion

BUTTON = re.compile(
    r'<a class="kern-btn[^"]*" href="(?P<href>[^"]+)">(?:<span[^>]*></span>)?'
    r'<span class="kern-label">(?P<label>[^<]+)</span></a>'
)
APPLY, BOOK, REPORT = "Online beantragen", "Termin buchen", "Anliegen melden"
NO_ONLINE_WAY = "Diese Leistung können Sie noch nicht online beantragen."


def live_forms():
    return FormDefinition.objects.filter(
        retired_at__isnull=True, versions__status=FormVersion.Status.PUBLISHED
    )


def check_action(offer: Offer, href: str, label: str) -> None:
    """The link leads to a live way of exactly this offer."""
    if label == APPLY:
        if href == offer.online_url:
            return
        match = resolve(href)
        assert match.view_name == "forms:start", href
        assert live_forms().filter(offer=offer, slug=match.kwargs["slug"]).exists(), href
    elif label == BOOK:
        if href == offer.appointment_url:
            return
        match = resolve(href)
        assert match.view_name == "appointments:month", href
        (type_id,) = match.kwargs["type_id"]
        bookable = AppointmentType.objects.filter(
            pk=type_id,
            offer=offer,
            location__slug=match.kwargs["location_slug"],
            resources__active=True,
        )
        assert bookable.exists(), href
    elif label == REPORT:
        assert offer.general_request
        match = resolve(href)
        assert match.view_name == "forms:start", href
        general = live_forms().filter(
            authority=offer.authority, slug=match.kwargs["slug"], offer__isnull=True
        )
        assert general.exists(), href
    else:
        raise AssertionError(f"unexpected action {label!r} ({href})")


def test_no_service_page_shows_an_action_that_does_not_exist(client, barleben_catalogue):
    seen: set[str] = set()
    offers = Offer.objects.filter(authority=barleben_catalogue).select_related("service")
    assert offers.count() > 20
    for offer in offers:
        response = client.get(offer.service.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        actions = [(m["href"].replace("&amp;", "&"), m["label"]) for m in BUTTON.finditer(html)]
        for href, label in actions:
            check_action(offer, href, label)
            seen.add(label)
            if href.startswith("/"):
                assert client.get(href).status_code in {200, 302}, href
        if not actions:
            # No button: the page says plainly how to get the service.
            assert NO_ONLINE_WAY in html, offer
            assert 'href="#contact-heading"' in html
            assert 'id="contact-heading"' in html
    assert seen == {APPLY, BOOK, REPORT}  # the demo shows every kind of way somewhere


def test_a_retired_form_takes_its_button_away(client, barleben_catalogue):
    registration = Offer.objects.get(
        authority=barleben_catalogue, service__leika_key="99115003012000"
    )
    url = registration.service.get_absolute_url()
    assert APPLY in client.get(url).content.decode()
    for definition in FormDefinition.objects.filter(offer=registration):
        definitions.retire(definition)
    assert APPLY not in client.get(url).content.decode()


def test_general_request_button_only_for_marked_offers_with_a_live_form(client, barleben_catalogue):
    pothole = Offer.objects.get(authority=barleben_catalogue, service__leika_key="99108018137003")
    url = pothole.service.get_absolute_url()
    assert 'href="/antrag/anliegen/"' in client.get(url).content.decode()
    services.save_offer(barleben_catalogue, pothole.service, {"general_request": False})
    html = client.get(url).content.decode()
    assert REPORT not in html
    assert NO_ONLINE_WAY in html
    services.save_offer(barleben_catalogue, pothole.service, {"general_request": True})
    for definition in FormDefinition.objects.filter(slug="anliegen"):
        definitions.retire(definition)
    assert REPORT not in client.get(url).content.decode()


def test_demo_texts_promise_no_online_way_that_is_missing(barleben_catalogue):
    offers = list(Offer.objects.all())
    maturity.annotate(offers)
    for offer in offers:
        values = {name: getattr(offer, name) for name in claims.TEXT_FIELDS}
        values["maturity_override"] = offer.maturity_override
        assert claims.problems(values, offer.ways) == {}, offer
