"""Test-wide settings."""

from __future__ import annotations

import os

# The CLI keeps a read cache in the user's cache directory; tests run it in subprocesses and must
# neither depend on nor pollute it. tests/test_cache.py turns it on explicitly.
os.environ.setdefault("SAFEMIGRATE_NO_CACHE", "1")
