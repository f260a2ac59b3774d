"""UNSAFE: shrinking a CharField's max_length rescans the table under an ACCESS EXCLUSIVE
lock, fails on longer values, and old code may still write them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0009_alter_widget_count_bigint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="widget",
            name="description",
            field=models.CharField(blank=True, max_length=80),
        ),
    ]
