"""CharField -> TextField on a column without an index: varchar(100) -> text is a
catalog change on PostgreSQL (no rewrite), so the lock is brief. (With an index,
Django would drop and rebuild its "_like" index under the lock.)"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0017_alter_product_title_max_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="first_name",
            field=models.TextField(),
        ),
    ]
