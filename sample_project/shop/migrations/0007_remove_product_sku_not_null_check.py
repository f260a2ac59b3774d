"""Step 6: the column is NOT NULL now, so the helper check can go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0006_alter_product_sku_not_null"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="product", name="product_sku_not_null"),
    ]
