"""lift_caret_lines: a traceback's ``^^^`` marker lines become spans of its code lines.

The script runner showed Python's marker lines as text; where the code line wrapped, the
markers sat under other characters. The spans must cover exactly what Python marked.
"""

from __future__ import annotations

import pytest

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.scripting import ScriptEngine
from napari_whiskertoolbox.scripting.tracebacks import lift_caret_lines


def _marked(code: str) -> tuple[str, list[tuple[str, bool]]]:
    error = ScriptEngine(DataManager()).run(code).error
    assert error is not None
    text, spans = lift_caret_lines(error)
    return text, [(text[span.start : span.end], span.primary) for span in spans]


def test_the_marked_call_of_a_long_line_is_a_span_and_its_marker_line_goes() -> None:
    long_name = "a_rather_long_variable_name_for_the_offset"
    failing = f"total = {long_name} + {long_name} * 2 + len(None) + 1"
    text, marked = _marked(f"{long_name} = 1\n{failing}\n")
    assert marked == [("len(None)", True)]
    assert f"    {failing}\n" in text
    assert "^" not in text
    assert text.splitlines()[-1] == "TypeError: object of type 'NoneType' has no len()"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("values = [1]\nx = values[0] + values[3] * 2\n", [("values", False), ("[3]", True)]),
        ("全 = 1\nx = 全 + None\n", [("全", False), ("+", True), ("None", False)]),
    ],
    ids=["subscript", "wide-characters"],
)
def test_operands_are_secondary_spans(code: str, expected: list[tuple[str, bool]]) -> None:
    _, marked = _marked(code)
    assert [(piece.strip(), primary) for piece, primary in marked] == expected


def test_a_syntax_error_marks_its_column() -> None:
    text, marked = _marked("x = (1,\n")
    assert marked == [("(", True)]
    assert text.splitlines()[-1] == "SyntaxError: '(' was never closed"


def test_text_that_only_looks_like_markers_is_kept() -> None:
    printed = "report\n    ^^^^ not under a frame\n"
    assert lift_caret_lines(printed) == (printed, [])
    traceback_text = (
        "Traceback (most recent call last):\n"
        '  File "job.py", line 3, in <module>\n'
        "    f(x)\n"
        "    ^^^^^^^^^^^^^^\n"  # longer than the code line: not Python's
        "ValueError: bad\n"
    )
    assert lift_caret_lines(traceback_text) == (traceback_text, [])


def test_chained_tracebacks_and_text_around_them_keep_their_offsets() -> None:
    code = "print('before')\ntry:\n    {}['k']\nexcept KeyError:\n    x = len(None)\n"
    result = ScriptEngine(DataManager()).run(code)
    text, spans = lift_caret_lines(result.stdout + result.error)
    assert text.startswith("before\n")
    assert "During handling of the above exception, another exception occurred:" in text
    assert [(text[s.start : s.end], s.primary) for s in spans] == [
        ("{}", False),
        ("['k']", True),
        ("len(None)", True),
    ]
