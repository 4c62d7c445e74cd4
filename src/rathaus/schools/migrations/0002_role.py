"""The role "Schul-IT" exists in every installation, so it can be given in a membership: the
staff (or the IT service provider) who look after the schools' devices and support requests. The
permissions are made here (post_migrate would make them only after every migration)."""

from django.db import migrations

from rathaus.core.role_migration import grant_role

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


grant = grant_role("schools", ROLE, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
