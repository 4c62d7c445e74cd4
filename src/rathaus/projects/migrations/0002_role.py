"""The role "Projekte" exists in every installation, so it can be given in a membership: the
staff who keep the digital projects, their funding and the council paper about them. It may
add, change, delete and view projects and their parts; the permissions are made here
(post_migrate would make them only after every migration)."""

from django.db import migrations

ROLE = "Projekte"
PERMISSIONS = {
    "project": "digital project",
    "milestone": "milestone",
    "risk": "risk",
    "paperlink": "council paper",
    "programme": "funding programme",
    "grant": "grant",
    "extension": "extension",
    "payment": "payment",
    "reportdeadline": "report deadline",
}


def grant(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)
    for model, label in PERMISSIONS.items():
        kind, _created = content_type.objects.get_or_create(app_label="projects", model=model)
        for action in ("add", "change", "delete", "view"):
            granted, _created = permission.objects.get_or_create(
                content_type=kind,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {label}"},
            )
            group.permissions.add(granted)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
