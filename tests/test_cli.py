"""The `run` command through a real subprocess: config in, session out, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from napari_whiskertoolbox import io

WTB_CONFIG = Path(__file__).parent / "data" / "whiskertoolbox" / "test_config.json"


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "napari_whiskertoolbox", "run", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_run_script_with_config_save_and_args(tmp_path: Path) -> None:
    script = tmp_path / "count_frames.py"
    script.write_text(
        "import sys\n"
        "from whiskertoolbox_python import *\n"
        "video = dm.getData('my_video')\n"
        "print('args', sys.argv[1:])\n"
        "print('frames', len(video))\n"
        "dm.setData('marks', DigitalEventSeries([0, len(video) - 1]), 'time')\n"
        "gui = {m.split('.')[0] for m in sys.modules} & {'napari', 'qtpy', 'PyQt5', 'magicgui'}\n"
        "print('gui modules', sorted(gui))\n"
    )
    out = tmp_path / "out"
    proc = _cli(script, "--session", WTB_CONFIG, "--save", out, "--", "a", "b", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "args ['a', 'b']" in proc.stdout
    assert "frames 1000" in proc.stdout
    assert "gui modules []" in proc.stdout  # headless runs never load Qt or napari
    saved = io.load_session(out)
    assert list(saved.get_data("marks").times) == [0, 999]
    assert "my_video" in saved


def test_failing_script_exits_non_zero_with_traceback(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("values = [1, 2]\n\nprint(values[5])\n")
    proc = _cli(script, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert f'File "{script}", line 3, in <module>' in proc.stderr
    assert "IndexError: list index out of range" in proc.stderr


def test_failing_long_line_keeps_pythons_plain_carets_and_names_the_key(tmp_path: Path) -> None:
    # the terminal gets the traceback as Python prints it: carets under the expression
    script = tmp_path / "long_line.py"
    long_name = "a_rather_long_variable_name_for_the_offset"
    failing = f"total = {long_name} + {long_name} * 2 + {long_name} * 3 + mean_of('my_vidoe') + 1"
    script.write_text(
        f"def mean_of(key):\n    return dm.getData(key).values\n{long_name} = 1\n{failing}\n"
    )
    proc = _cli(script, "--session", WTB_CONFIG, cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    code_line = lines.index(f"    {failing}")
    carets = lines[code_line + 1]
    start = len(carets) - len(carets.lstrip())
    assert carets[start:] == "^" * len("mean_of('my_vidoe')")
    assert lines[code_line][start:].startswith("mean_of('my_vidoe')")
    assert lines[-1] == (
        "note: dm.getData(key) on line 2 returned None: there is no key 'my_vidoe' "
        "(did you mean 'my_video'?)"
    )
