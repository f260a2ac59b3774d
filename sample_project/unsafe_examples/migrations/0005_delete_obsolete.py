"""UNSAFE: DeleteModel drops the table while old code still queries it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0004_remove_widget_legacy_flag"),
    ]

    operations = [
        migrations.DeleteModel(name="Obsolete"),
    ]
