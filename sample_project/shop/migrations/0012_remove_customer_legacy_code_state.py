"""Removing Customer.legacy_code, release 2: drop the field from the models only.
The column stays, so code still running from release 1 keeps working."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0011_customer_legacy_code_nullable"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="customer", name="legacy_code"),
            ],
        ),
    ]
