"""The accounts part of the demo: one confirmed citizen account with a known password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from rathaus.accounts.models import Account
from rathaus.core.demo import DEMO_PASSWORD, Tally

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
        Account.objects.create(user=user, email_verified_at=timezone.now(), **values)
        tally["Account: created"] += 1
    else:
        tally.upsert(Account, {"user": user}, values)
