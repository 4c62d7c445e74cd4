"""Construction sites and traffic disruptions, and the town's larger construction projects
(ADR 0063).

A ``Disruption`` is what people ask about: where is a construction site, which street is
closed, where is the detour. Its place is a GeoJSON geometry (a point, a line or an area, WGS 84
in GeoJSON's longitude-latitude order), checked by :mod:`rathaus.construction.geometry`; the
affected streets are named as well, so that the list works without a map. A ``Project``
(Bauvorhaben) is a larger undertaking of the town — a school wing, a cycle path — with phases,
budget and pictures, as the council reports it.

Only what is published is public; drafts are seen by staff only.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Publication(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Disruption(models.Model):
    class Kind(models.TextChoices):
        ROADWORKS = "roadworks", _("Road works")
        CLOSURE = "closure", _("Closure")
        DETOUR = "detour", _("Detour")
        EVENT = "event", _("Event")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        "core.Authority",
        verbose_name=_("authority"),
        on_delete=models.CASCADE,
        related_name="disruptions",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    geometry = models.JSONField(
        _("place on the map"), null=True, blank=True,
        help_text=_("GeoJSON geometry: a point, a line or an area."),
    )  # fmt: skip
    locality = models.ForeignKey(
        "core.Locality",
        verbose_name=_("village"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disruptions",
    )
    streets = models.JSONField(_("affected streets"), default=list, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    until_further_notice = models.BooleanField(_("until further notice"), default=False)
    responsible_body = models.CharField(_("responsible"), max_length=200, blank=True)
    detour = models.TextField(_("detour"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Publication.choices, default=Publication.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("construction site or disruption")
        verbose_name_plural = _("construction sites and disruptions")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["authority", "status", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="disruption_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


class DisruptionDocument(models.Model):
    """A document for a disruption: the traffic order, a detour plan."""

    disruption = models.ForeignKey(Disruption, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """A larger construction project of the town (Bauvorhaben)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        UNDER_CONSTRUCTION = "under_construction", _("under construction")
        COMPLETED = "completed", pgettext_lazy("construction project", "completed")

    authority = models.ForeignKey(
        "core.Authority",
        verbose_name=_("authority"),
        on_delete=models.CASCADE,
        related_name="construction_projects",
    )
    slug = models.SlugField(_("short name"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=30, choices=State.choices, default=State.PLANNED
    )
    geometry = models.JSONField(_("place on the map"), null=True, blank=True)
    locality = models.ForeignKey(
        "core.Locality",
        verbose_name=_("village"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="construction_projects",
    )
    budget_cents = models.BigIntegerField(_("budget in cents"), null=True, blank=True)
    funding = models.TextField(_("funding"), blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("planned completion"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Publication.choices, default=Publication.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("construction project")
        verbose_name_plural = _("construction projects")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "slug"], name="project_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title


class ProjectPhase(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectPicture(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pictures")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    # The version shown on the pages (at most DISPLAY_WIDTH pixels wide), made on upload.
    display = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(
        _("description for people who cannot see the picture"), max_length=300
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.alt_text
