"""Changes made in the configuration (Django admin) go into the audit log as well."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from rathaus.core import audit

_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def audit_admin_log_entry(
    sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any
) -> None:
    if not created:
        return
    label = ""
    if instance.content_type_id is not None:
        content_type = ContentType.objects.get_for_id(instance.content_type_id)
        label = f"{content_type.app_label}.{content_type.model}"
    actor = get_user_model().objects.filter(pk=instance.user_id).first()
    audit.record(
        _ACTIONS.get(instance.action_flag, "admin.unknown"),
        actor=actor,
        object_ref=(label, str(instance.object_id or ""), instance.object_repr),
        details={"change": instance.get_change_message()},
    )
