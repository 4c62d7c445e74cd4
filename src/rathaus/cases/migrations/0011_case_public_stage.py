from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_register_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public_stage",
            field=models.CharField(
                blank=True,
                help_text="A short word the applicant sees beside the status, e.g. “dispatched”.",
                max_length=60,
                verbose_name="stage for the applicant",
            ),
        ),
    ]
