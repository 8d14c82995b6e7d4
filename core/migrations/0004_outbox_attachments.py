"""Emails in the outbox may carry files (a meeting's .ics invitation): one new nullable
column, so existing rows and the daily run's bulk insert are unchanged."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="outbox",
            name="attachments",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
