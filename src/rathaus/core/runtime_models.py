"""The state of the running system: worker heartbeats, set-aside tasks, when scheduled jobs
last ran, rate counters. Models of the core app, re-exported by :mod:`rathaus.core.models`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.model_fields import acting_user


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written periodically by ``rathaus worker``."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=253)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname}"


class DeadLetter(models.Model):
    """A background task set aside for staff: it will not run again by itself.

    Its worker died while running it, or it ended with an error, as often as
    ``RATHAUS_TASK_MAX_ATTEMPTS`` allows (see rathaus.core.taskqueue). Staff retry it from
    the staff area; the retry is a new task, this row keeps the history.
    """

    class Reason(models.TextChoices):
        WORKER_LOST = "worker_lost", _("the worker stopped while running it")
        FAILED = "failed", _("it ended with an error")

    task_id = models.UUIDField(_("task"), unique=True)
    task_path = models.CharField(_("task type"), max_length=300)
    args_kwargs = models.JSONField(_("arguments"), default=dict)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    attempts = models.PositiveIntegerField(_("attempts"))
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("set aside at"), db_index=True)
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)
    retried_by = acting_user(_("retried by"))
    retry_task_id = models.UUIDField(_("retry task"), null=True, blank=True)

    class Meta:
        verbose_name = _("set-aside task")
        verbose_name_plural = _("set-aside tasks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.task_id})"


class ScheduledJob(models.Model):
    """When a recurring housekeeping job last ran (see rathaus.core.housekeeping)."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """Requests of one client in one fixed time window (see rathaus.core.ratelimit)."""

    key = models.CharField(_("key"), max_length=200)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="core_rate_counter_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="core_rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%H:%M}: {self.count}"
