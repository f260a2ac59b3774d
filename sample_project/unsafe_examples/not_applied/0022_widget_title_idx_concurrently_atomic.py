"""UNSAFE: AddIndexConcurrently in a migration that is atomic (the default).

CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so this
migration fails at run time (Django raises NotSupportedError before PostgreSQL
would). It therefore lives outside unsafe_examples/migrations/, where `migrate`
would try to apply it; it is kept here as a linter example only. The fix is
`atomic = False` on the Migration class.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0021_widget_public_id_random_uuid"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="widget",
            index=models.Index(fields=["title"], name="widget_title_idx"),
        ),
    ]
