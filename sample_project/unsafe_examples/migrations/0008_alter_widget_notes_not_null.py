"""UNSAFE: AlterField from NULL to NOT NULL: SET NOT NULL scans the whole table under an
ACCESS EXCLUSIVE lock, and old code may still write NULLs."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0007_rename_gizmo_gadget"),
    ]

    operations = [
        migrations.AlterField(
            model_name="widget",
            name="notes",
            field=models.TextField(blank=True),
        ),
    ]
