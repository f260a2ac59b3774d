"""The legacy cut-off: ``ignore_before = {"shop" = "0042"}`` reports nothing before shop's 0042.

Migrations before the cut-off are still read and replayed (later migrations are judged
against the state they build); only their findings are never reported.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+")


def before_cutoff(app_label: str, name: str, ignore_before: dict[str, str]) -> bool:
    """Whether migration ``name`` of ``app_label`` comes before the app's configured starting point:
    by number when both start with one (``0041_x`` < ``42``), else by name."""
    start = ignore_before.get(app_label)
    if start is None:
        return False
    start_number, number = _NUMBER.match(start), _NUMBER.match(name)
    if start_number is not None and number is not None:
        if int(number.group()) != int(start_number.group()):
            return int(number.group()) < int(start_number.group())
        return name[number.end() :] < start[start_number.end() :]
    return name < start
