"""Case documents and documents sent later point to stored files (ADR 0019).

Every decision PDF (``cases/…`` below MEDIA_ROOT, a former FileField) and every file sent later
(``uploads/…``) is kept as a content-addressed blob and linked.
"""

import django.db.models.deletion
from django.db import migrations, models


def link(apps, schema_editor):
    from rathaus.core.files.migration import link_files, read_media

    link_files(
        apps,
        "cases.CaseDocument",
        read=lambda row: read_media(row.file.name),
        name=lambda row: row.filename,
        media_type=lambda row: "application/pdf",
    )
    link_files(
        apps,
        "cases.CaseUpload",
        read=lambda row: read_media(row.storage_name),
        name=lambda row: row.original_name,
        media_type=lambda row: row.content_type,
    )


def _stored_file(null):
    options = {"null": True} if null else {"verbose_name": "file"}
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile", **options
    )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0013_stored_file"),
        ("cases", "0008_submissions_move_to_forms"),
    ]

    operations = [
        migrations.AddField(model_name="casedocument", name="stored_file", field=_stored_file(null=True)),
        migrations.AddField(model_name="caseupload", name="stored_file", field=_stored_file(null=True)),
        migrations.RunPython(link, migrations.RunPython.noop),
        migrations.RemoveField(model_name="casedocument", name="file"),
        migrations.RemoveField(model_name="caseupload", name="storage_name"),
        migrations.RenameField(model_name="casedocument", old_name="stored_file", new_name="file"),
        migrations.RenameField(model_name="caseupload", old_name="stored_file", new_name="file"),
        migrations.AlterField(model_name="casedocument", name="file", field=_stored_file(null=False)),
        migrations.AlterField(model_name="caseupload", name="file", field=_stored_file(null=False)),
    ]
