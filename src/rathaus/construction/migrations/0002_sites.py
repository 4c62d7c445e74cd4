"""The role "Baustellen" exists in every installation, so it can be given in a membership: the
staff (Ordnungsamt, Bauamt) who keep the construction sites."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Baustellen")


class Migration(migrations.Migration):
    dependencies = [
        ("construction", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
