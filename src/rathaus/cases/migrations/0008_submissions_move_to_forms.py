"""Submissions move from cases to forms (ADR 0014): the cases app forgets them.

Only Django's model state changes; ``forms.0002`` took over the same tables. The foreign keys of
``Case`` and ``OutboxItem`` now name ``forms.Submission``, which is the same table as before.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_delete_counters"),
        ("forms", "0002_submissions_from_cases"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="submission",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="case",
                        to="forms.submission",
                    ),
                ),
                migrations.AlterField(
                    model_name="outboxitem",
                    name="submission",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outbox",
                        to="forms.submission",
                    ),
                ),
                migrations.DeleteModel(name="SubmissionAttachment"),
                migrations.DeleteModel(name="SubmissionEvent"),
                migrations.DeleteModel(name="Submission"),
            ],
            database_operations=[],
        ),
    ]
