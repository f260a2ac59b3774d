"""UNSAFE: AddIndex on an existing table: CREATE INDEX blocks writes until it is built.
Use AddIndexConcurrently in a non-atomic migration."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0010_alter_widget_description_max_length"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="widget",
            index=models.Index(fields=["price"], name="widget_price_idx"),
        ),
    ]
