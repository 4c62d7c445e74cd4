"""Mailbox attachments point to stored files (ADR 0019).

Every attachment (``mailbox/…`` below MEDIA_ROOT, a former FileField) is kept as a
content-addressed blob and linked.
"""

import django.db.models.deletion
from django.db import migrations, models


def link(apps, schema_editor):
    from rathaus.core.files.migration import link_files, read_media

    link_files(
        apps,
        "accounts.MessageAttachment",
        read=lambda row: read_media(row.file.name),
        name=lambda row: row.filename,
        media_type=lambda row: "application/pdf",
    )


def _stored_file(null):
    options = {"null": True} if null else {"verbose_name": "file"}
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile", **options
    )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0013_stored_file"),
        ("accounts", "0006_message_replies"),
    ]

    operations = [
        migrations.AddField(model_name="messageattachment", name="stored_file", field=_stored_file(null=True)),
        migrations.RunPython(link, migrations.RunPython.noop),
        migrations.RemoveField(model_name="messageattachment", name="file"),
        migrations.RenameField(model_name="messageattachment", old_name="stored_file", new_name="file"),
        migrations.AlterField(model_name="messageattachment", name="file", field=_stored_file(null=False)),
    ]
