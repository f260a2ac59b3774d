"""Dropping an unused index without blocking: DROP INDEX CONCURRENTLY, alone in a
non-atomic migration."""

from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("shop", "0009_order_created_at_index_concurrently"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="customer", name="shop_customer_last_name_idx"),
    ]
