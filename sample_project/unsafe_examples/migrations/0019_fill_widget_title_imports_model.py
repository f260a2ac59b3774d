"""UNSAFE: the RunPython function imports the model class directly
(from unsafe_examples.models import Widget) instead of apps.get_model(...).

It then runs with today's model against the schema of this point in history:
once a later release adds or renames a Widget field, this migration breaks on
a fresh database."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH_SIZE = 1000


def fill_title(apps: Any, schema_editor: Any) -> None:
    from unsafe_examples.models import Widget

    alias = schema_editor.connection.alias
    last_pk = 0
    while True:
        batch = list(
            Widget.objects.using(alias).filter(pk__gt=last_pk, title="").order_by("pk").values_list("pk", flat=True)[
                :BATCH_SIZE
            ]
        )
        if not batch:
            break
        Widget.objects.using(alias).filter(pk__in=batch).update(title="Untitled")
        last_pk = batch[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("unsafe_examples", "0018_supplier_names_view_runsql_no_reverse"),
    ]

    operations = [
        migrations.RunPython(fill_title, migrations.RunPython.noop),
    ]
