"""Accurate mode: the project loaded by Django itself, with the project's own settings.

Static mode never imports the project. Accurate mode (``check --django``) does: Django's
``MigrationLoader`` imports the migration modules and the real operations are replayed
by the same ``Replayer`` and judged by the same rules (``loader.py``). Only a loaded project
can show the rest: real column types (``FieldInfo.db_type``), third-party operations'
own ``state_forwards``, the SQL each operation runs (``sql.py``), model changes with no
migration (``missing.py``) and where ``DATABASE_ROUTERS`` send each migration (``databases.py``).
``run.py`` puts them together for ``check``.
"""
