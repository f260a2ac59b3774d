from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Finding
from tests.rule_examples import lint_migrations

SOURCE = """from django.db import migrations
{imports}

def fill(apps, schema_editor):
{body}


def unfill(apps, schema_editor):
{reverse}


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.RunPython(fill, unfill),
    ]
"""
GET_MODEL = '    Product = apps.get_model("shop", "Product")\n    Product.objects.filter(sku=None).update(sku="")'


def findings(tmp_path: Path, imports: str = "", body: str = GET_MODEL, reverse: str = "    pass") -> list[Finding]:
    source = SOURCE.replace("{imports}", imports).replace("{body}", body).replace("{reverse}", reverse)
    found = lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM601"])
    line = source.splitlines().index("        migrations.RunPython(fill, unfill),") + 1
    assert all(f.line == line for f in found), (line, found)
    return found


def test_import_inside_the_function(tmp_path: Path) -> None:
    body = '    from shop.models import Product\n    Product.objects.filter(sku=None).update(sku="")'
    found = findings(tmp_path, body=body)
    assert [f.rule for f in found] == ["ZDM601"]
    assert '"fill"' in found[0].message and '"shop.models"' in found[0].message
    assert "apps.get_model" in found[0].help


def test_module_level_import_used_in_the_function(tmp_path: Path) -> None:
    body = '    Product.objects.filter(sku=None).update(sku="")'
    found = findings(tmp_path, imports="from shop.models import Product", body=body)
    assert [f.rule for f in found] == ["ZDM601"]
    assert "shop.models.Product" in found[0].message
    assert 'apps.get_model("shop", "Product")' in found[0].help


def test_reverse_function_is_checked(tmp_path: Path) -> None:
    reverse = "    from shop.models import Product\n    Product.objects.update(sku=None)"
    found = findings(tmp_path, reverse=reverse)
    assert [f.rule for f in found] == ["ZDM601"]
    assert '"unfill"' in found[0].message


def test_both_functions_give_two_findings(tmp_path: Path) -> None:
    body = '    from shop.models import Product\n    Product.objects.update(sku="")'
    reverse = "    from shop.models import Product\n    Product.objects.update(sku=None)"
    found = findings(tmp_path, body=body, reverse=reverse)
    assert sorted(f.message.split('"')[1] for f in found) == ["fill", "unfill"]


def test_get_model_is_silent(tmp_path: Path) -> None:
    assert findings(tmp_path) == []


def test_module_level_import_not_used_in_the_function_is_silent(tmp_path: Path) -> None:
    body = '    Item = apps.get_model("shop", "Product")\n    Item.objects.update(sku="")'
    assert findings(tmp_path, imports="from shop.models import Product", body=body) == []


def test_django_models_are_silent(tmp_path: Path) -> None:
    body = "    from django.contrib.auth.models import Group\n    Group.objects.count()"
    assert findings(tmp_path, body=body) == []


def test_relative_import_names_the_app_itself(tmp_path: Path) -> None:
    body = "    from ..models import Product\n    Product.objects.update(sku='')"
    found = findings(tmp_path, body=body)
    assert [f.rule for f in found] == ["ZDM601"]
    assert '"..models"' in found[0].message
    assert 'apps.get_model("shop", "ModelName")' in found[0].help
