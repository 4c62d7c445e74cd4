"""BPMN process models, the versions cases pin, running instances and the staff tasks they create.

A :class:`ProcessVersion` is the BPMN 2.0 XML exactly as uploaded; it never changes. A case's
:class:`ProcessInstance` pins the version it started with and keeps SpiffWorkflow's serialised
state. Every change of an instance happens inside a transaction that holds the instance's row
lock, so two requests never advance the same process at once. Open user tasks are mirrored as
:class:`ProcessTask` rows: the inbox can list them with an index, and completing one is a
conditional UPDATE of its status, so of two clerks completing the same task exactly one wins.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.model_fields import acting_user
from rathaus.core.models import Authority


class ProcessModel(models.Model):
    """A named process (e.g. "Antrag bearbeiten"); its versions hold the BPMN files."""

    slug = models.SlugField(_("short name"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="process_models",
        help_text=_("Empty for a model every authority of the installation may use."),
    )
    form = models.OneToOneField(
        "forms.FormDefinition",
        verbose_name=_("online form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_model",
        help_text=_("Applications from this form are worked on with this process."),
    )
    is_default = models.BooleanField(
        _("default process"),
        default=False,
        help_text=_("Used for every application whose form has no process of its own."),
    )

    class Meta:
        verbose_name = _("process model")
        verbose_name_plural = _("process models")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="process_model_unique_slug"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="process_model_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> ProcessVersion | None:
        return self.versions.order_by("-number").first()


class ProcessVersion(models.Model):
    """One uploaded BPMN file of a model; never changed once stored."""

    model = models.ForeignKey(ProcessModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    process_id = models.CharField(_("BPMN process id"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    task_forms = models.JSONField(_("task forms"), default=dict, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("uploaded"))
    created_by = acting_user(_("uploaded by"))

    class Meta:
        verbose_name = _("process version")
        verbose_name_plural = _("process versions")
        ordering = ["model", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="process_version_unique"),
            models.UniqueConstraint(fields=["model", "sha256"], name="process_version_content"),
        ]

    def __str__(self) -> str:
        return f"{self.model} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("a stored process version cannot be changed")
        super().save(*args, **kwargs)


class ProcessInstance(models.Model):
    """The process of one case: the pinned version and the engine's state."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FAILED = "failed", _("stopped by an error")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("ended by hand")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="process_instance"
    )
    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="instances")
    # The engine's JSON exactly as written: a JSONField on PostgreSQL (jsonb) would reorder keys,
    # and the order of the engine's task table is part of its state.
    state = models.TextField(_("engine state"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    error_task = models.CharField(_("failed step"), max_length=200, blank=True)
    next_timer_at = models.DateTimeField(_("next timer"), null=True, blank=True)
    waiting_for = models.JSONField(_("waiting for messages"), default=list, blank=True)
    started_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("last change"))

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")
        indexes = [models.Index(fields=["next_timer_at"], name="process_instance_timer")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.version}"


class ProcessTask(models.Model):
    """A user task of a running process: work for staff, with a form."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    engine_task_id = models.UUIDField()
    element_id = models.CharField(_("BPMN element"), max_length=200)
    title = models.CharField(_("task"), max_length=200)
    form_key = models.CharField(_("form"), max_length=100, blank=True)
    lane = models.CharField(
        _("lane"),
        max_length=200,
        blank=True,
        help_text=_("The BPMN lane of the task: an organisational unit or a role."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = acting_user(_("completed by"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="process_task_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "engine_task_id"], name="process_task_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title
