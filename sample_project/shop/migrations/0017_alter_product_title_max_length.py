"""A longer varchar: varchar(200) -> varchar(255). PostgreSQL only updates the
catalog (no rewrite, indexes kept), so the ACCESS EXCLUSIVE lock is brief and old
code, which never writes more than 200 characters, keeps working."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0016_rename_product_name_title"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="title",
            field=models.CharField(max_length=255, db_column="name"),
        ),
    ]
