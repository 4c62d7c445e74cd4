# Written by hand (other migrations of this app were being made at the same time).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_external_identity'),
    ]

    operations = [
        migrations.AddField(
            model_name='account',
            name='session_epoch',
            field=models.PositiveIntegerField(default=0, verbose_name='session generation'),
        ),
        migrations.CreateModel(
            name='RegistrationAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ip_address', models.GenericIPAddressField(verbose_name='IP address')),
                ('created_at', models.DateTimeField(db_index=True, verbose_name='created')),
            ],
            options={
                'verbose_name': 'registration attempt',
                'verbose_name_plural': 'registration attempts',
                'indexes': [models.Index(fields=['ip_address', 'created_at'], name='accounts_re_ip_addr_e8311a_idx')],
            },
        ),
    ]
