"""SQLite backend that can run migrations written for PostgreSQL.

Use ``"ENGINE": "config.sqlite_backend"``. See ``base.py`` for what it adds.
"""
