"""Deploy-phase markers of peer tools, read as declarations of a migration's phase.

A team switching to safemigrate keeps the markers its migrations already carry:

- django-safemigrate: ``safe = Safe.before_deploy()`` (pre-deploy), ``Safe.after_deploy()``
  (post-deploy, also with ``delay=``), ``Safe.always()`` (either); the 2.x-4.x enum members
  without the call; 1.x's ``safe = True`` (before deploy) and ``safe = False`` (after deploy).
- django-syzygy: ``stage = Stage.PRE_DEPLOY`` / ``Stage.POST_DEPLOY`` on the migration, and
  ``stage=Stage...`` on its operations (``AlterField``, ``RenameField``, ``RenameModel``;
  ``PostAddField`` is post-deploy by definition). A migration without a ``stage`` of its own
  takes its operations' declared stage, as syzygy does.
- Sentry: ``is_post_deployment = True``. ``False`` is Sentry's boilerplate on every migration
  and declares nothing.
- safemigrate's own, for teams without a peer tool: ``deploy_phase = "pre-deploy"`` /
  ``"post-deploy"`` / ``"any"``.

The static reader keeps these as placeholders (their ``safemigrate_path`` is the dotted name
they were imported as), so they are matched by their last two names: ``Safe.after_deploy``,
``Stage.POST_DEPLOY``. Nothing here imports the peer packages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from safemigrate.findings import Phase
from safemigrate.source.placeholders import PlaceholderCall, UnknownOperation

_SAFE = {
    "Safe.before_deploy": Phase.PRE_DEPLOY,
    "Safe.after_deploy": Phase.POST_DEPLOY,
    "Safe.always": Phase.ANY,
}
_STAGE = {"Stage.PRE_DEPLOY": Phase.PRE_DEPLOY, "Stage.POST_DEPLOY": Phase.POST_DEPLOY}
_OWN = {"pre-deploy": Phase.PRE_DEPLOY, "post-deploy": Phase.POST_DEPLOY, "any": Phase.ANY}
# syzygy operations whose class itself declares the stage.
_STAGED_CLASSES = {"PostAddField": Phase.POST_DEPLOY}


def _tail(value: Any) -> str | None:
    path = getattr(value, "safemigrate_path", None)
    if not isinstance(path, str):
        return None
    return ".".join(path.split(".")[-2:])


def _written(tail: str, value: Any) -> str:
    return tail + ("()" if isinstance(value, PlaceholderCall) else "")


def read_marker(name: str, value: Any) -> tuple[Phase, str] | None:
    """The phase one Migration class attribute declares, with the marker as written."""
    if name == "safe":
        if value is True or value is False:
            return (Phase.PRE_DEPLOY if value else Phase.POST_DEPLOY), f"safe = {value}"
        tail = _tail(value)
        if tail in _SAFE:
            return _SAFE[tail], f"safe = {_written(tail, value)}"
    elif name == "stage":
        tail = _tail(value)
        if tail in _STAGE:
            return _STAGE[tail], f"stage = {tail}"
    elif name == "is_post_deployment" and value is True:
        return Phase.POST_DEPLOY, "is_post_deployment = True"
    elif name == "deploy_phase" and isinstance(value, str) and value in _OWN:
        return _OWN[value], f'deploy_phase = "{value}"'

    return None


def operation_stage(operation: object) -> Phase | None:
    """The phase an operation itself declares (django-syzygy's ``stage=``), if any."""
    if isinstance(operation, UnknownOperation):
        tail = _tail(operation.kwargs.get("stage"))
        if tail in _STAGE:
            return _STAGE[tail]
        path = operation.safemigrate_path
        if path.startswith("syzygy."):
            return _STAGED_CLASSES.get(path.rpartition(".")[2])
        return None
    tail = _tail(getattr(operation, "stage", None))
    return _STAGE.get(tail) if tail else None


def declared_phase(attributes: dict[str, Any], operations: Iterable[object]) -> tuple[Phase | None, str]:
    """A migration's declared phase and how it was declared; (None, "") when nothing (or a contradiction) is."""
    found = [marker for name, value in attributes.items() if (marker := read_marker(name, value)) is not None]
    phases = {phase for phase, _ in found}
    if len(phases) == 1:
        return found[0]
    if phases:
        return None, ""  # markers that contradict each other declare nothing
    staged = [(index, phase) for index, op in enumerate(operations) if (phase := operation_stage(op)) is not None]
    if staged and len({phase for _, phase in staged}) == 1:
        index, phase = staged[0]
        name = "Stage.PRE_DEPLOY" if phase is Phase.PRE_DEPLOY else "Stage.POST_DEPLOY"
        return phase, f"stage={name} on operations[{index}]"
    return None, ""


def marker_for(declared_by: str, phase: Phase) -> str:
    """The marker that declares ``phase`` in the tool whose marker the migration carries (``declared_by``)."""
    pre = phase is Phase.PRE_DEPLOY
    if declared_by in ("safe = True", "safe = False"):  # django-safemigrate 1.x
        return f"safe = {pre}"
    if declared_by.startswith("safe"):
        return "safe = Safe.before_deploy()" if pre else "safe = Safe.after_deploy()"
    if declared_by.startswith("stage"):
        return "stage = Stage.PRE_DEPLOY" if pre else "stage = Stage.POST_DEPLOY"
    if declared_by.startswith("is_post_deployment"):
        return "is_post_deployment = False" if pre else "is_post_deployment = True"
    return 'deploy_phase = "pre-deploy"' if pre else 'deploy_phase = "post-deploy"'


def phase_word(phase: Phase) -> str:
    """How a declared phase reads in a message."""
    return {
        Phase.PRE_DEPLOY: "pre-deploy",
        Phase.POST_DEPLOY: "post-deploy",
        Phase.ANY: "safe at any time",
    }.get(phase, phase.value)
