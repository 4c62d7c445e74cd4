"""Accounts of citizens and businesses (Nutzerkonto), on top of Django's user model.

Staff users are Django users with ``is_staff``; citizens and businesses are users with an
``Account``. The login name is the e-mail address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.user.get_username()


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
