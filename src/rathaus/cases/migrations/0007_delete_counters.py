from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_counters_to_sequences")]

    operations = [
        migrations.DeleteModel(name="CaseCounter"),
        migrations.DeleteModel(name="ReferenceCounter"),
    ]
