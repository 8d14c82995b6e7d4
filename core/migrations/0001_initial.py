# The audit trail moves from the accounts app to core without touching the database: the
# table keeps its name (accounts_auditevent), its rows, its indexes and its foreign key to
# the user. Only Django's record of which app owns the model changes (state operations),
# and the content type follows it, so permissions given on the model stay given.
# accounts/migrations/0009_move_auditevent_to_core.py removes it from accounts' state.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_to_core(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="auditevent").exists():
        ContentType.objects.filter(app_label="accounts", model="auditevent").update(app_label="core")


def content_type_to_accounts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="auditevent").exists():
        ContentType.objects.filter(app_label="core", model="auditevent").update(app_label="accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The latest accounts migration: the table and the user it points at exist.
        ("accounts", "0008_legal_and_sign_in_text_limits"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('child_id', models.BigIntegerField(blank=True, null=True)),
                        ('object_type', models.CharField(max_length=60)),
                        ('object_id', models.CharField(blank=True, max_length=64)),
                        ('verb', models.CharField(choices=[('created', 'Created'), ('updated', 'Updated'), ('deleted', 'Deleted'), ('viewed', 'Viewed'), ('invited', 'Invited'), ('accepted', 'Accepted'), ('approved', 'Approved'), ('declined', 'Declined'), ('linked', 'Linked'), ('unlinked', 'Unlinked'), ('imported', 'Imported'), ('transitioned', 'Changed status'), ('exported', 'Exported'), ('downloaded', 'Downloaded'), ('record_destroyed', 'Record destroyed')], max_length=16)),
                        ('changes', models.JSONField(blank=True, default=dict)),
                        ('request_id', models.CharField(blank=True, max_length=36)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_auditevent',
                        'ordering': ['-at', '-id'],
                        'indexes': [models.Index(fields=['child_id', '-at'], name='audit_child_idx'), models.Index(fields=['object_type', 'object_id'], name='audit_object_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to_core, content_type_to_accounts),
    ]
