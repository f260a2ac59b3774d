"""UNSAFE: AddField of a NOT NULL UUIDField with db_default=RandomUUID().

gen_random_uuid() is volatile, so PostgreSQL cannot use a fast default: it
rewrites the whole table under an ACCESS EXCLUSIVE lock to give every row its
own value."""

from django.contrib.postgres.functions import RandomUUID
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0020_widget_color_with_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="widget",
            name="public_id",
            field=models.UUIDField(db_default=RandomUUID()),
        ),
    ]
