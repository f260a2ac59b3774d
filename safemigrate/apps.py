"""Django app config, so ``"safemigrate"`` can go in INSTALLED_APPS for ``manage.py safemigrate``."""

from __future__ import annotations

from django.apps import AppConfig


class SafemigrateConfig(AppConfig):
    name = "safemigrate"
    verbose_name = "safemigrate"
