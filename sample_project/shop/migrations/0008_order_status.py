"""A NOT NULL column added in one step: db_default puts the default in the
database, so old code that inserts without the column still gets "new".
A constant default needs no table rewrite on PostgreSQL 11+."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0007_remove_product_sku_not_null_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="status",
            field=models.CharField(max_length=16, default="new", db_default="new"),
        ),
    ]
