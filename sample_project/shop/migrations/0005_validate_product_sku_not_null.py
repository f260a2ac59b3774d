"""Step 4: validate the check. VALIDATE CONSTRAINT scans the table under a
SHARE UPDATE EXCLUSIVE lock, which does not block reads or writes."""

from django.contrib.postgres.operations import ValidateConstraint
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_product_sku_not_null_check_not_valid"),
    ]

    operations = [
        ValidateConstraint(model_name="product", name="product_sku_not_null"),
    ]
