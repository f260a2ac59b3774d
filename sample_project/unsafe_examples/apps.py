from __future__ import annotations

from django.apps import AppConfig


class UnsafeExamplesConfig(AppConfig):
    name = "unsafe_examples"
    verbose_name = "Unsafe examples (one unsafe migration pattern per migration)"
