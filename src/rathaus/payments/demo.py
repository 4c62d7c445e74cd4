"""The demo's cash office: Barleben's Gemeindekasse with demo bank data, the cash office's
permission for the Bürgerbüro's demo clerk (who takes money at the desk), and a few payment
requests of the demo in several states, so the cash office's pages show something (ADR 0049).

Everything here is demo data: the IBAN passes its check digits but belongs to no account, and
the payers are invented. The fee table comes from the certificate package's demo.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.payments.models import CashOffice, PaymentRequest

DEMO_AUTHORITY = "barleben"
DEMO_CASH_CLERK = "buergerbuero"
DEMO_OFFICE = {
    "name": "Gemeindekasse Barleben",
    "kassenzeichen_pattern": "BAR-{year}-{number:06d}",
    "account_holder": "Gemeinde Barleben (Demo)",
    "iban": "DE96810532720001234567",
    "bic": "NOLADE21MDG",
    "bank": "Kreissparkasse Börde (Demo-Bankverbindung)",
    "days_to_pay": 14,
}
# (source, purpose, payer, [(description, quantity, unit cents)], what happens to it)
DEMO_REQUESTS: list[tuple[str, str, str, list[tuple[str, int, int]], str]] = [
    (
        "demo:kasse:1",
        "Meldebescheinigung",
        "Ilse Beispiel",
        [("Meldebescheinigung", 1, 1000)],
        "paid",
    ),
    (
        "demo:kasse:2",
        "Geburtsurkunde",
        "Hans Muster",
        [("Geburtsurkunde", 1, 1200), ("Geburtsurkunde, weitere Ausfertigung", 1, 600)],
        "open",
    ),
    (
        "demo:kasse:3",
        "Gewerbeanmeldung",
        "Petra Probe",
        [("Gewerbeanmeldung", 1, 2600)],
        "refunded",
    ),
    (
        "demo:kasse:4",
        "Führungszeugnis",
        "Karl Exempel",
        [("Führungszeugnis", 1, 1300)],
        "cancelled",
    ),
]


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=DEMO_AUTHORITY).first()
    if authority is not None:
        load_cash_office(tally, authority)


def load_cash_office(tally: Tally, authority: Authority, *, requests: bool = True) -> CashOffice:
    """Barleben's cash office settings, the demo clerk's permission and (``requests``) the demo
    payment requests; running it again changes nothing."""
    from rathaus.payments.providers.base import providers

    provider = "sandbox" if "sandbox" in providers else "invoice"
    office = tally.upsert(
        CashOffice, {"authority": authority}, {**DEMO_OFFICE, "provider": provider}
    )
    clerk = get_user_model().objects.filter(username=DEMO_CASH_CLERK).first()
    if clerk is not None:
        clerk.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="payments",
                codename__in=["view_paymentrequest", "change_paymentrequest"],
            )
        )
    if requests:
        for source, purpose, payer, items, outcome in DEMO_REQUESTS:
            _demo_request(tally, authority, clerk, source, purpose, payer, items, outcome)
    return office


def _demo_request(
    tally: Tally,
    authority: Authority,
    clerk: Any,
    source: str,
    purpose: str,
    payer: str,
    items: list[tuple[str, int, int]],
    outcome: str,
) -> None:
    from rathaus.payments import refunds, services

    request, created = services.create_request(
        authority=authority,
        items=[services.ItemSpec(text, quantity, unit) for text, quantity, unit in items],
        purpose=purpose,
        payer_name=payer,
        source=source,
        provider="invoice",
    )
    tally[f"{PaymentRequest.__name__}: {'created' if created else 'unchanged'}"] += 1
    if not created or clerk is None:
        return
    if outcome in ("paid", "refunded"):
        services.mark_received(request, user=clerk, note="Demo: an der Kasse bezahlt")
    if outcome == "refunded":
        refunds.refund(request, 1000, user=clerk, note="Demo: Gebühr teilweise erlassen")
    if outcome == "cancelled":
        services.cancel(request, user=clerk, note="Demo: Antrag zurückgenommen")
