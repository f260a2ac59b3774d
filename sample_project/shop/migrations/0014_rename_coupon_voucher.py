"""Renaming a model safely: Coupon has had db_table = "shop_coupon" since it was
created, so RenameModel changes only Python names and runs no SQL."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0013_drop_customer_legacy_code_column"),
    ]

    operations = [
        migrations.RenameModel(old_name="Coupon", new_name="Voucher"),
    ]
