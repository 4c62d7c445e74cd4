"""Code lists (genericode) by URN and version, and the per-version choice to ask free text
when a referenced code list is missing (ADR 0032)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("forms", "0003_files"),
    ]

    operations = [
        migrations.CreateModel(
            name="CodeList",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("urn", models.CharField(max_length=300, verbose_name="URN")),
                ("version", models.CharField(max_length=100, verbose_name="version")),
                ("name", models.CharField(max_length=300, verbose_name="name")),
                ("codes", models.JSONField(default=list, verbose_name="codes")),
                ("imported_at", models.DateTimeField(auto_now=True, verbose_name="imported")),
            ],
            options={
                "verbose_name": "code list",
                "verbose_name_plural": "code lists",
                "ordering": ["urn", "version"],
                "constraints": [
                    models.UniqueConstraint(fields=("urn", "version"), name="code_list_unique_version")
                ],
            },
        ),
        migrations.AddField(
            model_name="formversion",
            name="code_list_free_text",
            field=models.BooleanField(
                default=False,
                help_text="Questions whose code list is not available are asked as free text; without this, the version cannot be published until the code lists are imported.",
                verbose_name="free text instead of missing code lists",
            ),
        ),
    ]
