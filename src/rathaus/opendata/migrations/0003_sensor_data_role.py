"""The role "Sensordaten" exists in every installation, so it can be given in a membership."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Sensordaten")


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0002_partition_observations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
