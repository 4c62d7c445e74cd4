"""The role "Bekanntmachungen" exists in every installation, so it can be given in a membership: the
staff who publish official notices and configure the screens. It may add, change, delete and view
the notices and screens; the permissions are made here (post_migrate would make them only after
every migration)."""

from django.db import migrations

from rathaus.core.role_migration import grant_role

ROLE = "Bekanntmachungen"
PERMISSIONS = {
    "notice": "official notice",
    "noticeattachment": "attachment",
    "screen": "screen",
    "slot": "content of a screen",
}


grant = grant_role("noticeboard", ROLE, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("noticeboard", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
