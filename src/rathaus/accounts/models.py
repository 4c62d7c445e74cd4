"""Accounts of citizens and businesses (Nutzerkonto), on top of Django's user model.

Staff users are Django users with ``is_staff``; citizens and businesses are users with an
``Account``. The login name is the e-mail address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.model_fields import optional_link, stored_file
from rathaus.core.models import postal_code_validator


class TrustLevel(models.TextChoices):
    """Vertrauensniveau of a login (BSI TR-03107-1), lowest first."""

    BASIC = "basic", _("basic")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")

    @classmethod
    def rank(cls, level: str) -> int:
        return [cls.BASIC, cls.SUBSTANTIAL, cls.HIGH].index(cls(level))


class Account(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Private person")
        ORGANISATION = "organisation", _("Business or organisation")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    kind = models.CharField(_("account type"), max_length=20, choices=Kind.choices)
    organisation_name = models.CharField(_("name of the organisation"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[postal_code_validator]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Raised by "log out everywhere" and a password reset; a session that remembers a lower
    # number is ended by the session time-out middleware, in every process.
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.user.get_username()


class RegistrationAttempt(models.Model):
    """One registration sent from an address, kept for an hour to limit registrations per IP."""

    ip_address = models.GenericIPAddressField(_("IP address"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("registration attempt")
        verbose_name_plural = _("registration attempts")
        indexes = [models.Index(fields=["ip_address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.created_at:%Y-%m-%d %H:%M}"


class LoginDelay(models.Model):
    """Failed logins of one user, from every address, since the last successful login.

    From ``RATHAUS_LOGIN_SLOWDOWN_AFTER`` failures on, each failure makes the next attempt wait
    longer (``next_attempt_at``); attempts before then are refused without checking the password.
    The row is deleted when the user logs in.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="login_delay",
        verbose_name=_("user"),
    )
    failures = models.PositiveIntegerField(_("failed logins"), default=0)
    first_failure_at = models.DateTimeField(_("first failure"))
    last_failure_at = models.DateTimeField(_("last failure"))
    next_attempt_at = models.DateTimeField(_("next attempt allowed"), null=True, blank=True)
    warned_at = models.DateTimeField(_("holder warned by e-mail"), null=True, blank=True)

    class Meta:
        verbose_name = _("login delay")
        verbose_name_plural = _("login delays")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.failures}"


class Consent(models.Model):
    """A record that the account holder agreed to a text in a given version (GDPR Art. 7)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="consents")
    topic = models.CharField(_("topic"), max_length=100)
    version = models.CharField(_("version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.topic} {self.version}"


def _attachment_path(instance: Any, filename: str) -> str:
    """Where attachments were kept before stored files (ADR 0019); old migrations name it."""
    import uuid

    return f"mailbox/{instance.message.account_id}/{uuid.uuid4().hex}.pdf"


class Message(models.Model):
    """A message from an authority into an account's mailbox (Postfach).

    The content stays here; the notification e-mail only says that a message is waiting.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages")
    authority = models.ForeignKey(
        "core.Authority", on_delete=models.PROTECT, related_name="mailbox_messages"
    )
    sender_unit = optional_link("core.OrgUnit")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("For example a case number.")
    )
    sent_at = models.DateTimeField(_("sent"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    from_account = models.BooleanField(
        _("written by the account holder"),
        default=False,
        help_text=_("A reply of the account holder to a message of the authority."),
    )
    in_reply_to = optional_link("self", _("reply to"), related_name="replies")

    class Meta:
        verbose_name = _("mailbox message")
        verbose_name_plural = _("mailbox messages")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = stored_file()
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class ExternalIdentity(models.Model):
    """The link from a person at an external identity provider (OpenID Connect, SAML) to an
    account.

    ``provider`` is the issuer URL (OpenID Connect) or entity id (SAML): the provider's subject
    identifier is unique only per issuer.
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(_("subject identifier"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="accounts_externalidentity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.subject}"


class UsedChallenge(models.Model):
    """A solved ALTCHA challenge, kept until it expires so that it cannot be used twice."""

    signature = models.CharField(max_length=128, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("used challenge")
        verbose_name_plural = _("used challenges")

    def __str__(self) -> str:
        return self.signature[:12]


class UsedSamlMessage(models.Model):
    """The id of a SAML response or assertion already accepted, kept until it expires.

    A response posted a second time, even into a session that waits for it, is refused.
    """

    issuer = models.CharField(_("identity provider"), max_length=200)
    message_id = models.CharField(_("message id"), max_length=255)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("used SAML message")
        verbose_name_plural = _("used SAML messages")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "message_id"], name="accounts_usedsamlmessage_unique"
            )
        ]

    def __str__(self) -> str:
        return self.message_id[:40]
