"""The role "Projekte" exists in every installation, so it can be given in a membership: the
staff who keep the digital projects, their funding and the council paper about them. It may
add, change, delete and view projects and their parts; the permissions are made here
(post_migrate would make them only after every migration)."""

from django.db import migrations

from rathaus.core.role_migration import grant_role

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


grant = grant_role("projects", ROLE, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
