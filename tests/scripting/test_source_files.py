"""Scripts are read and written in the encoding Python uses for them (PEP 263)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from napari_whiskertoolbox.scripting.source_files import (
    ScriptEncodingError,
    encode_script,
    read_script,
)


def test_a_coding_line_is_honoured_like_python_does(tmp_path):
    script = tmp_path / "latin.py"
    script.write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\r\nprint('caf\xe9')\n")
    text = read_script(script)
    assert text == "# -*- coding: latin-1 -*-\n# café\nprint('café')\n"
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, check=True)
    assert ran.stdout.decode("utf-8").strip() == "café"  # what Python itself reads
    assert encode_script(text, script) == text.encode("latin-1")  # written back as declared


def test_a_bom_file_reads_without_its_mark(tmp_path):
    script = tmp_path / "bom.py"
    script.write_bytes(b"\xef\xbb\xbfx = '\xc3\xa9'\n")
    assert read_script(script) == "x = 'é'\n"


def test_a_byte_that_is_not_utf8_names_the_file_line_column_and_byte(tmp_path):
    """Was: "'utf-8' codec can't decode byte 0xe9 in position 5": no file, no line."""
    script = tmp_path / "latin1.py"
    script.write_bytes(b'print("ok")\n# caf\xe9 script\n')
    with pytest.raises(ScriptEncodingError) as caught:
        read_script(script)
    message = str(caught.value)
    assert str(script) in message
    assert "line 2, column 6" in message
    assert "0xe9" in message
    assert "UTF-8" in message
    assert "coding" in message
    script.write_bytes(b"# caf\xe9 script\n")  # on the first line: tokenize's own words differ
    with pytest.raises(ScriptEncodingError, match=r"line 1, column 6: byte 0xe9"):
        read_script(script)


def test_an_unknown_coding_line_names_the_file(tmp_path):
    script = tmp_path / "odd.py"
    script.write_bytes(b"# coding: no-such-codec\nx = 1\n")
    with pytest.raises(ScriptEncodingError, match=r"odd\.py.*no-such-codec"):
        read_script(script)


def test_a_character_the_declared_encoding_lacks_is_refused_by_line(tmp_path):
    text = "# coding: latin-1\nx = 1\ny = '→'\n"
    with pytest.raises(ScriptEncodingError, match=r"s\.py: line 3, column 6: '→'.*iso8859-1"):
        encode_script(text, tmp_path / "s.py")
    assert encode_script("y = '→'\n", tmp_path / "s.py") == "y = '→'\n".encode()
