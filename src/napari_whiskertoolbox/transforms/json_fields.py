"""Fields of the JSON objects in pipeline files, V1 blocks and commands that nothing reads.

WhiskerToolbox ignores an object's unknown fields, so ``"params"`` written for
``"parameters"`` (as some of its own docs do, reference §8.2) silently runs a step with its
defaults. We ignore such a field too, but say so, naming the field it most resembles.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.close_match import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

__all__ = ["misnamed_hint", "unknown_field_warnings"]


def unknown_field_warnings(
    raw: Mapping[str, object], known: Collection[str], where: str
) -> list[str]:
    """Return one warning per key of ``raw`` that is not in ``known``.

    Examples
    --------
    ``unknown_field_warnings({"params": {}}, ["parameters"], "steps[0] 'a'")`` →
    ``["steps[0] 'a': unknown field 'params' (did you mean 'parameters'?); it is ignored
    (WhiskerToolbox ignores unknown fields)"]``.
    """
    return [
        f"{where}: unknown field '{key}'{did_you_mean(key, known)}; it is ignored "
        "(WhiskerToolbox ignores unknown fields)"
        for key in raw
        if key not in known
    ]


def misnamed_hint(raw: Mapping[str, object], wanted: str, known: Collection[str]) -> str:
    """Return `` (the object has 'x': the field is 'wanted')`` for an unknown key like ``wanted``.

    For the message about a missing required field ``wanted``: the unknown key of ``raw``
    whose closest known field is ``wanted`` (``transform`` for ``transform_name``), or ``""``.
    """
    for key in raw:
        if key not in known and difflib.get_close_matches(key, list(known), n=1) == [wanted]:
            return f" (the object has '{key}': the field is '{wanted}')"
    return ""
