"""UNSAFE: a schema change and a data backfill in one atomic migration.

The ALTER TABLE takes an ACCESS EXCLUSIVE lock that is held until the whole
transaction commits, i.e. until the backfill has touched every row. Put the
backfill in its own migration with atomic = False."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def fill_color(apps: Any, schema_editor: Any) -> None:
    Widget = apps.get_model("unsafe_examples", "Widget")
    Widget.objects.using(schema_editor.connection.alias).filter(color__isnull=True).update(color="grey")


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0019_fill_widget_title_imports_model"),
    ]

    operations = [
        migrations.AddField(
            model_name="widget",
            name="color",
            field=models.CharField(max_length=20, null=True),
        ),
        migrations.RunPython(fill_color, migrations.RunPython.noop),
    ]
