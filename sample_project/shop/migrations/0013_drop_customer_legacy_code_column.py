"""Removing Customer.legacy_code, release 3: no running code knows the field any
more, so the column can be dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0012_remove_customer_legacy_code_state"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE shop_customer DROP COLUMN legacy_code",
            reverse_sql="ALTER TABLE shop_customer ADD COLUMN legacy_code varchar(20) NULL",
        ),
    ]
