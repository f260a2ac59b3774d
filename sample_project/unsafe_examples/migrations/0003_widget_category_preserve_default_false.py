"""UNSAFE: AddField with preserve_default=False.

The one-off default fills existing rows only; afterwards the column is NOT NULL
without a default, so inserts from old code fail."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0002_widget_weight_not_null_python_default"),
    ]

    operations = [
        migrations.AddField(
            model_name="widget",
            name="category",
            field=models.CharField(max_length=30, default="misc"),
            preserve_default=False,
        ),
    ]
