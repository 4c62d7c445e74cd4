"""Domain functions of accounts: registration, confirmation, login, sessions, password reset,
profile changes."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from rathaus.accounts import lockouts
from rathaus.accounts.models import Account, Consent, RegistrationAttempt, TrustLevel
from rathaus.accounts.providers import LoginResult
from rathaus.accounts.tokens import email_confirmation
from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority

PRIVACY_NOTICE_VERSION = "2026-12"  # the notice made of the apps' declarations (ADR 0024)
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
        _send_confirmation(request, user, authority)
        audit.record(
            "account.registered", actor=None, actor_name=email, authority=authority, obj=account
        )


def _record(
    request: HttpRequest, action: str, user: User, account: Account, **details: Any
) -> None:
    """Audit what a person did with their own account, in the chain of the request's authority."""
    audit.record(
        action,
        actor=user,
        obj=account,
        authority=current_authority(request),
        details=details,
    )


def _send_confirmation(request: HttpRequest, user: User, authority: Authority | None) -> None:
    """The e-mail with the link that confirms the address (at registration and on request)."""
    send_mail(
        to=user.email,
        subject=_("Please confirm your e-mail address"),
        template="accounts/email/confirm",
        context={"confirm_url": _confirmation_url(request, user), "user": user},
        authority=authority,
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
        _record(request, "account.confirmed", user, account)
    return True


def resend_confirmation(request: HttpRequest, email: str) -> None:
    user = (
        get_user_model()
        .objects.filter(username=email.strip().lower(), is_active=False, account__isnull=False)
        .first()
    )
    if user is None or Account.objects.filter(user=user, email_verified_at__isnull=False).exists():
        return
    _send_confirmation(request, user, current_authority(request))


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
            _record(request, "account.profile.changed", user, account, fields=changed)
    return changed


def external_account(request: HttpRequest, provider: str, claims: dict[str, Any]) -> User:
    """The user linked to this identity at an external provider; created on the first login.

    The person is found by the provider's ``sub`` only, never by e-mail address: an address
    does not prove that an existing local account belongs to the same person.
    """
    from django.utils.crypto import get_random_string

    from rathaus.accounts.models import ExternalIdentity

    subject = str(claims["sub"])
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_related("account__user")
            .filter(provider=provider, subject=subject)
            .first()
        )
        if identity is not None:
            return identity.account.user
        verified = claims.get("email_verified") is True and isinstance(claims.get("email"), str)
        email = str(claims["email"]).strip().lower()[:254] if verified else ""
        user = get_user_model().objects.create_user(
            username=f"extern-{get_random_string(24).lower()}",
            email=email,
            password=None,
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )
        account = Account.objects.create(
            user=user,
            kind=Account.Kind.PERSON,
            email_verified_at=timezone.now() if email else None,
        )
        ExternalIdentity.objects.create(account=account, provider=provider, subject=subject)
        _record(request, "account.registered.external", user, account, provider=provider)
    return user


def log_in_external(
    request: HttpRequest,
    *,
    provider: str,
    issuer: str,
    claims: dict[str, Any],
    trust_level: TrustLevel,
) -> bool:
    """Log in the person an external identity provider vouched for (OpenID Connect, SAML).

    The account is found or created by :func:`external_account`; staff and deactivated users
    are not logged in (False), whatever the provider says.
    """
    user = external_account(request, issuer, claims)
    if user.is_staff or not user.is_active:
        return False
    log_in(request, LoginResult(user=user, provider=provider, trust_level=trust_level))
    return True


def client_ip(request: HttpRequest) -> str:
    """The visitor's address, read like the rate limits and the login lock-out read it.

    X-Forwarded-For counts only from ``RATHAUS_TRUSTED_PROXIES``; otherwise anyone could send
    another address in it to dodge the limit.
    """
    return lockouts.client_ip(request) or "127.0.0.1"


