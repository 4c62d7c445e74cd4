"""Schools, their rooms and devices, loans to pupils, teachers and their support requests, and
the maintenance and training records of a school (ADR 0073). Money is integer cents."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Authority, StoredFile


class School(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("short name"),
        max_length=40,
        unique=True,
        help_text=_("Used in the CSV import, e.g. grundschule-barleben."),
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("room"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schools_room_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    class Kind(models.TextChoices):
        DISPLAY = "display", _("Interactive display")
        IPAD = "ipad", _("iPad")
        LAPTOP = "laptop", _("Laptop")
        TEACHER = "teacher", _("Teacher device")
        NETWORK = "network", _("Network")

    class State(models.TextChoices):
        IN_USE = "in_use", _("In use")
        IN_REPAIR = "in_repair", _("In repair")
        LENT = "lent", _("Lent")
        RETIRED = "retired", _("Retired")

    class Manager(models.TextChoices):
        TOWN = "town", _("Town (school authority)")
        LAND = "land", _("Land")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    inventory_number = models.CharField(_("inventory number"), max_length=50, unique=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    price_cents = models.PositiveIntegerField(_("price in cents"), null=True, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    warranty_end = models.DateField(_("end of warranty"), null=True, blank=True)
    managed_by = models.CharField(
        _("managed by"), max_length=10, choices=Manager.choices, default=Manager.TOWN
    )
    state = models.CharField(
        _("device state"), max_length=20, choices=State.choices, default=State.IN_USE
    )
    # Where it is or who has it: a room, a class or a person (or more than one).
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices"
    )
    school_class = models.CharField(_("class"), max_length=40, blank=True)
    person = models.CharField(_("person"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inventory_number"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "serial"], condition=~Q(serial=""), name="schools_serial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inventory_number} ({self.get_kind_display()})"


class Loan(models.Model):
    """A device lent to a pupil; open while ``returned_at`` is empty. At most one open loan per
    device: the constraint holds even when two clerks lend the same device at once."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="loans")
    pupil = models.CharField(_("pupil"), max_length=200)
    school_class = models.CharField(_("class"), max_length=40)
    guardian = models.CharField(_("parent or guardian"), max_length=200)
    due_on = models.DateField(_("to be returned by"), null=True, blank=True)
    lent_at = models.DateTimeField(default=timezone.now)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_note = models.TextField(_("condition on return"), blank=True)

    class Meta:
        ordering = ["-lent_at"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(returned_at__isnull=True),
                name="schools_one_open_loan_per_device",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device} → {self.pupil}"


class Teacher(models.Model):
    """The school login of a teacher: a user without staff rights and without a citizen
    account, invited by the school IT staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="teachers")
    name = models.CharField(_("name"), max_length=200)
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")

    def __str__(self) -> str:
        return self.name


class SupportRequest(models.Model):
    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent (lessons impossible)")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for parts or the school")
        DONE = "done", _("Done")

    OPEN = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)
    # How long until someone responds, per priority (the support contract's targets).
    RESPONSE_TARGETS = {
        Priority.URGENT: timedelta(hours=4),
        Priority.HIGH: timedelta(hours=24),
        Priority.NORMAL: timedelta(hours=72),
        Priority.LOW: timedelta(days=7),
    }

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="requests")
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    reporter = models.CharField(_("reported by"), max_length=200)
    text = models.TextField(_("What is the problem?"))
    photo = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.school}"

    @property
    def response_due(self) -> datetime:
        return self.created_at + self.RESPONSE_TARGETS[self.Priority(self.priority)]

    @property
    def target_breached(self) -> bool:
        """Nobody responded in time (or has not responded yet and the time is up)."""
        moment: datetime = self.responded_at or timezone.now()
        return moment > self.response_due


class RequestEvent(models.Model):
    """One step in a request's history: a status, a priority or a note. Written once."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=SupportRequest.Status.choices)
    priority = models.CharField(max_length=10, choices=SupportRequest.Priority.choices)
    note = models.TextField(blank=True)
    author = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.status}"


class CareRecord(models.Model):
    """Maintenance done at a school, or a training of its teachers (Lehrerqualifizierung)."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        TRAINING = "training", _("Teacher training")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="care_records")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("maintenance or training")
        verbose_name_plural = _("maintenance and training")

    def __str__(self) -> str:
        return self.title
