"""Headless seam: ``plt.show()`` and ``wt.plot`` do nothing harmful without napari."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.scripting import ScriptEngine, display

if TYPE_CHECKING:
    from pathlib import Path


class _Target:
    def __init__(self) -> None:
        self.shown: list[object] = []
        self.closed: list[object] = []
        self.plotted: list[tuple[object, object, str]] = []

    def show_figure(self, figure: object) -> None:
        self.shown.append(figure)

    def close_figure(self, figure: object) -> None:
        self.closed.append(figure)

    def plot(self, source, name, clock) -> str:
        self.plotted.append((source, name, clock))
        return source if isinstance(source, str) else (name or "plot 1")


def test_plot_goes_to_the_running_scripts_session(engine: ScriptEngine) -> None:
    target, other = _Target(), _Target()
    other_dm = DataManager()
    display.register_display(engine.dm, target)
    display.register_display(other_dm, other)  # registered later, yet the script's dm wins
    try:
        result = engine.run(
            "wt.plot('angle')\n"
            "wt.plot_key('contact')\n"
            "wt.plot(dm.getData('angle'))\n"
            "s = AnalogTimeSeries([1.0, 2.0])\n"
            "wt.plot(s, 'mine', clock='camera')\n"
            "wt.plot(np.arange(3.0))\n"
        )
        assert result.success, result.error
        assert [p[0] for p in target.plotted[:3]] == ["angle", "contact", "angle"]
        source, name, clock = target.plotted[3]
        assert isinstance(source, AnalogTimeSeries)
        assert (name, clock) == ("mine", "camera")
        assert isinstance(target.plotted[4][0], AnalogTimeSeries)
        assert other.plotted == []
        assert display.current_data_manager() is other_dm  # outside runs: the latest session
    finally:
        display.unregister_display(engine.dm)
        display.unregister_display(other_dm)


def test_plot_rejects_bad_keys_and_types(engine: ScriptEngine) -> None:
    with pytest.raises(KeyError, match="no key 'nope'"):
        display.plot("nope", dm=engine.dm)
    with pytest.raises(ValueError, match="'nose' is 'points'"):
        display.plot("nose", dm=engine.dm)
    with pytest.raises(TypeError, match="got dict"):
        display.plot({}, dm=engine.dm)
    with pytest.raises(TypeError, match="expects a key"):
        display.plot_key(AnalogTimeSeries([1.0]))  # type: ignore[arg-type]


def test_a_misspelt_name_in_script_helpers_gets_a_did_you_mean(engine: ScriptEngine) -> None:
    """A neuroscientist typing ``wt.plot("whisker_angel")`` is told the key they meant."""
    from napari_whiskertoolbox.scripting.batch import frames_with_data, intervals_of
    from napari_whiskertoolbox.scripting.importing import import_new_data
    from napari_whiskertoolbox.scripting.templates import load_template

    dm = engine.dm
    with pytest.raises(KeyError, match=r"no key 'angel' in the DataManager \(did you mean 'angle'"):
        display.plot("angel", dm=dm)
    with pytest.raises(KeyError, match=r"\(did you mean 'nose'\?\)"):
        next(frames_with_data(dm, "nsoe"))
    with pytest.raises(KeyError, match=r"\(did you mean 'contact'\?\)"):
        next(intervals_of(dm, "contakt"))
    with pytest.raises(KeyError, match=r"clock 'tme' does not exist \(did you mean 'time'\?\)"):
        import_new_data({}, dm, clock="tme")
    with pytest.raises(KeyError, match=r"no variable named 'valus' .*\(did you mean 'values'"):
        import_new_data({"values": 1}, dm, names=["valus"])
    with pytest.raises(KeyError, match=r"\(did you mean 'Blank'\?\)"):
        load_template("blank")


def test_headless_plot_notes_and_returns_none(engine: ScriptEngine) -> None:
    result = engine.run("lane = wt.plot('angle')\nlane")
    assert result.success
    assert result.value_repr is None
    assert "no napari timeline here (headless run); angle not plotted" in result.stderr


def test_figures_go_to_the_target_and_close_with_the_figure(engine: ScriptEngine) -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    display.use_figure_backend()
    target = _Target()
    display.register_display(engine.dm, target)
    try:
        result = engine.run(
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots()\n"
            "ax.plot([1, 2, 3])\n"
            "plt.show()\n"
            "plt.show(block=True)\n"  # never blocks
            "fig.show()\n"
            "plt.close(fig)\n"
        )
        assert result.success, result.error
        assert len(target.shown) == 3
        assert target.shown[0] is target.closed[0]
        assert plt.get_fignums() == []
    finally:
        display.unregister_display(engine.dm)


def test_headless_script_with_plt_show_exits_cleanly(tmp_path: Path) -> None:
    script = tmp_path / "fig.py"
    script.write_text(
        "import matplotlib.pyplot as plt\n"
        "fig = plt.figure()\n"
        "plt.plot([0, 1], [1, 0])\n"
        "plt.show()\n"
        f"fig.savefig({str(tmp_path / 'fig.png')!r})\n"
        "print('after show')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "napari_whiskertoolbox", "run", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "after show" in proc.stdout
    assert "figure 1 not shown: no napari window (headless run)" in proc.stderr
    assert (tmp_path / "fig.png").stat().st_size > 1000
    assert np.asarray(bytearray((tmp_path / "fig.png").read_bytes()[:4])).tolist() == [
        137,
        80,
        78,
        71,
    ]
