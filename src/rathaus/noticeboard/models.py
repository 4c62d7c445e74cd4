"""Official notices (öffentliche Bekanntmachungen) and the screens of digital notice boards
(ADR 0067).

A ``Notice`` is shown from ``display_from`` to ``display_until`` — the legal display period the
main statute (Hauptsatzung) prescribes. The worker puts it up when its time comes and takes it
down at the end; each step is written once into ``DisplayRecord`` with the time and the
SHA-256 of what was shown, the archive's proof of display (Aushangnachweis). A published
notice's text does not change; a correction is a new notice.

A ``Screen`` is one physical display — the town hall foyer, the library, a stele in the street;
its ``Slot`` rows say which content it cycles through and how long each shows. The content comes
from the sources apps register in :mod:`rathaus.core.signage`.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rathaus.core.immutable import Immutable


class Category(models.TextChoices):
    STATUTES = "statutes", _("Statutes and ordinances")
    BUDGET = "budget", pgettext_lazy("notice category", "Budget")
    PLANNING = "planning", _("Planning and building")
    ELECTIONS = "elections", _("Elections")
    GENERAL = "general", _("General notices")


class Notice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        ON_DISPLAY = "on_display", _("on display")
        ENDED = "ended", _("display ended")
        WITHDRAWN = "withdrawn", _("withdrawn")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        "core.Authority", verbose_name=_("authority"), on_delete=models.CASCADE,
        related_name="notices",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=300)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.CharField(
        _("summary"), max_length=500, blank=True,
        help_text=_("One or two sentences in plain language."),
    )  # fmt: skip
    text = models.TextField(_("text of the notice"))
    signed_place = models.CharField(_("place"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.CharField(
        _("signature"), max_length=200, blank=True,
        help_text=_("The office, e.g. “Der Bürgermeister”, and the name."),
    )  # fmt: skip
    display_from = models.DateTimeField(_("on display from"))
    display_until = models.DateTimeField(_("on display until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    put_up_at = models.DateTimeField(_("put up"), null=True, blank=True)
    taken_down_at = models.DateTimeField(_("taken down"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("official notice")
        verbose_name_plural = _("official notices")
        ordering = ["-display_from", "-id"]
        indexes = [models.Index(fields=["authority", "status", "display_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(display_until__gt=models.F("display_from")),
                name="notice_display_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class DisplayRecord(Immutable):
    """One step of a notice's display, written once: the proof of when it was shown."""

    class Event(models.TextChoices):
        PUT_UP = "put_up", _("put up")
        TAKEN_DOWN = "taken_down", _("taken down")
        WITHDRAWN = "withdrawn", _("withdrawn")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="display_records")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    at = models.DateTimeField(_("time"))
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    by = models.CharField(_("by"), max_length=200, help_text=_("The worker or a person."))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("display record")
        verbose_name_plural = _("display records")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "event"], name="notice_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.event} {self.at:%Y-%m-%d %H:%M}"


def _token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """An e-mail subscription to the notices of one category (double opt-in)."""

    authority = models.ForeignKey(
        "core.Authority", on_delete=models.CASCADE, related_name="notice_subscriptions"
    )
    email = models.EmailField(_("e-mail address"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["email", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "email", "category"], name="notice_subscription_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.category})"


class Delivery(models.Model):
    """A notice sent to a subscription, once."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "subscription"], name="notice_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.subscription_id}"


class Screen(models.Model):
    """A physical screen of the digital notice board, at ``/anzeige/<slug>/``."""

    authority = models.ForeignKey(
        "core.Authority", verbose_name=_("authority"), on_delete=models.CASCADE,
        related_name="screens",
    )  # fmt: skip
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("screen")
        verbose_name_plural = _("screens")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    """What a screen shows, in order: a content source and how long each of its slides stays."""

    screen = models.ForeignKey(Screen, on_delete=models.CASCADE, related_name="slots")
    source = models.CharField(_("content"), max_length=60)
    seconds = models.PositiveSmallIntegerField(_("seconds per page"), default=15)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        verbose_name = _("content of a screen")
        verbose_name_plural = _("contents of a screen")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seconds__gte=5) & models.Q(seconds__lte=300),
                name="slot_seconds_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.screen_id}: {self.source}"
