"""The "did you mean" note for a misspelt attribute or name (Python 3.11's traceback has none)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from napari_whiskertoolbox.scripting.headless import run_headless

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.scripting import ScriptEngine

HINTS_OURS = sys.version_info < (3, 12)


def _error(engine: ScriptEngine, folder: Path, text: str) -> str:
    path = folder / "typo.py"
    path.write_text(text)
    result = engine.run(path.read_text(), filename=str(path))
    assert not result.success
    return result.error


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        pytest.param("dm.getTimeFrameKey()\n", "getTimeFrameKeys", id="dm-alias"),
        pytest.param("import numpy as np\nnp.zeros(3).sume()\n", "sum", id="numpy-array"),
        pytest.param(
            "class Tracker:\n    def __init__(self):\n        self.threshold = 1\n"
            "Tracker().treshold\n",
            "threshold",
            id="user-object",
        ),
        pytest.param("frames = 3\nprint(frmaes)\n", "frames", id="name"),
        pytest.param("def f():\n    count = 1\n    return cuont\nf()\n", "count", id="local"),
    ],
)
def test_a_misspelt_attribute_or_name_gets_the_closest(
    engine: ScriptEngine, tmp_path: Path, code: str, hint: str
) -> None:
    error = _error(engine, tmp_path, code)
    assert str(tmp_path / "typo.py") in error
    marker = f"did you mean '{hint}'?" if HINTS_OURS else f"Did you mean: '{hint}'?"
    assert error.count(marker) == 1
    assert error.lower().count("did you mean") == 1


def test_no_close_match_gives_no_note(engine: ScriptEngine, tmp_path: Path) -> None:
    error = _error(engine, tmp_path, "dm.zzqqxx()\nprint(qqzzyy)\n")
    assert "did you mean" not in error.lower()
    assert error.rstrip().endswith("'zzqqxx'")


@pytest.mark.skipif(not HINTS_OURS, reason="3.12+ tracebacks carry the hint themselves")
def test_the_headless_run_prints_the_note_on_stderr(tmp_path: Path, capsys) -> None:
    script = tmp_path / "job.py"
    script.write_text("frames = 3\nprint(frmaes)\n")
    assert run_headless(script) != 0
    err = capsys.readouterr().err
    assert "NameError: name 'frmaes' is not defined" in err
    assert "note: did you mean 'frames'?" in err
