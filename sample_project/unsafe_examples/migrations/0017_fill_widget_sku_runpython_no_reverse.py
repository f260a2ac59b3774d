"""UNSAFE: RunPython without a reverse function makes the migration irreversible,
so a failed deploy cannot be rolled back with migrate. Pass
migrations.RunPython.noop (or real reverse code) as the second argument.

Otherwise this backfill is done right: historical model, batches, non-atomic."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH_SIZE = 1000


def fill_sku(apps: Any, schema_editor: Any) -> None:
    Widget = apps.get_model("unsafe_examples", "Widget")
    alias = schema_editor.connection.alias
    last_pk = 0
    while True:
        batch = list(
            Widget.objects.using(alias).filter(pk__gt=last_pk, sku="").order_by("pk").values_list("pk", flat=True)[
                :BATCH_SIZE
            ]
        )
        if not batch:
            break
        Widget.objects.using(alias).filter(pk__in=batch).update(sku="UNKNOWN")
        last_pk = batch[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("unsafe_examples", "0016_widget_supplier"),
    ]

    operations = [
        migrations.RunPython(fill_sku),
    ]
