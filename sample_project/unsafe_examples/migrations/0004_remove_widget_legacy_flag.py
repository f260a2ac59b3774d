"""UNSAFE: RemoveField drops the column while old code still selects and inserts it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0003_widget_category_preserve_default_false"),
    ]

    operations = [
        migrations.RemoveField(model_name="widget", name="legacy_flag"),
    ]
