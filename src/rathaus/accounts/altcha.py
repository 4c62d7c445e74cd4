"""Proof that a person, not a script, registers: ALTCHA proof-of-work, or a question without JS.

With JavaScript the ALTCHA widget solves a small hash puzzle in the browser (privacy-friendly,
no third-party service). Without JavaScript the form asks a simple arithmetic question in words.
Both are signed with a key derived from SECRET_KEY, expire after ten minutes and work once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from altcha.v1 import ChallengeOptions, create_challenge, verify_solution
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import UsedChallenge

LIFETIME = timedelta(minutes=10)
MAX_NUMBER = 50_000
_SALT = "rathaus.accounts.altcha"
_NUMBERS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]


def _key() -> str:
    return hashlib.sha256(f"{_SALT}:{settings.SECRET_KEY}".encode()).hexdigest()


def new_challenge() -> dict[str, object]:
    """A challenge for the widget (JSON: algorithm, challenge, maxnumber, salt, signature)."""
    expires = timezone.now() + LIFETIME
    challenge = create_challenge(
        ChallengeOptions(hmac_key=_key(), max_number=MAX_NUMBER, expires=expires)
    )
    return {
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "maxnumber": challenge.max_number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    }


def _use_once(signature: str, expires_at: datetime) -> bool:
    now = timezone.now()
    UsedChallenge.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            UsedChallenge.objects.create(signature=signature[:128], expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def verify_widget(payload: str) -> bool:
    """The widget's base64 payload is a valid, unexpired solution not used before."""
    ok, _error = verify_solution(payload, _key(), check_expires=True)
    if not ok:
        return False
    signature = json.loads(base64.b64decode(payload))["signature"]
    return _use_once(signature, timezone.now() + LIFETIME)


@dataclass(frozen=True)
class Question:
    text: str
    token: str


def new_question() -> Question:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"sum": a + b, "nonce": secrets.token_hex(8)}, salt=_SALT)
    text = _("How much is %(a)s plus %(b)s? Please answer with a number.") % {
        "a": _NUMBERS[a], "b": _NUMBERS[b],
    }  # fmt: skip
    return Question(text=text, token=token)


def verify_answer(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token, salt=_SALT, max_age=LIFETIME)
    except signing.BadSignature:
        return False
    if answer.strip() != str(data["sum"]):
        return False
    return _use_once(f"q:{data['nonce']}", timezone.now() + LIFETIME)


def widget_strings() -> str:
    """The widget's texts in the active language, as JSON for its `strings` attribute."""
    return json.dumps(
        {
            "label": _("I am not a robot"),
            "verifying": _("Checking …"),
            "verified": _("Checked"),
            "error": _("The check failed. Please try again."),
            "expired": _("The check has expired. Please confirm again."),
            "waitAlert": _("Checking … please wait."),
            "footer": "",
        },
        ensure_ascii=False,
    )


def page_context() -> dict[str, object]:
    """What ``accounts/_person_check.html`` needs besides the form: a fresh question for visitors
    without JavaScript and the widget's texts."""
    return {"question": new_question(), "altcha_strings": widget_strings()}
