"""Git-aware checking: what changed since a revision, and which commit added each migration.

``check --since REV`` compares the migration files in the working tree (committed or not,
untracked included) with the commit where the current branch left ``REV`` (git's merge
base, as in ``git diff REV...``). Only migrations added or edited since then are reported
on; the state before them is still built from the whole history on disk. Migrations that
existed then and were edited or deleted become findings of their own (ZDM610, ZDM611).

Nothing here runs unless asked: the default ``check`` never imports GitPython or runs git.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safemigrate.context import DeletedMigration, MigrationChange, ProjectContext
from safemigrate.engine import Analysis, Engine, LoadedProject, display_path, replay_project
from safemigrate.errors import UsageError
from safemigrate.source.edits import find_edit, literal_replaces, parse

if TYPE_CHECKING:
    import git

Key = tuple[str, str]

# Paths given on the command line are paths, never git pathspec patterns.
_GIT_ENV = {"GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0"}
SHALLOW_HINT = (
    "this is a shallow clone, so it may just not have been fetched: fetch the history first "
    "(`git fetch --unshallow origin`, or `fetch-depth: 0` on actions/checkout)"
)


def is_migration_file(name: str) -> bool:
    """A module Django's loader would load from a migrations package."""
    return name.endswith(".py") and not name.startswith(("_", "~"))


@dataclass
class FileChange:
    """A migration file that differs between the base commit and the working tree."""

    path: Path  # absolute, symlinks resolved
    relpath: str  # relative to the repository root, with forward slashes
    status: str  # "added" | "modified" | "deleted"


