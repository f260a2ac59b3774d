"""UNSAFE: RemoveIndex: DROP INDEX takes an ACCESS EXCLUSIVE lock on the table.
Use RemoveIndexConcurrently in a non-atomic migration."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0011_widget_price_idx"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="widget", name="widget_name_idx"),
    ]
