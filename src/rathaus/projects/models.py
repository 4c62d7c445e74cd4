"""Digital projects of an authority and their funding (ADR 0072).

A :class:`Project` has a goal, a responsible unit and person, partners, a status, milestones
(due and reached), risks and links to council papers. Its funding is a :class:`Grant` from a
:class:`Programme`: the grant, the eligible costs, the town's own share in percent (its euro
amount follows from the costs), co-financing, the funding period and every
:class:`Extension` of it, the :class:`Payment` requested and received, and the
:class:`ReportDeadline` (Verwendungsnachweis) whose reminder goes to the responsible person.
All money is in integer cents. A :class:`ReportSnapshot` keeps the figures of each generated
council paper, so the next paper can say what changed.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Authority, OrgUnit


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    APPLIED = "applied", _("applied for")
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("completed")
    STOPPED = "stopped", _("stopped")


class Likelihood(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Project(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Gets the reminders of the report deadlines by e-mail."),
    )
    partners = models.TextField(_("partners"), blank=True, help_text=_("One partner a line."))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)
    status_note = models.TextField(_("state of implementation"), blank=True)
    public = models.BooleanField(
        _("shown on the public page"),
        default=False,
        help_text=_("Shown under /digitalisierung/ with its status, milestones and funding."),
    )
    position = models.PositiveSmallIntegerField(_("order in the report"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("digital project")
        verbose_name_plural = _("digital projects")
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "title"], name="project_title_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def partner_list(self) -> list[str]:
        return [line.strip() for line in self.partners.splitlines() if line.strip()]


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=300)
    due_on = models.DateField(_("due on"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Risk(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField(_("risk"))
    likelihood = models.CharField(
        _("likelihood"), max_length=10, choices=Likelihood, default=Likelihood.MEDIUM
    )
    measure = models.TextField(_("measure"), blank=True)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:80]


class PaperLink(models.Model):
    """A council paper about the project, by its reference; linked to the council app's paper
    when the council of the authority has one with that reference."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="papers")
    reference = models.CharField(_("reference"), max_length=50)
    title = models.CharField(_("subject"), max_length=300, blank=True)
    paper = models.ForeignKey(
        "council.Paper", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("council paper")
        verbose_name_plural = _("council papers")
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="project_paper_unique")
        ]

    def __str__(self) -> str:
        return self.reference


class Programme(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("funding programme"), max_length=200)
    funder = models.CharField(_("funder"), max_length=200)
    guideline = models.CharField(_("guideline"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="programme_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="grants")
    programme = models.ForeignKey(
        Programme, verbose_name=_("funding programme"), on_delete=models.PROTECT, related_name="+"
    )
    amount_cents = models.PositiveBigIntegerField(_("grant (cents)"))
    eligible_cents = models.PositiveBigIntegerField(_("eligible costs (cents)"))
    own_share_percent = models.DecimalField(
        _("own share in percent"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    cofinancing_cents = models.PositiveBigIntegerField(_("co-financing (cents)"), default=0)
    cofinancing_by = models.CharField(_("co-financed by"), max_length=200, blank=True)
    period_start = models.DateField(_("funding period from"))
    period_end = models.DateField(_("funding period until"))

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(own_share_percent__gte=0) & Q(own_share_percent__lte=100),
                name="grant_own_share_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="grant_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.project})"

    @property
    def own_share_cents(self) -> int:
        """The own share in cents: the percentage of the eligible costs, rounded half up."""
        share = Decimal(self.eligible_cents) * Decimal(self.own_share_percent) / 100
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def end(self, extensions: list[Extension] | None = None) -> dt.date:
        """The end of the funding period after every extension."""
        found = list(self.extensions.all()) if extensions is None else extensions
        return max([self.period_end, *(extension.new_end for extension in found)])


class Extension(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="extensions")
    decided_on = models.DateField(_("granted on"), null=True, blank=True)
    new_end = models.DateField(_("new end of the funding period"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["new_end", "id"]

    def __str__(self) -> str:
        return f"{self.new_end:%d.%m.%Y}: {self.reason[:60]}"


class Payment(models.Model):
    class Kind(models.TextChoices):
        REQUESTED = "requested", _("requested")
        RECEIVED = "received", _("received")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    on = models.DateField(_("date"))
    amount_cents = models.PositiveBigIntegerField(_("amount (cents)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on:%d.%m.%Y}: {self.amount_cents}"


class ReportDeadline(models.Model):
    """A report the funder expects (Verwendungsnachweis, Zwischennachweis) by a date."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="deadlines")
    title = models.CharField(_("report"), max_length=200)
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report deadline")
        verbose_name_plural = _("report deadlines")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on:%d.%m.%Y})"


class ReportSnapshot(models.Model):
    """The figures of one generated council paper (what the next paper compares with)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_format = models.CharField(max_length=10)
    figures = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_format} {self.created_at:%Y-%m-%d %H:%M}"
