"""Removing Customer.legacy_code, release 1: make the column NULL-able, so that
the next release's code, which no longer writes it, can still insert rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0010_remove_customer_last_name_index_concurrently"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="legacy_code",
            field=models.CharField(max_length=20, null=True),
        ),
    ]
