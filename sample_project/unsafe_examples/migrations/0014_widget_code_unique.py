"""UNSAFE: AddConstraint with a UniqueConstraint builds a unique index with a plain
CREATE UNIQUE INDEX / ADD CONSTRAINT, blocking writes while it is built."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0013_alter_widget_sku_db_index"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="widget",
            constraint=models.UniqueConstraint(fields=["code"], name="widget_code_uniq"),
        ),
    ]
