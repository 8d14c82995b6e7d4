"""The outbox moves from the deadlines app (label "timeliness") to core. Its table keeps its
name (timeliness_outbox) and its index: this migration changes Django's record of which
app owns the model, not the database. Its content type is renamed to core rather than
made again."""

import django.utils.timezone
from django.db import migrations, models


def _move_content_type(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="outbox").exists():
        ContentType.objects.filter(app_label=old, model="outbox").update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_type(apps, "timeliness", "core")


def backwards(apps, schema_editor):
    _move_content_type(apps, "core", "timeliness")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_data_version"),
        ("timeliness", "0003_inset_and_closure_days"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Outbox",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=200)),
                        ("body", models.TextField(max_length=100000)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True, max_length=2000)),
                        ("dedupe_key", models.CharField(blank=True, max_length=200, null=True, unique=True)),
                    ],
                    options={
                        "verbose_name_plural": "outbox",
                        "db_table": "timeliness_outbox",
                        "ordering": ["created_at", "pk"],
                        "indexes": [models.Index(condition=models.Q(("sent_at__isnull", True)), fields=["created_at"],
                                                 name="outbox_pending_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
