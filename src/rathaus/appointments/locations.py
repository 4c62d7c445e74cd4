"""Where and what can be booked: locations, appointment types, the resources (desks, people)
that serve them, opening hours, closed days and blocked times. Staff set these up; bookings
(``models.py``, which re-exports these models) refer to them.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.model_fields import acting_user, optional_link
from rathaus.core.models import Authority

CELL_MINUTES = 5
"""Granularity of occupancy; durations, buffers and opening hours are multiples of it."""

MAX_COMBINED = 3
"""At most this many appointment types in one combined booking."""


def _multiple_of_cell(value: int) -> None:
    from django.core.exceptions import ValidationError

    if value % CELL_MINUTES:
        raise ValidationError(
            _("Must be a multiple of %(minutes)s minutes."), params={"minutes": CELL_MINUTES}
        )


class Location(models.Model):
    """A place where citizens come for appointments (a town hall office, a workshop)."""

    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        on_delete=models.CASCADE,
        related_name="appointment_locations",
    )
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    directions = models.TextField(_("directions"), blank=True)
    booking_horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"), default=90, validators=[MinValueValidator(1)]
    )
    min_lead_minutes = models.PositiveIntegerField(_("minimum lead time (minutes)"), default=60)
    org_unit = optional_link(
        "core.OrgUnit",
        _("organisational unit"),
        related_name="appointment_locations",
        help_text=_("Staff of this unit (and of units above it) work with the location."),
    )
    release_time = models.TimeField(
        _("new times open at"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: the times of a new day can be booked from midnight. Set, e.g. 07:00: the "
            "times of the last day of the booking horizon open at this time of day."
        ),
    )

    class Meta:
        verbose_name = _("appointment location")
        verbose_name_plural = _("appointment locations")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "slug"], name="appointments_location_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AppointmentType(models.Model):
    """A kind of appointment offered at a location, e.g. applying for an identity card."""

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="types"
    )
    offer = optional_link("catalog.Offer", _("service offer"), related_name="appointment_types")
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(CELL_MINUTES), _multiple_of_cell]
    )
    buffer_minutes = models.PositiveIntegerField(
        _("buffer after (minutes)"), default=0, validators=[_multiple_of_cell]
    )
    documents = models.TextField(_("documents to bring"), blank=True)
    max_active_per_person = models.PositiveIntegerField(
        _("maximum active bookings per person"), default=2, validators=[MinValueValidator(1)]
    )
    combinable = models.BooleanField(_("can be combined with other appointments"), default=False)

    class Meta:
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "slug"], name="appointments_type_unique_slug"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="appointments_type_duration"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def block_minutes(self) -> int:
        """Minutes a booking of this type keeps its resource busy (duration plus buffer)."""
        return self.duration_minutes + self.buffer_minutes

    @property
    def key(self) -> str:
        """The type in a URL (see :attr:`Visit.key`)."""
        return str(self.pk)


class Resource(models.Model):
    """A desk or a member of staff that serves appointments of the types it can do."""

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="resources"
    )
    name = models.CharField(_("name"), max_length=200)
    appointment_types = models.ManyToManyField(
        AppointmentType, verbose_name=_("appointment types"), related_name="resources", blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="appointments_resource_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """A weekly interval in which a resource takes appointments (local time, Europe/Berlin)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointments_hours_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Closure(models.Model):
    """A day on which a location (or one resource of it) takes no appointments."""

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="closures"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Empty: the whole location is closed."),
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class Block(models.Model):
    """A period in which staff took a resource out of booking (a meeting, training, absence).

    It occupies the free cells of its period like a booking does, so the unique constraint on
    (resource, cell) keeps citizens' bookings out also while the block is being created.
    Bookings that existed before in the period are kept and reported to the person blocking.
    """

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="blocks"
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = acting_user(_("blocked by"), blank=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked time")
        verbose_name_plural = _("blocked times")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointments_block_order"
            )
        ]
        indexes = [models.Index(fields=["resource", "start"], name="appointments_block_res")]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M} {self.reason}"
