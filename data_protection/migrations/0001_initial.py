"""Subject-access exports and retention reviews move from the children app to this one.
Their tables keep their names (children_subjectaccessexport, children_retentionreview) and
their index and constraint names: this changes Django's record of which app owns the
models, not the database. Their content types (and so their permissions) are renamed to
the new app rather than made again."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ["subjectaccessexport", "retentionreview"]


def _move_content_types(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_types(apps, "children", "data_protection")


def backwards(apps, schema_editor):
    _move_content_types(apps, "data_protection", "children")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("children", "0008_link_designated_teachers"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RetentionReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('run_on', models.DateField()),
                        ('child_ids', models.JSONField(blank=True, default=list)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('local_authority', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='retention_reviews', to='accounts.localauthority')),
                    ],
                    options={
                        'db_table': 'children_retentionreview',
                        'ordering': ['-run_on', '-pk'],
                        'constraints': [models.UniqueConstraint(fields=('local_authority', 'run_on'), name='one_retention_review_per_la_day')],
                    },
                ),
                migrations.CreateModel(
                    name='SubjectAccessExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Waiting to start'), ('running', 'Being built'), ('done', 'Ready'), ('failed', 'Failed'), ('expired', 'Deleted after 7 days')], default='queued', max_length=8)),
                        ('progress', models.PositiveIntegerField(default=0)),
                        ('total', models.PositiveIntegerField(default=0)),
                        ('error', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('reason', models.TextField(max_length=500)),
                        ('file', models.FileField(blank=True, upload_to='subject-access/')),
                        ('child', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='subject_access_exports', to='children.child')),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'children_subjectaccessexport',
                        'ordering': ['-created_at', '-pk'],
                        'abstract': False,
                        'indexes': [models.Index(fields=['child', '-created_at'], name='sar_child_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
