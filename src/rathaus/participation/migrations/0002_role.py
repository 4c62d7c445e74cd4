"""The role "Beteiligung" exists in every installation, so it can be given in a membership: the
staff who prepare participation processes and surveys, review free texts and publish results.
It may add, change, delete and view processes, phases, surveys and questions; the permissions
are made here (post_migrate would make them only after every migration)."""

from django.db import migrations

from rathaus.core.role_migration import grant_role

ROLE = "Beteiligung"
PERMISSIONS = {
    "process": "participation process",
    "phase": "phase",
    "survey": "survey",
    "question": "question",
}


grant = grant_role("participation", ROLE, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
