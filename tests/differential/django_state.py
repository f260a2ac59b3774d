"""Print Django's own migration state as JSON: ``{"app.model": ModelInfo.describe()}``.

Run in a subprocess (it needs real settings): reads a settings description as JSON
on stdin, ``{"installed_apps": [...], "auth_user_model": "auth.User", "sys_path": [...],
"settings": {...}, "settings_from": ["oscar.defaults"]}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    spec = json.load(sys.stdin)
    for entry in reversed(spec.get("sys_path", [])):
        sys.path.insert(0, entry)
    sys.path.insert(0, str(REPO_ROOT))

    import importlib

    import django
    from django.conf import settings

    extra: dict[str, object] = {}
    for module_name in spec.get("settings_from", []):  # like ``from oscar.defaults import *``
        module = importlib.import_module(module_name)
        extra.update({k: v for k, v in vars(module).items() if k.isupper()})
    extra.update(spec.get("settings", {}))
    settings.configure(
        INSTALLED_APPS=spec["installed_apps"],
        AUTH_USER_MODEL=spec.get("auth_user_model", "auth.User"),
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
        SECRET_KEY="differential",
        STATIC_URL="/static/",
        **extra,
    )
    django.setup()

    from django.db.migrations.loader import MigrationLoader

    from safemigrate.schema import ModelInfo

    loader = MigrationLoader(None, ignore_no_migrations=True)
    state = loader.project_state()
    out = {
        f"{app}.{name}": ModelInfo.from_state(model_state).describe()
        for (app, name), model_state in sorted(state.models.items())
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True, default=repr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
