"""The role "Veranstaltungen" exists in every installation, so it can be given in a membership:
the staff who run the events of the Digitalwerkstatt. It may add, change, delete and view
events, series and registrations; the permissions are made here (post_migrate would make them
only after every migration)."""

from django.db import migrations

from rathaus.core.role_migration import grant_role

ROLE = "Veranstaltungen"
PERMISSIONS = {
    "event": "event",
    "series": "series of events",
    "seriesexception": "cancelled date of a series",
    "registration": "registration",
}


grant = grant_role("events", ROLE, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
