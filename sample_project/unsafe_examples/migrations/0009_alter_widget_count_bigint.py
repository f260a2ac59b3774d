"""UNSAFE: IntegerField to BigIntegerField changes the column type, which rewrites the
table under an ACCESS EXCLUSIVE lock."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0008_alter_widget_notes_not_null"),
    ]

    operations = [
        migrations.AlterField(
            model_name="widget",
            name="count",
            field=models.BigIntegerField(default=0),
        ),
    ]
