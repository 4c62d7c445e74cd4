from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_fulltext")]

    operations = [
        migrations.AddField(
            model_name="deletionrecord",
            name="kept_elsewhere",
            field=models.PositiveIntegerField(
                default=0,
                help_text=(
                    "Contents of the file that other records still held (e.g. the attachments "
                    "of the case's application); they are deleted with those records."
                ),
                verbose_name="contents kept elsewhere",
            ),
        ),
    ]
