"""Step 5: SET NOT NULL. PostgreSQL 12+ sees the validated CHECK (sku IS NOT NULL)
and skips the full-table scan, so the lock is brief."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0005_validate_product_sku_not_null"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="sku",
            field=models.CharField(max_length=32),
        ),
    ]
