"""Appointment booking: locations, appointment types, resources, opening hours and bookings.

How double bookings are made impossible
=======================================
A resource (a desk, a person) can serve appointment types of different lengths, so two bookings
on the same resource can collide without starting at the same time (a 30-minute passport
appointment at 9:00 and a 15-minute certificate at 9:15). A unique constraint on
``(resource, start)`` alone would not see that collision, and a capacity counter per slot would
need one counter per possible start and type. Instead time is cut into cells of
``CELL_MINUTES`` minutes: a booking writes one :class:`Occupancy` row for every cell it occupies
(its duration plus the buffer after it), and the database enforces **one row per resource and
cell** with an unconditional unique constraint. Whatever the interleaving of concurrent requests,
the second insert of a cell fails with an ``IntegrityError`` inside its own savepoint, and the
booking service tries the next resource or reports the slot as taken. On PostgreSQL the loser
waits on the winner's uncommitted index entry and fails when it commits; on SQLite writers are
serialised by ``BEGIN IMMEDIATE``. No check-then-write in Python decides correctness.

Cancelling a booking or expiring a hold deletes its occupancy rows in the same transaction as the
status change, so the constraint only ever sees active bookings. A hold whose time has run out
still has its rows until someone expires it: the booking service first expires stale holds that
overlap the wanted cells, in the same transaction, and the availability query ignores held
bookings whose ``hold_expires_at`` has passed. As a second net, :class:`Booking` carries a
conditional unique constraint on ``(resource, start)`` for held and confirmed bookings.

The per-person limit is an atomic conditional update of a counter (:class:`PersonQuota`):
``UPDATE ... SET active = active + 1 WHERE id = ? AND active < limit``.

A time that staff block (:class:`Block`) takes the free cells of its period with occupancy rows
of its own (an occupancy row belongs to a booking or to a block, never both), so the same
constraint keeps bookings out of it, also while the block is being created.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.appointments.locations import (
    CELL_MINUTES,
    MAX_COMBINED,
    AppointmentType,
    Block,
    Closure,
    Location,
    OpeningHours,
    Resource,
    _multiple_of_cell,
)
from rathaus.core.model_fields import optional_link
from rathaus.core.models import Authority

__all__ = [
    "CELL_MINUTES",
    "MAX_COMBINED",
    "AppointmentType",
    "Block",
    "Booking",
    "BookingItem",
    "BookingQuota",
    "Closure",
    "Location",
    "NoShowCount",
    "Occupancy",
    "OpeningHours",
    "PersonQuota",
    "PhoneQuota",
    "Resource",
    "Ticket",
    "Visit",
    "WaitingListEntry",
    "_multiple_of_cell",
]


class Booking(models.Model):
    """One appointment: held until the citizen confirms it, then confirmed (or cancelled)."""

    class Status(models.TextChoices):
        HELD = "held", _("held")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    ACTIVE = (Status.HELD, Status.CONFIRMED)

    class Attendance(models.TextChoices):
        """What happened at the appointment, recorded by staff; empty until then."""

        DONE = "done", _("done")
        NO_SHOW = "no_show", _("did not come")

    appointment_type = models.ForeignKey(
        AppointmentType,
        verbose_name=_("appointment type"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="bookings"
    )
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    blocked_until = models.DateTimeField(_("resource busy until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    token_hash = models.CharField(_("manage token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, blank=True, default=""
    )
    attendance_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        help_text=_("SEQUENCE of the calendar event: raised by each move and by the cancellation."),
    )
    rescheduled_to = optional_link("self", _("moved to"), related_name="rescheduled_from")

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "start"],
                condition=models.Q(status__in=["held", "confirmed"]),
                name="appointments_booking_one_active_per_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start"))
                & models.Q(blocked_until__gte=models.F("end")),
                name="appointments_booking_times",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start"], name="appointments_booking_res_start"),
            models.Index(fields=["status", "hold_expires_at"], name="appointments_booking_hold"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.start:%Y-%m-%d %H:%M} ({self.status})"

    @cached_property
    def visit(self) -> Visit:
        """The services of this booking: its items in order, or its one appointment type.

        Uses prefetched ``items__appointment_type`` when there are any.
        """
        items = sorted(self.items.all(), key=lambda item: item.position)
        if not items:
            return Visit([self.appointment_type])
        return Visit([item.appointment_type for item in items])


class BookingItem(models.Model):
    """One service of a combined booking (several appointment types in one visit).

    A booking of one type has no items; a combined booking has one per type, in the order the
    citizen chose them, and ``Booking.appointment_type`` is the first of them.
    """

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="items"
    )
    appointment_type = models.ForeignKey(
        AppointmentType,
        verbose_name=_("appointment type"),
        on_delete=models.PROTECT,
        related_name="booking_items",
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("service of a booking")
        verbose_name_plural = _("services of a booking")
        ordering = ["booking", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "appointment_type"], name="appointments_item_unique_type"
            ),
            models.UniqueConstraint(
                fields=["booking", "position"], name="appointments_item_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.appointment_type}"


class Visit:
    """What a citizen books as one appointment: one appointment type, or several combined.

    Duck-types the parts of :class:`AppointmentType` that availability, booking and pages use.
    A combined visit lasts the sum of the durations (the clerk serves the services one after
    the other) and keeps the largest buffer after it (the buffer is for the desk to finish
    the case, which does not grow with each service). A resource must serve every type.
    """

    def __init__(self, types: Sequence[AppointmentType]) -> None:
        if not types:
            raise ValueError("a visit has at least one appointment type")
        self.types = tuple(types)
        self.first = self.types[0]

    @classmethod
    def of(cls, what: AppointmentType | Visit) -> Visit:
        return what if isinstance(what, Visit) else cls([what])

    def problem(self) -> str:
        """Why these types cannot be booked together, or "" if they can."""
        if len(self.types) == 1:
            return ""
        if len(self.types) > MAX_COMBINED:
            return f"at most {MAX_COMBINED} services can be combined"
        if len({kind.pk for kind in self.types}) != len(self.types):
            return "a service is chosen twice"
        if any(not kind.combinable for kind in self.types):
            return "a service cannot be combined with others"
        if len({kind.location_id for kind in self.types}) != 1:
            return "combined services must be offered at the same location"
        return ""

    @property
    def combined(self) -> bool:
        return len(self.types) > 1

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(kind.pk for kind in self.types)

    @property
    def pk(self) -> int:
        return self.first.pk

    @property
    def key(self) -> str:
        """The visit in a URL: the type ids joined by hyphens, e.g. 3-5."""
        return "-".join(str(pk) for pk in self.ids)

    @property
    def location(self) -> Location:
        return self.first.location

    @property
    def location_id(self) -> int:
        return self.first.location_id

    @property
    def name(self) -> str:
        return " + ".join(kind.name for kind in self.types)

    @property
    def names(self) -> list[str]:
        return [kind.name for kind in self.types]

    @property
    def documents(self) -> str:
        parts: list[str] = []
        for kind in self.types:
            if kind.documents and kind.documents not in parts:
                parts.append(kind.documents)
        return "; ".join(parts)

    @property
    def duration_minutes(self) -> int:
        return sum(kind.duration_minutes for kind in self.types)

    @property
    def buffer_minutes(self) -> int:
        return max(kind.buffer_minutes for kind in self.types)

    @property
    def block_minutes(self) -> int:
        return self.duration_minutes + self.buffer_minutes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Visit) and self.ids == other.ids

    def __hash__(self) -> int:
        return hash(self.ids)

    def __str__(self) -> str:
        return self.name


class Occupancy(models.Model):
    """One cell of CELL_MINUTES minutes of a resource, taken by an active booking."""

    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="occupancies",
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateTimeField(_("start"))
    block = models.ForeignKey(
        "Block",
        verbose_name=_("blocked time"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="occupancies",
    )

    class Meta:
        verbose_name = _("occupied time")
        verbose_name_plural = _("occupied times")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "start"], name="appointments_occupancy_one_per_cell"
            ),
            models.CheckConstraint(
                condition=models.Q(booking__isnull=False, block__isnull=True)
                | models.Q(booking__isnull=True, block__isnull=False),
                name="appointments_occupancy_booking_or_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.start:%Y-%m-%d %H:%M}"


def _quota_constraints(key: str, prefix: str) -> list[models.BaseConstraint]:
    """One row per type and key, never a negative count (names as in the migrations)."""
    return [
        models.UniqueConstraint(fields=["appointment_type", key], name=f"{prefix}_unique"),
        models.CheckConstraint(condition=models.Q(active__gte=0), name=f"{prefix}_not_negative"),
    ]


class BookingQuota(models.Model):
    """How many active bookings one person, known by a key (``KEY``: the name of the field
    holding the normalised e-mail address or phone number), has for one appointment type.

    Both quotas are counted the same way (``services._count_quota``); only the key differs.
    """

    KEY: ClassVar[str]

    appointment_type = models.ForeignKey(
        AppointmentType,
        verbose_name=_("appointment type"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    active = models.PositiveIntegerField(_("active bookings"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, self.KEY)}: {self.active}"


class PersonQuota(BookingQuota):
    """How many active bookings one e-mail address has for one appointment type."""

    KEY = "email"

    email = models.CharField(_("e-mail address"), max_length=254)

    class Meta:
        verbose_name = _("bookings per person")
        verbose_name_plural = _("bookings per person")
        constraints = _quota_constraints("email", "appointments_quota")


class PhoneQuota(BookingQuota):
    """How many active bookings one phone number (normalised, +49…) has for one type."""

    KEY = "phone"

    phone = models.CharField(_("phone"), max_length=20)

    class Meta:
        verbose_name = _("bookings per phone number")
        verbose_name_plural = _("bookings per phone number")
        constraints = _quota_constraints("phone", "appointments_phone_quota")


class Ticket(models.Model):
    """A waiting number: given at check-in of a booking, or as a walk-in ticket without one."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CALLED = "called", _("called")
        DONE = "done", _("done")
        NO_SHOW = "no_show", _("did not come")

    BOOKED = ""
    WALK_IN = "W"

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="tickets"
    )
    day = models.DateField(_("day"))
    series = models.CharField(_("series"), max_length=1, blank=True)
    number = models.PositiveIntegerField(_("number"))
    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ticket",
    )
    appointment_type = optional_link(AppointmentType, _("appointment type"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("checked in at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    desk = optional_link(Resource, _("desk"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting number")
        verbose_name_plural = _("waiting numbers")
        ordering = ["day", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "day", "series", "number"],
                name="appointments_ticket_unique_number",
            )
        ]
        indexes = [
            models.Index(fields=["location", "day", "status"], name="appointments_ticket_day")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The number as shown and called: 7 for a booking, W3 for a walk-in."""
        return f"{self.series}{self.number}"


class NoShowCount(models.Model):
    """How often an e-mail address did not come to a booked appointment, per authority."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.CharField(_("e-mail address"), max_length=254)
    count = models.PositiveIntegerField(_("no-shows"), default=0)
    last_at = models.DateTimeField(_("last no-show"), null=True, blank=True)

    class Meta:
        verbose_name = _("no-show count")
        verbose_name_plural = _("no-show counts")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "email"], name="appointments_noshow_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.count}"


class WaitingListEntry(models.Model):
    """A citizen who found no free time and wants to be offered the next one that is freed."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("not yet confirmed")
        WAITING = "waiting", _("waiting")
        OFFERED = "offered", _("offered a time")
        BOOKED = "booked", _("booked")
        LEFT = "left", _("left the waiting list")
        EXPIRED = "expired", _("offer not taken")

    OPEN = (Status.UNCONFIRMED, Status.WAITING, Status.OFFERED)

    appointment_type = models.ForeignKey(
        AppointmentType,
        verbose_name=_("appointment type"),
        on_delete=models.CASCADE,
        related_name="waiting_list",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    token_hash = models.CharField(_("link token hash"), max_length=64, unique=True)
    portal_url = models.CharField(_("portal address"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    offer = optional_link(Booking, _("offered booking"), related_name="waiting_list_entries")
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment_type", "email"],
                condition=models.Q(status__in=["unconfirmed", "waiting", "offered"]),
                name="appointments_waiting_one_open_per_email",
            )
        ]
        indexes = [
            models.Index(
                fields=["appointment_type", "status", "confirmed_at"],
                name="appointments_waiting_next",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type}: {self.email} ({self.status})"
