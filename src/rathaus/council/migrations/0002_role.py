"""The role "Ratsbüro" exists in every installation, so it can be given in a membership: the council
office. It may add, change, delete and view the council information; the permissions are made here
(post_migrate would make them only after every migration)."""

from django.db import migrations

from rathaus.core.role_migration import grant_role

ROLE = "Ratsbüro"
PERMISSIONS = {
    "body": "council",
    "legislativeterm": "legislative term",
    "location": "location",
    "file": "file",
    "organization": "organisation",
    "person": "person",
    "membership": "membership",
    "meeting": "meeting",
    "agendaitem": "agenda item",
    "paper": "paper",
    "consultation": "consultation",
}


grant = grant_role("council", ROLE, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("council", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
