"""Domain functions of accounts: registration, confirmation, login, profile changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from rathaus.accounts.models import Account, Consent
from rathaus.accounts.providers import LoginResult
from rathaus.accounts.tokens import email_confirmation
from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.tenancy import current_authority

PRIVACY_NOTICE_VERSION = "2026-11"
SESSION_TRUST_LEVEL = "rathaus_trust_level"
SESSION_PROVIDER = "rathaus_login_provider"


def _confirmation_url(request: HttpRequest, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:confirm", args=[uid, email_confirmation.make_token(user)])
    return request.build_absolute_uri(path)


def register(request: HttpRequest, data: dict[str, Any]) -> None:
    """Create an unconfirmed account and send the confirmation link.

    If the address is already registered, the owner gets a notice instead; the person
    registering sees the same answer either way, so the form does not reveal who has an account.
    """
    email = data["email"].strip().lower()
    authority = current_authority(request)
    user_model = get_user_model()
    with transaction.atomic():
        existing = user_model.objects.filter(username=email).first()
        if existing is not None:
            send_mail(
                to=email,
                subject=_("Registration with your e-mail address"),
                template="accounts/email/already_registered",
                context={"login_url": request.build_absolute_uri(reverse("accounts:login"))},
                authority=authority,
            )
            audit.record("account.register.existing", actor_name=email, authority=authority)
            return
        user = user_model.objects.create_user(
            username=email,
            email=email,
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            is_active=False,
        )
        account = Account.objects.create(
            user=user, kind=data["kind"], organisation_name=data.get("organisation_name", "")
        )
        Consent.objects.create(
            account=account, topic="privacy-notice", version=PRIVACY_NOTICE_VERSION
        )
        send_mail(
            to=email,
            subject=_("Please confirm your e-mail address"),
            template="accounts/email/confirm",
            context={"confirm_url": _confirmation_url(request, user), "user": user},
            authority=authority,
        )
        audit.record(
            "account.registered", actor=None, actor_name=email, authority=authority, obj=account
        )


def confirm_email(request: HttpRequest, user: User, token: str) -> bool:
    """Activate the account if the link is valid; links are single-use and expire."""
    if not email_confirmation.check_token(user, token):
        return False
    with transaction.atomic():
        account = Account.objects.select_for_update().get(user=user)
        if account.email_verified_at is not None:
            return False
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(
            "account.confirmed", actor=user, obj=account, authority=current_authority(request)
        )
    return True


def resend_confirmation(request: HttpRequest, email: str) -> None:
    user = (
        get_user_model()
        .objects.filter(username=email.strip().lower(), is_active=False, account__isnull=False)
        .first()
    )
    if user is None or Account.objects.filter(user=user, email_verified_at__isnull=False).exists():
        return
    send_mail(
        to=user.email,
        subject=_("Please confirm your e-mail address"),
        template="accounts/email/confirm",
        context={"confirm_url": _confirmation_url(request, user), "user": user},
        authority=current_authority(request),
    )


def log_in(request: HttpRequest, result: LoginResult) -> None:
    """Start the session (a new key) and remember how the person proved who they are."""
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_TRUST_LEVEL] = str(result.trust_level)
    request.session[SESSION_PROVIDER] = result.provider
    audit.record(
        "account.login",
        actor=result.user,
        authority=current_authority(request),
        details={"provider": result.provider, "trust_level": str(result.trust_level)},
    )


PROFILE_FIELDS = ("date_of_birth", "street", "postal_code", "city", "phone", "organisation_name")


def update_profile(request: HttpRequest, account: Account, data: dict[str, Any]) -> list[str]:
    """Save changed profile fields; returns their names (audited without the values)."""
    user = account.user
    changed: list[str] = []
    with transaction.atomic():
        for name in ("first_name", "last_name"):
            if name in data and getattr(user, name) != data[name]:
                setattr(user, name, data[name])
                changed.append(name)
        user.save(update_fields=[name for name in changed if name in ("first_name", "last_name")])
        for name in PROFILE_FIELDS:
            if name in data and getattr(account, name) != data[name]:
                setattr(account, name, data[name])
                changed.append(name)
        account.save(update_fields=[name for name in changed if name in PROFILE_FIELDS])
        if changed:
            audit.record(
                "account.profile.changed",
                actor=user,
                obj=account,
                authority=current_authority(request),
                details={"fields": changed},
            )
    return changed
