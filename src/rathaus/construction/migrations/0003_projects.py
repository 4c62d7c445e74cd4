"""Construction projects: a display version of each picture, the time of publication, and the
project permissions for the role "Baustellen" (made here or by the sites' migration, whichever
runs first)."""

import django.db.models.deletion
from django.db import migrations, models


ROLE = "Baustellen"
PERMISSIONS = {
    "project": "construction project",
    "projectphase": "phase",
    "projectpicture": "picture",
}


def grant(apps, schema_editor):
    """The role may add, change, delete and view projects, their phases and pictures. The
    permissions are made here (post_migrate would make them only after every migration)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)
    for model, label in PERMISSIONS.items():
        kind, _created = content_type.objects.get_or_create(app_label="construction", model=model)
        for action in ("add", "change", "delete", "view"):
            granted, _created = permission.objects.get_or_create(
                content_type=kind,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {label}"},
            )
            group.permissions.add(granted)


class Migration(migrations.Migration):

    dependencies = [
        ('construction', '0002_sites'),
        ('core', '0017_authority_state'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='published'),
        ),
        migrations.AddField(
            model_name='projectpicture',
            name='display',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.storedfile'),
        ),
        migrations.AddField(
            model_name='projectpicture',
            name='height',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='projectpicture',
            name='width',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
