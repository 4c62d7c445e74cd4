"""E-mail attachments move from bytes in the database to stored files (ADR 0019)."""

import django.db.models.deletion
from django.db import migrations, models


def link(apps, schema_editor):
    from rathaus.core.files.migration import link_files

    link_files(
        apps,
        "core.OutgoingAttachment",
        read=lambda row: bytes(row.content),
        name=lambda row: row.filename,
        media_type=lambda row: row.content_type,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0013_stored_file"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingattachment",
            name="stored_file",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile"),
        ),
        migrations.RunPython(link, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outgoingattachment", name="content"),
        migrations.RenameField(model_name="outgoingattachment", old_name="stored_file", new_name="file"),
        migrations.AlterField(
            model_name="outgoingattachment",
            name="file",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile", verbose_name="file"),
        ),
    ]
