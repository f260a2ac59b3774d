"""UNSAFE: AddConstraint with a CheckConstraint validates every row under an ACCESS
EXCLUSIVE lock. Use AddConstraintNotValid, then ValidateConstraint."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unsafe_examples", "0014_widget_code_unique"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="widget",
            constraint=models.CheckConstraint(condition=models.Q(price__gte=0), name="widget_price_non_negative"),
        ),
    ]
