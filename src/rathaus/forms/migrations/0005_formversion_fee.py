"""A form version's fee declaration, computed from the answers and asked for when sending
(ADR 0048)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("forms", "0004_code_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="formversion",
            name="fee",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The fee asked for online, computed from the answers (see docs/forms.md).",
                verbose_name="fee declaration",
            ),
        ),
    ]
