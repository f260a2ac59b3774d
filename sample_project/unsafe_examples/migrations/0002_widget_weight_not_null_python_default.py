"""UNSAFE: AddField of a NOT NULL column with only a Python default.

Django adds the column with DEFAULT 0 and drops the default again in the same
migration, so old code that inserts widgets without weight fails with a
NOT NULL violation. Use db_default (or add it NULL-able first)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="widget",
            name="weight",
            field=models.IntegerField(default=0),
        ),
    ]
