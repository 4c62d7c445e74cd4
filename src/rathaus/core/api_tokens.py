"""Personal API keys for staff: created and revoked on a staff page, checked on every request.

A key is ``rh_<prefix>_<secret>`` with 256 random bits; the database keeps only its SHA-256
hash (a slow password hash is not needed for random keys of that length) and the prefix, so the
owner can tell keys apart. The full key is shown once, right after it was made.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VALIDITY_DAYS = (30, 90, 180, 365)
MAX_ACTIVE_PER_USER = 20
# The last use is written at most once a minute, so a busy client does not write on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """The key cannot be made; the message says why (German, for staff)."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(user: Any, name: str, days: int, *, authority: Any = None) -> NewToken:
    from django.utils.translation import gettext as _

    name = " ".join(name.split())[:100]
    if not name:
        raise TokenRefused(_("Please give the key a name."))
    if days not in VALIDITY_DAYS:
        raise TokenRefused(_("Please choose how long the key is valid."))
    now = timezone.now()
    with transaction.atomic():
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        if active.count() >= MAX_ACTIVE_PER_USER:
            raise TokenRefused(
                _("You have %(count)d valid keys. Please revoke one you no longer need.")
                % {"count": MAX_ACTIVE_PER_USER}
            )
        prefix = secrets.token_hex(4)
        key = f"rh_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, key_hash=_hash(key), created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )  # fmt: skip
        details = {"name": name, "expires_at": token.expires_at.isoformat()}
        audit.record("api_token.created", actor=user, authority=authority, obj=token,
                     details=details)  # fmt: skip
    return NewToken(token=token, key=key)


def revoke(user: Any, token_id: int, *, authority: Any = None) -> bool:
    """Revoke one of the user's own keys; False if there is no such valid key."""
    now = timezone.now()
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(pk=token_id, user=user, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            return False
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record("api_token.revoked", actor=user, authority=authority, obj=token,
                     details={"name": token.name})  # fmt: skip
    return True


def user_for_key(key: str) -> User | None:
    """The active staff member a valid key belongs to, or None (unknown, revoked, expired)."""
    if not key.startswith("rh_") or len(key) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active or not token.user.is_staff:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_of(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user)[:100])
