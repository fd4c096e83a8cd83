"""``# %%`` cells: splitting, finding the cell under a line, keeping each cell's output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox.scripting.cells import CellOutputs, cell_at, split_cells

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting import ScriptEngine

SCRIPT = """import numpy as np

# %% load
x = np.arange(5)
print("loaded", len(x))
#%% sum
x.sum()
# %% load
x * 2
"""


def test_split_cells_titles_lines_and_keys() -> None:
    cells = split_cells(SCRIPT)
    assert [c.title for c in cells] == ["", "load", "sum", "load"]
    assert [c.key for c in cells] == ["cell 1", "load", "sum", "load #2"]
    assert [(c.start_line, c.end_line) for c in cells] == [(0, 2), (2, 5), (5, 7), (7, 10)]
    assert [c.has_marker for c in cells] == [False, True, True, True]
    assert cells[2].label == "cell 3 · sum"
    assert cells[1].code.splitlines()[1] == "x = np.arange(5)"


def test_blank_lines_before_the_first_marker_are_no_cell() -> None:
    cells = split_cells("\n\n# %% a\nx = 1\n")
    assert [c.title for c in cells] == ["a"]
    assert split_cells("x = 1\ny = 2")[0].key == "cell 1"  # no marker: one cell


def test_cell_at_line() -> None:
    cells = split_cells(SCRIPT)
    assert cell_at(cells, 0).index == 0
    assert cell_at(cells, 2).title == "load"
    assert cell_at(cells, 6).title == "sum"
    assert cell_at(cells, 99).index == 3
    assert cell_at([], 0) is None


def test_outputs_are_kept_per_cell_and_cells_share_the_namespace(engine: ScriptEngine) -> None:
    outputs = CellOutputs()
    cells = split_cells(SCRIPT)
    for cell in cells[:3]:
        outputs.record(cell, engine.run(cell.code))
    assert outputs.get(cells[1]).text == "loaded 5\n"
    assert outputs.get(cells[2]).value_repr == "np.int64(10)"  # x from the cell before
    assert outputs.get(cells[3]) is None
    assert "Out: np.int64(10)" in outputs.get(cells[2]).render(cells[2].digest)
    edited = split_cells(SCRIPT.replace("x.sum()", "x.max()"))[2]
    assert outputs.get(edited) is not None  # same key after an edit
    assert "edited since this run" in outputs.get(edited).render(edited.digest)
    failing = split_cells("# %% bad\n1 / 0\n")[0]
    assert "ZeroDivisionError" in outputs.record(failing, engine.run(failing.code)).render()


def test_a_cells_progress_bar_is_kept_as_its_last_state(engine: ScriptEngine) -> None:
    cell = split_cells(
        "# %% progress\n"
        "import sys\n"
        "for i in range(0, 101, 50):\n"
        "    print(f'\\r{i:3d}%', end='', file=sys.stderr)\n"
        "print(file=sys.stderr)\n"
        "print('a\\r\\nb')\n"
    )[0]
    output = CellOutputs().record(cell, engine.run(cell.code))
    assert output.text == "a\nb\n100%\n"


def test_a_whole_file_run_counts_for_the_cells_it_ran(engine: ScriptEngine) -> None:
    outputs = CellOutputs()
    cells = split_cells(SCRIPT)
    own = outputs.record(cells[1], engine.run(cells[1].code))
    assert outputs.latest(cells[1]) is own
    assert outputs.latest(cells[2]) is None
    whole = outputs.record_file("analysis.py", SCRIPT, engine.run(SCRIPT))
    assert whole.label == "whole file · analysis.py"
    assert whole.whole_file
    assert outputs.whole_file is whole
    assert "Out: array([0, 2, 4, 6, 8])" in whole.render()  # x * 2 of the last cell
    # the file ran after cell 2's own run and ran every cell: its output is their latest
    for cell in cells:
        latest = outputs.latest(cell)
        assert latest.whole_file
        assert latest.text == "loaded 5\n"
        assert latest.digest == cell.digest  # the cell as it was when the file ran
    assert outputs.get(cells[1]) is own  # the cell's own run is still kept
    # a cell run on its own afterwards is its latest again
    again = outputs.record(cells[2], engine.run(cells[2].code))
    assert outputs.latest(cells[2]) is again
    assert outputs.latest(cells[1]).whole_file
    # a cell the script did not have when the file ran has not run
    added = split_cells(SCRIPT + "# %% new\nx + 1\n")[-1]
    assert outputs.latest(added) is None
    # an edited script and cell say their output is older
    assert "the script was edited" in whole.render("other digest", what="script")
    edited = split_cells(SCRIPT.replace("x * 2", "x * 3"))[3]
    assert "the cell was edited" in outputs.latest(edited).render(edited.digest)
    outputs.clear()
    assert outputs.whole_file is None
    assert outputs.latest(cells[1]) is None
