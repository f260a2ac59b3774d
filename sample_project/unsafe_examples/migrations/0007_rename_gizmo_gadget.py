"""UNSAFE: RenameModel without a pinned db_table renames the table; old code still uses
unsafe_examples_gizmo."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0006_rename_widget_label_title"),
    ]

    operations = [
        migrations.RenameModel(old_name="Gizmo", new_name="Gadget"),
    ]
