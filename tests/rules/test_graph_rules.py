"""multiple-leaf-migrations (ZDM602), missing-dependency (ZDM603) and dependency-cycle (ZDM604)."""

from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Finding
from tests.rule_examples import lint, write_project

GRAPH = ["ZDM602", "ZDM603", "ZDM604"]


def migration(*dependencies: tuple[str, str], operations: str = "") -> str:
    deps = ", ".join(f'("{app}", "{name}")' for app, name in dependencies)
    return (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [{deps}]\n\n"
        f"    operations = [\n{operations}    ]\n"
    )


INITIAL = ("shop", "0001_initial")
DROP = '        migrations.RemoveField("customer", "legacy_code"),\n'


def check(
    tmp_path: Path, files: list[tuple[str, str]], select: list[str] | None = None, only: list[str] | None = None
) -> list[Finding]:
    project = write_project(tmp_path, files)
    names = only if only is not None else [name for name, _ in files]
    return lint([project / "shop" / "migrations" / name for name in names], select or GRAPH)


def test_two_leaves(tmp_path: Path) -> None:
    found = check(tmp_path, [("0002_a.py", migration(INITIAL)), ("0002_b.py", migration(INITIAL))])
    assert [(f.rule, Path(f.path).name, f.line) for f in found] == [("ZDM602", "0002_b.py", 4)]
    assert 'App "shop" has 2 leaf migrations (0002_a, 0002_b)' in found[0].message
    assert "makemigrations --merge shop" in found[0].help


def test_three_leaves(tmp_path: Path) -> None:
    files = [(f"0002_{x}.py", migration(INITIAL)) for x in "abc"]
    found = check(tmp_path, files)
    assert [f.rule for f in found] == ["ZDM602"]
    assert "3 leaf migrations (0002_a, 0002_b, 0002_c)" in found[0].message


def test_merge_migration_is_silent(tmp_path: Path) -> None:
    files = [
        ("0002_a.py", migration(INITIAL)),
        ("0002_b.py", migration(INITIAL)),
        ("0003_merge.py", migration(("shop", "0002_a"), ("shop", "0002_b"))),
    ]
    assert check(tmp_path, files) == []


def test_leaves_outside_the_checked_files_are_not_reported(tmp_path: Path) -> None:
    files = [("0002_a.py", migration(INITIAL)), ("0002_b.py", migration(INITIAL))]
    assert check(tmp_path, files, only=["0001_initial.py"]) == []


def test_unreadable_dependencies_do_not_make_a_leaf(tmp_path: Path) -> None:
    unreadable = migration().replace("dependencies = []", "dependencies = DEPENDENCIES")
    source = "from shop.graph import DEPENDENCIES\n" + unreadable
    assert check(tmp_path, [("0002_a.py", source)]) == []


def test_missing_dependency(tmp_path: Path) -> None:
    found = check(tmp_path, [("0002_a.py", migration(INITIAL, ("shop", "0009_gone")))])
    assert [(f.rule, Path(f.path).name, f.line) for f in found] == [("ZDM603", "0002_a.py", 4)]
    assert '"shop.0002_a" depends on "shop.0009_gone", which doesn\'t exist' in found[0].message
    assert "NodeNotFoundError" in found[0].message


def test_missing_dependency_in_its_own_app_is_not_also_a_second_leaf(tmp_path: Path) -> None:
    found = check(tmp_path, [("0002_a.py", migration(("shop", "0001_inital")))])
    assert [f.rule for f in found] == ["ZDM603"]
    assert '"shop.0001_inital"' in found[0].message


def test_missing_dependency_in_another_app(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_a.py", migration(INITIAL, ("billing", "0002_invoice")))])
    billing = project / "billing" / "migrations"
    billing.mkdir(parents=True)
    (billing / "__init__.py").touch()
    (billing / "0001_initial.py").write_text(migration(), encoding="utf-8")
    found = lint([project / "shop" / "migrations" / "0002_a.py"], GRAPH)
    assert [f.rule for f in found] == ["ZDM603"]
    assert '"billing.0002_invoice"' in found[0].message


def test_dependency_on_an_app_that_was_not_found_is_not_a_missing_dependency(tmp_path: Path) -> None:
    assert check(tmp_path, [("0002_a.py", migration(INITIAL, ("payments", "0001_initial")))]) == []


def test_cycle(tmp_path: Path) -> None:
    files = [
        ("0002_a.py", migration(INITIAL, ("shop", "0003_b"))),
        ("0003_b.py", migration(("shop", "0002_a"))),
    ]
    found = check(tmp_path, files)  # the engine doesn't crash on it
    assert [f.rule for f in found] == ["ZDM604"]
    message = found[0].message
    assert "depend on each other in a cycle" in message
    assert message.split(" depend ")[0] in (
        "Migrations shop.0002_a -> shop.0003_b -> shop.0002_a",
        "Migrations shop.0003_b -> shop.0002_a -> shop.0003_b",
    )
    assert "CircularDependencyError" in found[0].message


def test_linear_history_is_silent(tmp_path: Path) -> None:
    files = [("0002_a.py", migration(INITIAL)), ("0003_b.py", migration(("shop", "0002_a")))]
    assert check(tmp_path, files) == []


def test_other_findings_still_come_with_a_cycle(tmp_path: Path) -> None:
    files = [
        ("0002_a.py", migration(INITIAL, operations=DROP)),
        ("0003_b.py", migration(("shop", "0002_a"), ("shop", "0004_c"))),
        ("0004_c.py", migration(("shop", "0003_b"))),
    ]
    found = check(tmp_path, files, select=["ZDM102", "ZDM604"])
    assert {f.rule for f in found} == {"ZDM102", "ZDM604"}