def registration_wait(request: HttpRequest) -> int:
    """Seconds until the visitor's address may register again (for Retry-After)."""
    oldest = (
        RegistrationAttempt.objects.filter(
            ip_address=client_ip(request), created_at__gte=timezone.now() - timedelta(hours=1)
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return 60
    return max(1, math.ceil((oldest + timedelta(hours=1) - timezone.now()).total_seconds()))


def registration_allowed(request: HttpRequest) -> bool:
    """Count this registration for the visitor's address; False once the hourly limit is reached.

    The counter lives in the database, so it holds across processes and restarts.
    """
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    ip = client_ip(request)
    with transaction.atomic():
        RegistrationAttempt.objects.filter(created_at__lt=hour_ago).delete()
        recent = RegistrationAttempt.objects.filter(ip_address=ip, created_at__gte=hour_ago)
        if recent.count() >= settings.RATHAUS_REGISTRATION_LIMIT_PER_HOUR:
            audit.record(
                "account.register.throttled",
                actor_name=ip,
                authority=current_authority(request),
            )
            return False
        RegistrationAttempt.objects.create(ip_address=ip, created_at=now)
    return True


def _end_all_sessions(account: Account) -> None:
    # Every session remembers the generation of its login; the session time-out middleware
    # ends those with a lower number on their next request.
    Account.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)


def end_all_sessions(request: HttpRequest, account: Account) -> None:
    """Log out everywhere: every session of the account ends, this one too."""
    with transaction.atomic():
        _end_all_sessions(account)
        _record(request, "account.sessions.ended", account.user, account)


def change_password(request: HttpRequest, user: User, password: str) -> None:
    """A logged-in citizen sets a new password: every other session of the account ends, this
    one stays, and the holder gets an e-mail (in case it was not them)."""
    from rathaus.core.session_timeout import EPOCH

    authority = current_authority(request)
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        account = Account.objects.get(user=locked)
        _end_all_sessions(account)
        account.refresh_from_db(fields=["session_epoch"])
        _record(request, "account.password_changed", locked, account)
        send_mail(
            to=locked.email,
            subject=_("Your password was changed"),
            template="accounts/email/password_changed",
            context={
                "user": locked,
                "reset_url": request.build_absolute_uri(reverse("accounts:password_reset")),
            },
            authority=authority,
        )
    # this session goes on: Django's check of the password hash and the session generation
    update_session_auth_hash(request, locked)
    request.session[EPOCH] = account.session_epoch


def _reset_user(email: str) -> User | None:
    """An active citizen account with this address; staff are never reset here."""
    return (
        get_user_model()
        .objects.filter(
            username=email.strip().lower(),
            is_active=True,
            is_staff=False,
            is_superuser=False,
            account__isnull=False,
        )
        .first()
    )


def request_password_reset(request: HttpRequest, email: str) -> None:
    """Send a reset link if the address belongs to a citizen account; the caller answers the
    same either way, so the form does not reveal who has an account."""
    user = _reset_user(email)
    authority = current_authority(request)
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]
    )
    with transaction.atomic():
        send_mail(
            to=user.email,
            subject=_("Set a new password"),
            template="accounts/email/password_reset",
            context={"reset_url": request.build_absolute_uri(path), "user": user},
            authority=authority,
        )
        audit.record("account.password_reset.requested", actor=user, authority=authority)


def password_reset_user(uidb64: str, token: str) -> User | None:
    """The user a reset link belongs to, if the link is valid (it stops working once used)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = (
        get_user_model()
        .objects.filter(pk=pk, is_active=True, is_staff=False, is_superuser=False)
        .filter(account__isnull=False)
        .first()
    )
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(request: HttpRequest, user: User, token: str, password: str) -> bool:
    """Set the new password and end every session of the account; False if the link was used
    meanwhile (checked again under the row lock, so two submissions cannot both succeed)."""
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(locked, token):
            return False
        locked.set_password(password)
        locked.save(update_fields=["password"])
        account = Account.objects.get(user=locked)
        _end_all_sessions(account)
        _record(request, "account.password_reset", locked, account)
    return True
