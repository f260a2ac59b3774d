"""Step 2: backfill the new column in small batches, outside one long transaction.

The migration is non-atomic and holds nothing but this RunPython, so every batch
commits on its own and no lock is held on the whole table. It uses the
historical model (apps.get_model), never the current one.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, transaction

BATCH_SIZE = 1000


def backfill_sku(apps: Any, schema_editor: Any) -> None:
    Product = apps.get_model("shop", "Product")
    alias = schema_editor.connection.alias
    last_pk = 0
    while True:
        batch = list(
            Product.objects.using(alias)
            .filter(pk__gt=last_pk, sku__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not batch:
            break
        with transaction.atomic(using=alias):
            for pk in batch:
                Product.objects.using(alias).filter(pk=pk, sku__isnull=True).update(sku=f"SKU-{pk:08d}")
        last_pk = batch[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("shop", "0002_product_sku_nullable"),
    ]

    operations = [
        # Reversing leaves the values in place: the column is still NULL-able before this step.
        migrations.RunPython(backfill_sku, migrations.RunPython.noop),
    ]
