"""The note naming a missing DataManager key in a script's traceback, however the key is given.

WhiskerToolbox's ``dm.getData`` returns None for a key it lacks; the error comes lines later
("'NoneType' object has no attribute ..."). The note was only found for a literal key in the
source (``dm.getData("angel")``): a key passed to a function, held in a variable or built
with an f-string got none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.scripting import ScriptEngine


@pytest.fixture
def angle_engine(engine: ScriptEngine) -> ScriptEngine:
    engine.dm.set_data("whisker_angle", AnalogTimeSeries([1.0, 2.0]))
    return engine


def _note(engine: ScriptEngine, code: str) -> str:
    result = engine.run(code)
    assert not result.success
    return result.error.rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize(
    ("code", "call", "line"),
    [
        pytest.param(
            'ang = dm.getData("whisker_angel")\nang.values\n',
            "dm.getData('whisker_angel')",
            1,
            id="literal",
        ),
        pytest.param(
            'def mean_of(key):\n    return dm.getData(key).values.mean()\n\nmean_of("whisker_angel")\n',
            "dm.getData(key)",
            2,
            id="function-argument",
        ),
        pytest.param(
            'def load():\n    name = "whisker_angel"\n    series = dm.getData(name)\n'
            "    return series.getAnalogTimeSeries()\n\nload()\n",
            "dm.getData(name)",
            3,
            id="local-variable",
        ),
        pytest.param(
            'KEY = "whisker_angel"\n\ndef load():\n    return len(dm.getData(KEY))\n\nload()\n',
            "dm.getData(KEY)",
            4,
            id="global-in-function",
        ),
        pytest.param(
            'key = "whisker_angel"\nseries = dm.getData(key)\nprint(series.values)\n',
            "dm.getData(key)",
            2,
            id="module-variable",
        ),
        pytest.param(
            'side = "angel"\ndm.getData(f"whisker_{side}")[0]\n',
            "dm.getData(f'whisker_{side}')",
            2,
            id="f-string",
        ),
        pytest.param(
            'cfg = {"signal": "whisker_angel"}\nfor v in dm.getData(cfg["signal"]):\n    pass\n',
            "dm.getData(cfg['signal'])",
            2,
            id="dict-item",
        ),
        pytest.param(
            'keys = ["whisker_angle", "whisker_angel"]\n[dm.getData(k).values for k in keys]\n',
            "dm.getData(k)",
            2,
            id="comprehension",
        ),
        pytest.param(
            'def mean_of(key):\n    return dm.getData(\n        key\n    ).values\n\nmean_of("whisker_angel")\n',
            "dm.getData(key)",
            2,
            id="call-over-lines",
        ),
    ],
)
def test_a_missing_key_is_named_however_it_is_given(
    angle_engine: ScriptEngine, code: str, call: str, line: int
) -> None:
    assert _note(angle_engine, code) == (
        f"note: {call} on line {line} returned None: there is no key 'whisker_angel' "
        "(did you mean 'whisker_angle'?)"
    )


def test_the_key_is_read_in_the_frame_that_called_get_data(angle_engine: ScriptEngine) -> None:
    # the module's `key` (missing too) is not what the function was given
    code = (
        'key = "no_such_thing"\n'
        "def mean_of(key):\n"
        "    return dm.getData(key).values\n"
        'mean_of("whisker_angel")\n'
    )
    result = angle_engine.run(code)
    notes = [line for line in result.error.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: dm.getData(key) on line 3 returned None: there is no key 'whisker_angel' "
        "(did you mean 'whisker_angle'?)"
    ]


def test_keys_that_exist_and_other_objects_get_no_note(angle_engine: ScriptEngine) -> None:
    exists = (
        'def f(key):\n    series = dm.getData(key)\n    return None.values\nf("whisker_angle")\n'
    )
    assert "note:" not in angle_engine.run(exists).error
    other = (
        "class Store:\n"
        "    def getData(self, key):\n"
        "        return None\n"
        'key = "whisker_angel"\n'
        "Store().getData(key).values\n"
        "store = Store()\n"
        "store.getData(key).values\n"
    )
    assert "note:" not in angle_engine.run(other).error
    assert "note:" not in angle_engine.run("x = None\nx.values\n").error


def test_a_key_that_cannot_be_read_now_leaves_the_other_notes(angle_engine: ScriptEngine) -> None:
    # the f-string's spec changed after the call: formatting it again raises, which must
    # neither hide the error nor drop the note of the other call
    code = (
        'spec = ">3"\n'
        'side = "angel"\n'
        'first = dm.getData(f"whisker_{side:{spec}}")\n'
        'second = dm.getData("whisker_angel")\n'
        'spec = "d"\n'
        "first.values\n"
    )
    result = angle_engine.run(code)
    assert "AttributeError: 'NoneType' object has no attribute 'values'" in result.error
    notes = [line for line in result.error.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: dm.getData('whisker_angel') on line 4 returned None: there is no key "
        "'whisker_angel' (did you mean 'whisker_angle'?)"
    ]


def test_only_the_call_on_the_failing_line_is_named_when_it_returned_none(
    angle_engine: ScriptEngine,
) -> None:
    code = (
        'print(dm.getData("nope"))\n'  # ran: printed None
        'extra = dm.getData("also_missing")\n'
        'dm.getData("whisker_angel").values\n'
    )
    notes = [line for line in angle_engine.run(code).error.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert notes[0].startswith("note: dm.getData('whisker_angel') on line 3 returned None")
    # the None kept in a variable and used later: every earlier call may be it
    kept = 'a = dm.getData("nope")\nb = dm.getData("whisker_angel")\nb.values\n'
    notes = [line for line in angle_engine.run(kept).error.splitlines() if line.startswith("note:")]
    assert [note.split(" returned")[0] for note in notes] == [
        "note: dm.getData('nope') on line 1",
        "note: dm.getData('whisker_angel') on line 2",
    ]


@pytest.mark.parametrize(
    "code",
    [
        'def f(key):\n    return dm[key]\nf("whisker_angel")\n',
        'def f(key):\n    return dm.get_data(key)\nf("whisker_angel")\n',
        'key = "whisker_angel"\ndel dm[key]\n',
    ],
    ids=["subscript", "get_data", "del"],
)
def test_a_data_manager_key_error_names_the_closest_key(
    angle_engine: ScriptEngine, code: str
) -> None:
    error = angle_engine.run(code).error.rstrip("\n").splitlines()
    assert error[-1].startswith(
        "KeyError: \"no data key 'whisker_angel' (did you mean 'whisker_angle'?); available keys:"
    )


def test_a_key_error_without_a_close_key_or_not_of_dm_gets_no_note(
    angle_engine: ScriptEngine,
) -> None:
    assert "did you mean" not in angle_engine.run('dm["zzzzzzzzzz"]\n').error
    assert "did you mean" not in angle_engine.run('d = {"angle": 1}\nd["angel"]\n').error


def test_a_data_manager_held_in_an_attribute_is_found(angle_engine: ScriptEngine) -> None:
    code = (
        "class Analysis:\n"
        "    def __init__(self, manager):\n"
        "        self.dm = manager\n"
        "    def mean(self, key):\n"
        "        return self.dm.getData(key).values.mean()\n"
        'Analysis(dm).mean("whisker_angel")\n'
    )
    assert _note(angle_engine, code) == (
        "note: self.dm.getData(key) on line 5 returned None: there is no key 'whisker_angel' "
        "(did you mean 'whisker_angle'?)"
    )


def test_a_call_in_a_helper_module_names_its_file(
    angle_engine: ScriptEngine, tmp_path: Path
) -> None:
    (tmp_path / "angle_helper_mk.py").write_text(
        "def mean_of(dm, key):\n    return dm.getData(key).values.mean()\n"
    )
    script = tmp_path / "main.py"
    script.write_text('import angle_helper_mk\nangle_helper_mk.mean_of(dm, "whisker_angel")\n')
    result = angle_engine.run_file(script)
    notes = [line for line in result.error.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: dm.getData(key) on line 2 of angle_helper_mk.py returned None: there is no key "
        "'whisker_angel' (did you mean 'whisker_angle'?)"
    ]
