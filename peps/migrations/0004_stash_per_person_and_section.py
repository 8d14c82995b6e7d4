"""Kept section POSTs belong to a person and a section (issue 12, point 4).

Rows kept under the old scheme (anonymous, by path) are short-lived (two hours) and have
no person, so they are deleted rather than converted.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def forget_anonymous_stashes(apps, schema_editor):
    apps.get_model("peps", "StashedSectionPost").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("peps", "0003_free_text_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forget_anonymous_stashes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="stashedsectionpost", name="path"),
        migrations.AddField(
            model_name="stashedsectionpost",
            name="user",
            field=models.ForeignKey(default=None, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stashedsectionpost",
            name="section",
            field=models.ForeignKey(default=None, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="peps.section"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="stashedsectionpost",
            constraint=models.UniqueConstraint(fields=("user", "section"), name="one_stash_per_person_section"),
        ),
    ]
