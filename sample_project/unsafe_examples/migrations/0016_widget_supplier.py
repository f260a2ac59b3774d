"""UNSAFE: AddField of a ForeignKey to an existing table: the FOREIGN KEY constraint is
validated under locks on both tables, and the index on supplier_id is built
with a plain CREATE INDEX."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0015_widget_price_non_negative"),
    ]

    operations = [
        migrations.AddField(
            model_name="widget",
            name="supplier",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="widgets",
                to="unsafe_examples.supplier",
            ),
        ),
    ]
