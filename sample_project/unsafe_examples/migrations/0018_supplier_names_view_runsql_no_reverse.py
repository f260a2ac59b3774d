"""UNSAFE: RunSQL without reverse_sql makes the migration irreversible, so a failed
deploy cannot be rolled back with migrate."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0017_fill_widget_sku_runpython_no_reverse"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE VIEW unsafe_examples_supplier_names AS SELECT id, name FROM unsafe_examples_supplier",
        ),
    ]
