"""A threshold says what its limit applies to: a single value, the daily or the annual mean.

Existing thresholds keep comparing single values (the default).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("opendata", "0003_sensor_data_role")]

    operations = [
        migrations.AddField(
            model_name="threshold",
            name="statistic",
            field=models.CharField(
                choices=[("value", "single value"), ("day", "daily mean"), ("year", "annual mean")],
                default="value",
                max_length=5,
                verbose_name="applies to",
            ),
        ),
    ]
