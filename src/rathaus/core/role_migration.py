"""The data migration that makes an app's staff role (an ``auth.Group``) with the add, change,
delete and view permissions of its models.

The permissions are made in the migration itself: ``post_migrate`` would make them only after
every migration, too late for a role that a later migration or the demo gives. The apps' own
``0002_role`` migrations call :func:`grant_role`; what it does must stay the same for them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

ACTIONS = ("add", "change", "delete", "view")


def grant_role(app_label: str, role: str, models: Mapping[str, str]) -> Callable[[Any, Any], None]:
    """A ``RunPython`` function that gives ``role`` every permission on ``models`` (model name →
    its verbose name for the permission's name) of ``app_label``, making what is missing."""

    def grant(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        permission = apps.get_model("auth", "Permission")
        group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=role)
        for model, label in models.items():
            kind, _created = content_type.objects.get_or_create(app_label=app_label, model=model)
            for action in ACTIONS:
                granted, _created = permission.objects.get_or_create(
                    content_type=kind,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {label}"},
                )
                group.permissions.add(granted)

    return grant
