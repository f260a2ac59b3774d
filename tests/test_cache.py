"""The read cache: reused only while nothing it depends on changed, and never changing a verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from safemigrate.cache import ReadCache
from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.source.reader import read_migration
from safemigrate.source.resolve import Resolver
from tests.rule_examples import write_project

UNSAFE = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(default=0)),
    ]
'''


def check_json(project: Path, cache: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "SAFEMIGRATE_CACHE_DIR": str(cache)}
    env.pop("SAFEMIGRATE_NO_CACHE", None)
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", str(project), "--format", "json", "--exit-zero", *extra],
        capture_output=True, text=True, env=env, cwd=project, check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_cached_run_gives_the_same_report_and_sees_edits(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_weight.py", UNSAFE)])
    cache = tmp_path / "cache"
    first = check_json(project, cache)
    assert [f["rule"] for f in first["findings"]] == ["ZDM101"]
    assert list(cache.glob("*.pickle")), "the cache was not written"
    assert check_json(project, cache) == first  # warm
    # An edit (different size) is read again.
    (project / "shop" / "migrations" / "0002_weight.py").write_text(UNSAFE.replace("default=0", "null=True"))
    assert check_json(project, cache)["findings"] == []
    # --no-cache reads everything and gives the same answer.
    assert check_json(project, cache, "--no-cache")["findings"] == []


def test_same_size_edit_is_seen_through_mtime(tmp_path: Path) -> None:
    path = write_project(tmp_path, [("0002_weight.py", UNSAFE)]) / "shop" / "migrations" / "0002_weight.py"
    cache = ReadCache(tmp_path / "cache", "auth.User")
    resolver = Resolver()

    def read(file: Path):  # type: ignore[no-untyped-def]
        return read_migration(file, "shop", resolver)

    (first,) = cache.read_package(path.parent, "shop", [path], read)
    path.write_text(UNSAFE.replace('"weight"', '"height"'))  # same length
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    (second,) = cache.read_package(path.parent, "shop", [path], read)
    assert first.migration.operations[0].name == "weight"
    assert second.migration.operations[0].name == "height"


def test_corrupt_or_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_weight.py", UNSAFE)])
    cache = tmp_path / "cache"
    check_json(project, cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert [f["rule"] for f in check_json(project, cache)["findings"]] == ["ZDM101"]
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert [f["rule"] for f in check_json(project, blocked / "cache")["findings"]] == ["ZDM101"]


def test_engine_without_a_cache_directory_writes_nothing(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_weight.py", UNSAFE)])
    analysis = Engine(Config(), cache_directory=None).analyze([project])
    assert analysis.migrations_loaded == 2
    assert not (tmp_path / "cache").exists()


def test_fresh_answers_from_the_header_and_sees_every_kind_of_change(tmp_path: Path) -> None:
    directory = write_project(tmp_path, [("0002_weight.py", UNSAFE)]) / "shop" / "migrations"
    files = sorted(directory.glob("0*.py"))
    cache = ReadCache(tmp_path / "cache", "auth.User")
    resolver = Resolver()

    def read(file: Path):  # type: ignore[no-untyped-def]
        return read_migration(file, "shop", resolver)

    assert not cache.fresh(directory, "shop", files)  # nothing cached yet
    cache.read_package(directory, "shop", files, read)
    assert ReadCache(tmp_path / "cache", "auth.User").fresh(directory, "shop", files)
    assert not ReadCache(tmp_path / "cache", "auth.User").fresh(directory, "store", files)  # another app label
    assert not ReadCache(tmp_path / "cache", "myapp.User").fresh(directory, "shop", files)  # another reader
    new = directory / "0003_more.py"
    new.write_text(UNSAFE)
    assert not ReadCache(tmp_path / "cache", "auth.User").fresh(directory, "shop", [*files, new])  # a new file
    assert not ReadCache(tmp_path / "cache", "auth.User").fresh(directory, "shop", files[:1])  # a removed one
    files[-1].write_text(UNSAFE + "\n")
    assert not ReadCache(tmp_path / "cache", "auth.User").fresh(directory, "shop", files)  # an edited one


def test_an_edit_with_its_mtime_set_back_is_still_seen(tmp_path: Path) -> None:
    """``cp -p``, ``rsync -t`` or ``touch -r`` can restore a file's mtime; its change time can't be."""
    project = write_project(tmp_path, [("0002_weight.py", UNSAFE)])
    cache = tmp_path / "cache"
    assert [f["rule"] for f in check_json(project, cache)["findings"]] == ["ZDM101"]
    path = project / "shop" / "migrations" / "0002_weight.py"
    before = path.stat()
    edited = UNSAFE.replace("default=0", "null=True")
    edited = edited.replace("\n    ]", " " * (len(UNSAFE) - len(edited)) + "\n    ]", 1)
    assert len(edited) == len(UNSAFE)
    time.sleep(0.01)
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size
    assert check_json(project, cache)["findings"] == []


def test_a_package_cached_under_another_app_label_is_read_again_and_recached(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_weight.py", UNSAFE)])
    cache = tmp_path / "cache"
    assert {f["app"] for f in check_json(project, cache)["findings"]} == {"shop"}
    (project / "shop" / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n    label = 'store'\n"
    )
    relabelled = check_json(project, cache)
    assert {f["app"] for f in relabelled["findings"]} == {"store"}
    directory = project / "shop" / "migrations"
    files = sorted(directory.glob("0*.py"))
    assert ReadCache(cache, "auth.User").fresh(directory, "store", files)  # stored under the new label
    assert check_json(project, cache) == relabelled


def test_a_cache_body_of_the_wrong_kind_only_costs_a_reread(tmp_path: Path) -> None:
    import pickle

    project = write_project(tmp_path, [("0002_weight.py", UNSAFE)])
    cache = tmp_path / "cache"
    first = check_json(project, cache)
    for entry in cache.glob("*.pickle"):
        with open(entry, "rb") as handle:
            header = pickle.load(handle)
            body = pickle.load(handle)
        with open(entry, "wb") as handle:
            pickle.dump(header, handle)
            pickle.dump({name: ("not", "a migration") for name in body}, handle)
    assert check_json(project, cache) == first
