"""German names in the admin for the apps that bring none (django-otp, django-axes, tasks).

Their app names ("Otp_Totp", "Axes", "Tasks Database Backend") and some model and field names
are plain strings, not translatable; they are replaced here by translatable ones when the apps
are ready. Only the names the admin shows change (``verbose_name``), not what migrations record
(``original_attrs``), so no migration of a third-party app follows.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "otp_totp": _("Two-factor login"),
    "axes": _("Login locks"),
    "django_tasks_database": _("Background tasks"),
}

MODEL_NAMES = {
    "otp_totp.TOTPDevice": (_("authenticator app"), _("authenticator apps")),
    "django_tasks_database.DBTaskResult": (_("background task"), _("background tasks")),
}

FIELD_NAMES = {
    "otp_totp.TOTPDevice": {
        "user": _("user"),
        "name": _("name"),
        "confirmed": _("confirmed"),
        "created_at": _("created at"),
        "last_used_at": _("last used"),
        "throttling_failure_timestamp": _("last failed code"),
        "throttling_failure_count": _("failed codes"),
        "key": _("secret key"),
        "step": _("time step"),
        "t0": _("start time"),
        "digits": _("digits"),
        "tolerance": _("tolerance"),
        "drift": _("clock drift"),
        "last_t": _("last time step"),
    },
    "django_tasks_database.DBTaskResult": {
        "status": _("status"),
        "enqueued_at": _("enqueued at"),
        "started_at": _("started at"),
        "finished_at": _("finished at"),
        "task_path": _("task"),
        "queue_name": _("queue"),
        "backend_name": _("backend"),
        "priority": _("priority"),
        "run_after": _("run after"),
        "args_kwargs": _("arguments"),
        "return_value": _("return value"),
        "exception_class_path": _("exception"),
        "traceback": _("traceback"),
        "worker_ids": _("workers"),
    },
}


def apply() -> None:
    installed = {config.label for config in apps.get_app_configs()}
    for label, name in APP_NAMES.items():
        if label in installed:
            apps.get_app_config(label).verbose_name = name
    for model_label, (singular, plural) in MODEL_NAMES.items():
        meta = apps.get_model(model_label)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural
    for model_label, fields in FIELD_NAMES.items():
        model = apps.get_model(model_label)
        known = {field.name for field in model._meta.get_fields()}
        for field_name, name in fields.items():
            if field_name in known:
                model._meta.get_field(field_name).verbose_name = name
