"""Submissions move from cases to forms: the form layer's output (ADR 0014).

Only Django's model state changes: the tables keep their names (``cases_submission``,
``cases_submissionattachment``, ``cases_submissionevent``), so no row
is copied and foreign keys from the cases tables stay valid. The content types follow the models,
so permissions granted on them and admin log entries stay attached. ``cases.0008`` removes the
models from the cases app's state once they exist here.
"""

import django.db.models.deletion
import uuid
from django.db import migrations, models



CONTENT_TYPES = ["submission", "submissionattachment", "submissionevent"]


def _move_content_types(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in CONTENT_TYPES:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, "cases", "forms")


def backwards(apps, schema_editor):
    _move_content_types(apps, "forms", "cases")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("forms", "0001_initial"),
        ("cases", "0007_delete_counters"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Submission',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('reference', models.CharField(max_length=40, unique=True, verbose_name='reference')),
                        ('data', models.JSONField(verbose_name='data')),
                        ('trust_level', models.CharField(max_length=20, verbose_name='login used')),
                        ('channel', models.CharField(choices=[('web', 'online form'), ('api', 'programming interface')], max_length=10, verbose_name='channel')),
                        ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail for the receipt')),
                        ('submitted_at', models.DateTimeField(db_index=True, verbose_name='submitted')),
                        ('draft_id', models.UUIDField(blank=True, null=True, unique=True)),
                        ('idempotency_key', models.CharField(blank=True, max_length=200)),
                        ('payload_sha256', models.CharField(blank=True, max_length=64)),
                        ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='submissions', to='accounts.account')),
                        ('authority', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='core.authority')),
                        ('form_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='forms.formversion')),
                        ('offer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.offer')),
                    ],
                    options={
                        'verbose_name': 'submission',
                        'verbose_name_plural': 'submissions',
                        'db_table': 'cases_submission',
                        'ordering': ['-submitted_at'],
                    },
                ),
                migrations.CreateModel(
                    name='SubmissionAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('upload_id', models.UUIDField()),
                        ('field', models.CharField(max_length=200, verbose_name='question')),
                        ('storage_name', models.CharField(max_length=200)),
                        ('original_name', models.CharField(max_length=200, verbose_name='file name')),
                        ('content_type', models.CharField(max_length=100, verbose_name='type')),
                        ('size', models.PositiveBigIntegerField(verbose_name='size in bytes')),
                        ('sha512', models.CharField(max_length=128, verbose_name='SHA-512')),
                        ('submission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='forms.submission')),
                    ],
                    options={
                        'verbose_name': 'attachment',
                        'verbose_name_plural': 'attachments',
                        'db_table': 'cases_submissionattachment',
                        'ordering': ['pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SubmissionEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('submitted', 'submitted'), ('receipt_sent', 'receipt sent'), ('routed', 'routed')], max_length=40, verbose_name='event')),
                        ('at', models.DateTimeField(verbose_name='time')),
                        ('detail', models.JSONField(blank=True, default=dict)),
                        ('submission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='forms.submission')),
                    ],
                    options={
                        'verbose_name': 'submission event',
                        'verbose_name_plural': 'submission events',
                        'db_table': 'cases_submissionevent',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='submission',
                    constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('form_version', 'idempotency_key'), name='submission_unique_idempotency_key'),
                ),
                migrations.AddConstraint(
                    model_name='submissionevent',
                    constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['submitted', 'receipt_sent', 'routed'])), fields=('submission', 'kind'), name='submission_event_once'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
