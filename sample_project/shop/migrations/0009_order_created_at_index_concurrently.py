"""An index on an existing, busy table: CREATE INDEX CONCURRENTLY does not block
writes. It cannot run in a transaction, hence atomic = False and nothing else here."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("shop", "0008_order_status"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["created_at"], name="shop_order_created_at_idx"),
        ),
    ]
