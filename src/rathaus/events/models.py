"""Events of an authority's Digitalwerkstatt: courses, workshops and open hours (ADR 0069).

An :class:`Event` is one date with a start and an end, a place and, if people register, a
capacity in places. A :class:`Series` (every Tuesday and Thursday 15–18 Uhr) generates one event
per date of its period, except the dates it lists as :class:`SeriesException`; each generated
date is an ordinary event, so registration, the waiting list, attendance and the calendar work
the same for it.

A :class:`Registration` counts only once its e-mail address is confirmed (double opt-in): it is
*pending* until then and *expired* when nobody confirms it in time. On confirmation the
event's row is locked (``SELECT … FOR UPDATE``; on SQLite the write lock of ``BEGIN
IMMEDIATE``), the registered places are counted, and the registration becomes *registered* if
its places still fit, otherwise *waiting*. So the capacity is never exceeded, whatever the
interleaving of requests (:mod:`rathaus.events.services`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_PLACES_LIMIT = 10
"""No registration may ask for more places than this, whatever an event allows."""


class Kind(models.TextChoices):
    COURSE = "course", _("Course")
    WORKSHOP = "workshop", _("Workshop")
    OPEN_HOURS = "open_hours", _("Open hours")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    SENIORS = "seniors", _("Senior citizens")
    YOUNG = "young", _("Children and young people")
    ADULTS = "adults", _("Adults")
    WORKING_GROUPS = "working_groups", _("Working groups of the digital strategy")


class Place(models.Model):
    """Where events take place: shared by an authority's events and series."""

    place_name = models.CharField(_("place"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def address_lines(self) -> list[str]:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.place_name, self.room, self.street, town) if line]


class Offer(Place):
    """What events and series have in common: the content, the place and the registration."""

    authority = models.ForeignKey(
        "core.Authority", verbose_name=_("authority"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("target group"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    registration_required = models.BooleanField(_("registration needed"), default=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Leave empty for open hours without registration."),
    )  # fmt: skip
    max_places = models.PositiveSmallIntegerField(
        _("places per registration"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES_LIMIT)],
        help_text=_("How many places one person may register for (e.g. with a grandchild)."),
    )  # fmt: skip
    appointment_type = models.ForeignKey(
        "appointments.AppointmentType", verbose_name=_("appointment type"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("If an appointment can be booked for the same consultation."),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Series(Offer):
    """Recurring dates, e.g. the open hours every Tuesday and Thursday from 15 to 18 Uhr."""

    weekdays = models.JSONField(_("weekdays"), default=list, help_text=_("0 = Monday … 6 = Sunday"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    publish = models.BooleanField(
        _("publish the dates"), default=True,
        help_text=_("Generated dates are published at once; otherwise they start as drafts."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("series of events")
        verbose_name_plural = _("series of events")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="events_series_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="events_series_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SeriesException(models.Model):
    """A day of a series without its date (a holiday, an illness)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cancelled date of a series")
        verbose_name_plural = _("cancelled dates of a series")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["series", "day"], name="events_exception_once")
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.day}"


class Event(Offer):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(
        Series, verbose_name=_("series"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="occurrences",
    )  # fmt: skip
    series_day = models.DateField(_("day of the series"), null=True, blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    registration_deadline = models.DateTimeField(
        _("registration deadline"), null=True, blank=True,
        help_text=_("Empty: registration is possible until the start."),
    )  # fmt: skip
    state = models.CharField(
        pgettext_lazy("events", "state"),
        max_length=20,
        choices=State.choices,
        default=State.DRAFT,
        db_index=True,
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    sequence = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Grows with every change (for calendar apps).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = pgettext_lazy("events", "event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["authority", "state", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="events_event_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["series", "series_day"], name="events_one_date_per_series_day",
                condition=models.Q(series__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    @property
    def deadline(self) -> dt.datetime:
        """When registration closes: the deadline, or the start."""
        return self.registration_deadline or self.starts_at


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("not confirmed yet")
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("not confirmed in time")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="event_registrations",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    places = models.PositiveSmallIntegerField(
        _("places"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES_LIMIT)],
    )  # fmt: skip
    consent_text = models.TextField(_("consent given"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING,
        db_index=True,
    )  # fmt: skip
    token_hash = models.CharField(_("confirmation token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    moved_up_at = models.DateTimeField(_("moved up from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["confirmed_at", "id"]
        indexes = [models.Index(fields=["event", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(places__gte=1) & models.Q(places__lte=MAX_PLACES_LIMIT),
                name="events_registration_places",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.event_id})"
