"""The accounts part of the demo: one confirmed citizen account with a known password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from rathaus.accounts.mailbox import Attachment, send_message
from rathaus.accounts.models import Account
from rathaus.core.demo import DEMO_PASSWORD, Tally
from rathaus.core.models import Authority, OrgUnit

CITIZEN_EMAIL = "ilse.beispiel@example.org"


def load(tally: Tally) -> None:
    user_model = get_user_model()
    existing = user_model.objects.filter(username=CITIZEN_EMAIL).first()
    user = tally.upsert(
        user_model,
        {"username": CITIZEN_EMAIL},
        {"email": CITIZEN_EMAIL, "first_name": "Ilse", "last_name": "Beispiel",
         "is_active": True, "is_staff": False},
    )  # fmt: skip
    if existing is None:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    account = Account.objects.filter(user=user).first()
    values = {"kind": Account.Kind.PERSON, "street": "Breiteweg 12", "postal_code": "39179",
              "city": "Barleben"}  # fmt: skip
    if account is None:
        account = Account.objects.create(user=user, email_verified_at=timezone.now(), **values)
        tally["Account: created"] += 1
    else:
        account = tally.upsert(Account, {"user": user}, values)
    if not account.messages.exists():
        _demo_message(account)
        tally["Message: created"] += 1


def _demo_message(account: Account) -> None:
    """A letter of the Ordnungsamt with a PDF, so the mailbox can be tried in the demo."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    barleben = Authority.objects.get(slug="barleben")
    unit = OrgUnit.objects.filter(authority=barleben, slug="ordnungsamt").first()
    letter = (
        "<html lang='de'><body style='font-family: sans-serif'>"
        "<p>Gemeinde Barleben · Ordnungsamt · Ernst-Thälmann-Straße 22 · 39179 Barleben</p>"
        "<p>Frau Ilse Beispiel<br>Breiteweg 12<br>39179 Barleben</p>"
        "<h1>Bestätigung der Anmeldung Ihres Hundes</h1>"
        "<p>Sehr geehrte Frau Beispiel,</p><p>wir bestätigen die Anmeldung Ihres Hundes zur "
        "Hundesteuer. Die Hundesteuermarke erhalten Sie mit getrennter Post.</p>"
        "<p>Dies ist ein Beispiel aus der Demo von rathaus.</p></body></html>"
    )
    send_message(
        authority=barleben,
        account=account,
        sender_unit=unit,
        subject="Bestätigung der Anmeldung Ihres Hundes",
        body="Guten Tag Frau Beispiel,\n\nim Anhang finden Sie die Bestätigung der Anmeldung "
        "Ihres Hundes.\n\nMit freundlichen Grüßen\nIhr Ordnungsamt",
        attachments=[
            Attachment("Bestaetigung-Hundeanmeldung.pdf", HTML(string=letter).write_pdf())
        ],
        reference="OA-2026-0042",
    )
