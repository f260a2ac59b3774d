"""Reporters turn a :class:`~safemigrate.findings.Report` into text for one output format.

Every reporter is ``render(report, color) -> str``; the string ends with a newline and is
meant to be written to stdout as is. Only ``text`` uses ``color``.
"""

from __future__ import annotations

from collections.abc import Callable

from safemigrate.findings import Report
from safemigrate.reporters import github, json_report, sarif, text

Renderer = Callable[[Report, bool], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
}

__all__ = ["REPORTERS", "Renderer", "render"]


def render(fmt: str, report: Report, color: bool) -> str:
    """Render ``report`` in format ``fmt``; raises ``ValueError`` for an unknown format."""
    try:
        renderer = REPORTERS[fmt]
    except KeyError:
        known = ", ".join(sorted(REPORTERS))
        raise ValueError(f"unknown output format {fmt!r} (choose from {known})") from None
    return renderer(report, color)
