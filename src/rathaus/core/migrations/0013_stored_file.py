import uuid

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0012_audit_keyed_hashes"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoredFile",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=200, verbose_name="file name")),
                ("media_type", models.CharField(max_length=100, verbose_name="media type")),
                ("size", models.PositiveBigIntegerField(verbose_name="size in bytes")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("key", models.CharField(db_index=True, max_length=200, verbose_name="storage key")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="stored")),
            ],
            options={
                "verbose_name": "stored file",
                "verbose_name_plural": "stored files",
                "ordering": ["created_at", "pk"],
            },
        ),
    ]
