"""A script without ``if __name__ == "__main__":`` re-imported by a spawned process."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

SCRIPT = """\
import multiprocessing
from pathlib import Path

from napari_whiskertoolbox.batch import run_batch
from napari_whiskertoolbox.batch.main_guard import ReimportedMainError

out = Path(__file__).parent
if __name__ != "__main__":  # a spawned process (a local worker) importing this script
    try:
        run_batch(lambda dm: {}, out / "no_such_session.json", out=out / "batch")
    except ReimportedMainError as exc:
        (out / "refused.txt").write_text(str(exc))


def noop():
    pass


if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=noop)
    child.start()
    child.join()
    run_batch(lambda dm: {}, out / "no_such_session.json", out=out / "batch")
"""


def test_a_batch_started_by_a_reimported_script_is_refused_with_the_cause(tmp_path: Path) -> None:
    """Was: each worker started a second batch, which found the first's batch.lock."""
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    # the starting process is not refused: its batch fails on the missing session
    assert "FileNotFoundError: session not found" in done.stderr
    assert "ReimportedMainError" not in done.stderr
    refused = (tmp_path / "refused.txt").read_text()
    assert f"re-imported {script}" in refused
    assert 'put that code under `if __name__ == "__main__":`' in refused
    assert not (tmp_path / "batch").exists()


IPYTHON_THEN_BATCH = """\
from IPython.core.interactiveshell import InteractiveShell
import sys

from napari_whiskertoolbox.batch.main_guard import refuse_reimported_main

original_main = sys.modules["__main__"]
InteractiveShell.instance()  # as napari's console does: IPython installs its own __main__
assert sys.modules["__main__"] is not original_main
refuse_reimported_main()
print("not refused")
"""


def test_a_batch_started_after_napari_console_opened_is_not_refused(tmp_path: Path) -> None:
    """Was: IPython's own ``__main__`` made the starting process look re-imported."""
    script = tmp_path / "console_then_batch.py"
    script.write_text(IPYTHON_THEN_BATCH)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "not refused" in done.stdout
