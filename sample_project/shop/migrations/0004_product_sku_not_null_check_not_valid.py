"""Step 3: add CHECK (sku IS NOT NULL) as NOT VALID.

NOT VALID skips the scan of existing rows, so the ACCESS EXCLUSIVE lock is held
only for a moment; new and updated rows are checked from now on.
"""

from django.contrib.postgres.operations import AddConstraintNotValid
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_backfill_product_sku"),
    ]

    operations = [
        AddConstraintNotValid(
            model_name="product",
            constraint=models.CheckConstraint(condition=models.Q(sku__isnull=False), name="product_sku_not_null"),
        ),
    ]
