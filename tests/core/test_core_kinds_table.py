"""The one table of data kinds: its named subsets, and no module spelling one out again."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

import napari_whiskertoolbox
from napari_whiskertoolbox.core.kinds import (
    MEDIA_KINDS,
    RAGGED_KINDS,
    SERIES_KINDS,
    RaggedKind,
    kinds_of_family,
)

PACKAGE = Path(napari_whiskertoolbox.__file__).parent
FAMILIES = {
    "SERIES_KINDS": frozenset(SERIES_KINDS),
    "RAGGED_KINDS": frozenset(RAGGED_KINDS),
    "MEDIA_KINDS": frozenset(MEDIA_KINDS),
}


def test_ragged_kind_literal_is_the_ragged_family() -> None:
    assert get_args(RaggedKind) == RAGGED_KINDS == kinds_of_family("ragged")


def _spelled_out_families(path: Path) -> list[str]:
    """Return ``line: NAME`` for each tuple, list or set literal of strings equal to a family."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Tuple | ast.List | ast.Set) or not node.elts:
            continue
        if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            continue
        values = frozenset(e.value for e in node.elts if isinstance(e, ast.Constant))
        if len(values) != len(node.elts):
            continue
        found += [f"{node.lineno}: {name}" for name, kinds in FAMILIES.items() if values == kinds]
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "core" / "kinds.py"],
    ids=lambda p: p.relative_to(PACKAGE).as_posix(),
)
def test_no_module_spells_out_a_family_of_kinds(path: Path) -> None:
    """A family's kinds are named once, in core/kinds.py; other modules use its names."""
    assert _spelled_out_families(path) == []
