"""UNSAFE: RenameField renames the column; old code still uses "label"."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0005_delete_obsolete"),
    ]

    operations = [
        migrations.RenameField(model_name="widget", old_name="label", new_name="title"),
    ]
