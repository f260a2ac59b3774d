"""Renaming Product.name to title, step 2: RenameField with the column pinned to
"name" renames the Python attribute only; old and new code share the column."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0015_product_name_db_column"),
    ]

    operations = [
        migrations.RenameField(model_name="product", old_name="name", new_name="title"),
    ]
