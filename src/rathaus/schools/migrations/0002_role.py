"""The role "Schul-IT" exists in every installation, so it can be given in a membership: the
staff (or the IT service provider) who look after the schools' devices and support requests. The
permissions are made here (post_migrate would make them only after every migration)."""

from django.db import migrations

ROLE = "Schul-IT"
PERMISSIONS = {
    "school": "school",
    "room": "room",
    "device": "device",
    "loan": "loan",
    "teacher": "teacher",
    "supportrequest": "support request",
    "carerecord": "maintenance or training",
}


def grant(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)
    for model, label in PERMISSIONS.items():
        kind, _created = content_type.objects.get_or_create(app_label="schools", model=model)
        for action in ("add", "change", "delete", "view"):
            granted, _created = permission.objects.get_or_create(
                content_type=kind,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {label}"},
            )
            group.permissions.add(granted)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
