"""Uploads and submission attachments point to stored files (ADR 0019).

Every file below MEDIA_ROOT/uploads that a row names is kept as a content-addressed blob; an
upload and the attachment made from it (same old storage name) share that blob.
"""

import django.db.models.deletion
from django.db import migrations, models


def link(apps, schema_editor):
    from rathaus.core.files.migration import link_files, read_media

    for model in ("forms.Upload", "forms.SubmissionAttachment"):
        link_files(
            apps,
            model,
            read=lambda row: read_media(row.storage_name),
            name=lambda row: row.original_name,
            media_type=lambda row: row.content_type,
            field="file",
        )


def _stored_file(null):
    options = {"null": True} if null else {"verbose_name": "file"}
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile", **options
    )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0013_stored_file"),
        ("forms", "0002_submissions_from_cases"),
    ]

    operations = [
        migrations.AddField(model_name="upload", name="file", field=_stored_file(null=True)),
        migrations.AddField(model_name="submissionattachment", name="file", field=_stored_file(null=True)),
        migrations.RunPython(link, migrations.RunPython.noop),
        migrations.RemoveField(model_name="upload", name="storage_name"),
        migrations.RemoveField(model_name="submissionattachment", name="storage_name"),
        migrations.AlterField(model_name="upload", name="file", field=_stored_file(null=False)),
        migrations.AlterField(model_name="submissionattachment", name="file", field=_stored_file(null=False)),
    ]
