"""Step 1 of adding a required column: add it as NULL-able.

Old code does not know the column and inserts rows without it; that only works
while the column accepts NULL.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="sku",
            field=models.CharField(max_length=32, null=True),
        ),
    ]