class GitRepository:
    """The git repository holding the checked paths (GitPython over the git command)."""

    def __init__(self, repo: git.Repo, option: str = "--since") -> None:
        self.repo = repo
        self.option = option
        if repo.working_tree_dir is None:
            raise UsageError(f"{option} needs a git working tree, and {repo.git_dir} is a bare repository")
        self.root = Path(repo.working_tree_dir).resolve()
        self._trees: dict[str, Any] = {}

    @classmethod
    def find(cls, path: Path, option: str = "--since") -> GitRepository:
        try:
            import git
        except ImportError as exc:  # GitPython refuses to import without a git executable
            raise UsageError(f"{option} needs git, which was not found: {_first_line(str(exc))}") from exc
        start = path.resolve()
        if not start.is_dir():
            start = start.parent
        try:
            repo = git.Repo(start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise UsageError(f"{option} needs a git repository, and {display_path(path)} is not inside one") from None
        return cls(repo, option)

    # --- running git ------------------------------------------------------
    def _git(self, command: str, *args: str) -> str:
        import git

        try:
            output: str = getattr(self.repo.git, command)(*args, env=_GIT_ENV)
        except git.GitCommandNotFound as exc:
            raise UsageError(f"{self.option} needs git, which was not found: {exc}") from None
        except git.GitCommandError as exc:
            raise UsageError(f"{self.option}: git {command} failed: {_git_message(exc)}") from None
        return output

    def _try_git(self, command: str, *args: str) -> str | None:
        """The output, or None when git exits non-zero quietly (an unknown revision, no merge base).

        A failure git explains (a broken repository, "detected dubious ownership") is a usage error
        quoting git, rather than being mistaken for an unknown revision.
        """
        import git

        try:
            output: str = getattr(self.repo.git, command)(*args, env=_GIT_ENV)
        except git.GitCommandNotFound as exc:
            raise UsageError(f"{self.option} needs git, which was not found: {exc}") from None
        except git.GitCommandError as exc:
            if _stderr_lines(exc):
                raise UsageError(f"{self.option}: git {command} failed: {_git_message(exc)}") from None
            return None
        return output

    def is_shallow(self) -> bool:
        return self._try_git("rev-parse", "--is-shallow-repository") == "true"

    # --- revisions --------------------------------------------------------
    def resolve(self, rev: str) -> str:
        """The full commit id ``rev`` names; a one-line usage error when it names nothing."""
        if not rev or rev.startswith("-"):
            raise UsageError(f"{self.option}: {rev!r} is not a revision")
        sha = self._try_git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if not sha:
            if self.is_shallow():
                raise UsageError(f"{self.option} {rev}: revision not found; {SHALLOW_HINT}")
            raise UsageError(f"{self.option} {rev}: no such revision in the git repository at {self.root}")
        return sha.strip()

    def merge_base(self, rev: str) -> str:
        """Where the checked-out branch left ``rev``: the commit to compare with."""
        sha = self.resolve(rev)
        if self._try_git("rev-parse", "--verify", "--quiet", "HEAD^{commit}") is None:
            return sha  # no commit checked out yet: compare with rev itself
        base = self._try_git("merge-base", sha, "HEAD")
        if base:
            return base.strip()
        if self.is_shallow():
            raise UsageError(f"{self.option} {rev}: no common history with HEAD; {SHALLOW_HINT}")
        return sha  # unrelated histories: compare with rev itself

    def short(self, sha: str) -> str:
        return self._try_git("rev-parse", "--short", sha) or sha[:12]

    # --- files ------------------------------------------------------------
    def relative(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            rel = resolved.relative_to(self.root)
        except ValueError:
            raise UsageError(
                f"{self.option}: {display_path(path)} is outside the git repository at {self.root}"
            ) from None
        return rel.as_posix() or "."

    def changed_files(self, base: str, pathspecs: list[str]) -> list[FileChange]:
        """Files under ``pathspecs`` that differ between ``base`` and the working tree, untracked ones included."""
        listed = self._git("diff", "--no-renames", "--no-ext-diff", "--name-only", "-z", base, "--", *pathspecs)
        untracked = self._git("ls-files", "-z", "--others", "--exclude-standard", "--", *pathspecs)
        names = sorted({n for n in (*listed.split("\0"), *untracked.split("\0")) if n})
        tree = self.tree(base)
        changes = []
        for relpath in names:
            path = self.root / relpath
            in_base = _in_tree(tree, relpath)
            on_disk = path.is_file()
            if in_base and on_disk:
                status = "modified"
            elif on_disk:
                status = "added"
            elif in_base:
                status = "deleted"
            else:
                continue
            changes.append(FileChange(path, relpath, status))
        return changes

    def tree(self, sha: str) -> Any:
        if sha not in self._trees:
            self._trees[sha] = self.repo.commit(sha).tree
        return self._trees[sha]

    def read_blob(self, base: str, relpath: str) -> bytes | None:
        try:
            blob = self.tree(base) / relpath
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        return data

    def added_in(self, directories: Iterable[Path]) -> dict[Path, str]:
        """The commit that added each file under ``directories`` (the latest addition if it was re-added).

        One ``git log`` over all of them, not one call per file.
        """
        specs = sorted({self.relative(d) for d in directories if _inside(d, self.root)})
        if not specs:
            return {}
        output = self._log_additions(specs)
        found: dict[Path, str] = {}
        sha = ""
        for line in (output or "").splitlines():
            if line.startswith("\0"):
                sha = line[1:].strip()
            elif line and sha:
                found.setdefault(self.root / line, sha)  # newest first: keep the latest addition
        return found

    def _log_additions(self, specs: list[str]) -> str | None:
        import git

        try:
            output: str = self.repo.git(c="core.quotepath=off").log(
                "--no-renames", "--diff-filter=A", "--name-only", "--format=%x00%H", "--", *specs, env=_GIT_ENV
            )
        except git.GitCommandError:
            return None  # e.g. no commits yet
        return output


def _in_tree(tree: Any, relpath: str) -> bool:
    try:
        tree / relpath
    except KeyError:
        return False
    return True


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text


def _stderr_lines(exc: Any) -> list[str]:
    """git's own error output, unwrapped from GitPython's ``stderr: '...'``."""
    stderr = exc.stderr if isinstance(exc.stderr, str) else ""
    stderr = stderr.strip().removeprefix("stderr:").strip()
    if stderr.startswith("'") and stderr.endswith("'"):
        stderr = stderr[1:-1]
    return [line.strip() for line in stderr.splitlines() if line.strip()]


def _git_message(exc: Any) -> str:
    """One line: git's first error line, plus the command it suggests, if any (e.g. safe.directory)."""
    lines = _stderr_lines(exc)
    text = lines[0] if lines else _first_line(str(exc))
    text = text.removeprefix("fatal: ").removeprefix("error: ")
    suggested = next((line for line in lines[1:] if line.startswith("git ")), None)
    return f"{text} (to fix: `{suggested}`)" if suggested else text


# --- check --since -----------------------------------------------------------


@dataclass
class SinceChanges:
    """What changed since the revision, ready to narrow the loaded project and annotate its contexts."""

    since: str
    base: str  # abbreviated commit id
    changes: dict[Key, MigrationChange] = field(default_factory=dict)
    deleted: list[DeletedMigration] = field(default_factory=list)
    reported: set[Key] = field(default_factory=set)

    def narrow(self, loaded: LoadedProject) -> None:
        """Report only what changed (the rest is still loaded and replayed)."""
        loaded.reported = loaded.reported & self.reported
        for problem in loaded.problems:
            problem.reported = any((problem.app_label, name) in loaded.reported for name in problem.migrations)
        if not loaded.reported and not self.deleted:
            loaded.notes.append(f"no migration was added or changed since {self.since} ({self.base})")

    def annotate(self, project: ProjectContext) -> None:
        for migration in project.migrations:
            migration.change = self.changes.get(migration.key)
        project.deleted_migrations = list(self.deleted)


def changes_since(repo: GitRepository, rev: str, base: str, paths: list[Path], loaded: LoadedProject) -> SinceChanges:
    """Compare the migrations ``loaded`` reports on with ``base``, the commit where the branch left ``rev``."""
    result = SinceChanges(rev, repo.short(base))
    files = repo.changed_files(base, [repo.relative(p) for p in paths])
    files = [f for f in files if is_migration_file(f.path.name)]

    by_file: dict[Path, Key] = {}
    packages: dict[Path, str] = {}  # migrations directory -> app label, for the packages asked about
    squashes: dict[Key, set[Key]] = {}
    for key, pm in loaded.migrations.items():
        replaces = {(str(app), str(name)) for app, name in pm.migration.replaces}
        if replaces:
            squashes[key] = replaces
        if key in loaded.reported:
            real = Path(os.path.realpath(pm.file))
            by_file[real] = key
            packages[real.parent] = key[0]

    # The versions at the base of edited and deleted files; their `replaces` count too (a squash may
    # have lost `replaces` in the same change that deleted the files it replaced).
    old_sources: dict[Path, bytes] = {}
    for change in files:
        if change.status == "added":
            continue
        app = by_file[change.path][0] if change.path in by_file else packages.get(change.path.parent)
        if app is None:
            continue
        data = repo.read_blob(base, change.relpath)
        if data is None:
            continue
        old_sources[change.path] = data
        tree = parse(data)
        if tree is not None:
            replaced = literal_replaces(tree)
            if replaced:
                squashes.setdefault((app, change.path.stem), set()).update(replaced)
    replaced_anywhere = set().union(*squashes.values()) if squashes else set()

    for change in files:
        if change.status == "deleted":
            app = packages.get(change.path.parent)
            if app is None or (app, change.path.stem) in replaced_anywhere:
                continue
            init = change.path.parent / "__init__.py"
            result.deleted.append(DeletedMigration(
                app_label=app,
                name=change.path.stem,
                file=display_path(change.path),
                path=display_path(init),
                since=rev,
                base=result.base,
            ))
            continue
        changed = by_file.get(change.path)
        if changed is None:
            continue  # not a migration of a package asked about (or excluded)
        if change.status == "added":
            result.changes[changed] = MigrationChange("added", rev, result.base)
            result.reported.add(changed)
            continue
        old = old_sources.get(change.path)
        edit = find_edit(old, change.path.read_bytes(), squashes) if old is not None else None
        if edit is None:
            continue  # formatting, comments, docstrings or squash bookkeeping only
        result.changes[changed] = MigrationChange("edited", rev, result.base, edit.line, edit.column)
        result.reported.add(changed)
    return result


def analyze_since(engine: Engine, paths: list[Path], rev: str) -> Analysis:
    """``Engine.analyze``, reporting only on migrations added or changed since ``rev``."""
    paths = paths or [Path.cwd()]
    repo = GitRepository.find(paths[0])
    try:
        base = repo.merge_base(rev)  # a bad revision fails before any migration is read
        loaded = engine.load(paths)
        since = changes_since(repo, rev, base, paths, loaded)
    finally:
        repo.repo.close()  # GitPython's long-running `git cat-file` helpers
    since.narrow(loaded)
    analysis = replay_project(loaded, engine.config.target)
    since.annotate(analysis.project)
    return analysis


def fill_revisions(analysis: Analysis, repo: GitRepository) -> None:
    """Set ``MigrationContext.revision`` to the commit that added each migration file.

    Only for callers that want it (it reads the history of every migrations directory, in one
    ``git log``); files never committed, or outside the repository (installed apps), keep None.
    ``repo`` is e.g. ``GitRepository.find(project_root, "--your-option")``.
    """
    files = {key: Path(os.path.realpath(pm.file)) for key, pm in analysis.parsed.items() if pm.file}
    added = repo.added_in({path.parent for path in files.values()})
    for migration in analysis.project.migrations:
        path = files.get(migration.key)
        if path is not None:
            migration.revision = added.get(path)
