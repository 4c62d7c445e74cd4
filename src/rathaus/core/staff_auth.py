"""Two-step staff login: password first, then a TOTP code (enrolled on the first login).

Between the steps the session holds only a pending marker with the user id; the user is logged in
(``django.contrib.auth.login`` and ``django_otp.login``) once the second factor is verified.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING_KEY = "rathaus_staff_pending"
PENDING_SECONDS = 300
MAX_CODE_FAILURES = 5


@dataclass
class Pending:
    user: AbstractBaseUser
    backend: str
    failures: int


def is_verified_staff(user: object) -> bool:
    """Active staff who passed both factors in this session."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and getattr(user, "is_verified", lambda: False)()
    )


def start_pending(request: HttpRequest, user: AbstractBaseUser) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,  # type: ignore[attr-defined]
        "since": int(time.time()),
        "failures": 0,
    }


def get_pending(request: HttpRequest) -> Pending | None:
    data: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not data or time.time() - data.get("since", 0) > PENDING_SECONDS:
        return None
    user = (
        get_user_model().objects.filter(pk=data["user_id"], is_active=True, is_staff=True).first()
    )
    if user is None:
        return None
    return Pending(user=user, backend=data["backend"], failures=data.get("failures", 0))


def count_failure(request: HttpRequest, pending: Pending) -> int:
    """One more wrong code; after too many the password step must be repeated."""
    data = request.session[PENDING_KEY]
    data["failures"] = pending.failures + 1
    request.session[PENDING_KEY] = data
    if data["failures"] >= MAX_CODE_FAILURES:
        clear_pending(request)
        # Counts towards the login lock-out, like a wrong password.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": pending.user.get_username()},
            request=request,
        )
    return int(data["failures"])


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device being set up, made on first use and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


def base32_key(device: TOTPDevice) -> str:
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def staff_member(request: HttpRequest) -> User:
    """The logged-in staff member of a view behind ``staff_required`` (typed as a user)."""
    user = request.user
    if not isinstance(user, User) or not user.is_staff:
        raise PermissionDenied
    return user
