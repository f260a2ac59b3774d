"""Model changes with no migration: what ``makemigrations --check`` would create."""

from __future__ import annotations

from pathlib import Path

from django.db.migrations.loader import MigrationLoader

from safemigrate.accurate.setup import first_line
from safemigrate.context import MissingMigration
from safemigrate.engine import LoadedProject, display_path


def missing_migrations(
    loader: MigrationLoader, loaded: LoadedProject, apps_checked: set[str], notes: list[str]
) -> list[MissingMigration]:
    """Django's autodetector, from the migrations' state to the models' state, as makemigrations runs it
    (without asking anything: a rename is seen as a removal and an addition)."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import MigrationQuestioner
    from django.db.migrations.state import ProjectState

    try:
        detector = MigrationAutodetector(
            loader.project_state(),
            ProjectState.from_apps(apps),
            MigrationQuestioner(specified_apps=set(), dry_run=True),
        )
        changes = detector.changes(graph=loader.graph)
    except Exception as exc:
        notes.append(f"missing migrations were not checked: Django's autodetector failed ({first_line(exc)})")
        return []
    out: list[MissingMigration] = []
    for app_label, migrations in sorted(changes.items()):
        if app_label not in apps_checked:
            continue
        path, line, column, reported_at = _location(app_label, loader, loaded)
        for migration in migrations:
            for operation in migration.operations:
                out.append(
                    MissingMigration(app_label, operation.describe(), migration.name, path, line, column, reported_at)
                )
    return out


def _location(app_label: str, loader: MigrationLoader, loaded: LoadedProject) -> tuple[str, int, int, str | None]:
    """The app's latest migration (and its name), or its models.py when it has none."""
    leaves = sorted(loader.graph.leaf_nodes(app_label))
    if leaves and leaves[-1] in loaded.migrations:
        pm = loaded.migrations[leaves[-1]]
        return pm.path, pm.line, pm.column, leaves[-1][1]
    from django.apps import apps

    app_dir = Path(apps.get_app_config(app_label).path)
    for candidate in (app_dir / "models.py", app_dir / "models" / "__init__.py", app_dir / "__init__.py"):
        if candidate.is_file():
            return display_path(candidate), 1, 1, None
    return display_path(app_dir), 1, 1, None
