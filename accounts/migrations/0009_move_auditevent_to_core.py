# The audit trail now belongs to core (core/migrations/0001_initial.py): accounts forgets
# the model without dropping its table, which core goes on using under the same name.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_legal_and_sign_in_text_limits'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
            ],
        ),
    ]
