"""The outbox now belongs to core (core 0003_outbox); its table stays as it is, so this
removes the model from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("timeliness", "0003_inset_and_closure_days"),
        ("core", "0003_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Outbox")],
            database_operations=[],
        ),
    ]
