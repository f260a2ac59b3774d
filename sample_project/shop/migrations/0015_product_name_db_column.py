"""Renaming Product.name to title, step 1: pin the column name. db_column="name"
is the column's current name, so no SQL runs."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0014_rename_coupon_voucher"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="name",
            field=models.CharField(max_length=200, db_column="name"),
        ),
    ]
