"""UNSAFE: AlterField adding db_index=True runs a plain CREATE INDEX, blocking writes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0012_remove_widget_name_idx"),
    ]

    operations = [
        migrations.AlterField(
            model_name="widget",
            name="sku",
            field=models.CharField(blank=True, db_index=True, max_length=32),
        ),
    ]
