"""Subject-access exports and retention reviews now belong to the data_protection app
(data_protection 0001_initial); their tables stay as they are, so this removes the models
from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("children", "0008_link_designated_teachers"),
        ("data_protection", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RetentionReview"),
                migrations.DeleteModel(name="SubjectAccessExport"),
            ],
            database_operations=[],
        ),
    ]
