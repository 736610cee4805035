"""The one terminal-safe text function (issue 9)."""

import json
import subprocess
import sys

import pytest

from dkdl.safetext import control_chars, safe_json, safe_text, shown

UNSAFE = ["\x1b", "\x07", "\r", "\x00", "\x7f", "\x9b", "\x85", "\u202e", "\u2066", "\u2028"]


@pytest.mark.parametrize("char", UNSAFE)
def test_every_control_character_is_written_out(char):
    text = f"voor{char}na"
    assert char not in safe_text(text)
    assert char not in safe_text(text, multiline=True)
    assert char not in shown(text)
    assert control_chars(text) != []


def test_layout_is_kept_only_where_asked():
    assert safe_text("a\nb\tc", multiline=True) == "a\nb\tc"
    assert safe_text("a\nb\tc") == "a\\nb\\tc"
    assert control_chars("regel een\nregel\ttwee") == []
    assert safe_text("ESC \x1b]52;c;eA==\x07") == "ESC \\x1b]52;c;eA==\\x07"
    assert safe_text("Zoë — 1200 IE ✓") == "Zoë — 1200 IE ✓"  # ordinary text untouched


def test_safe_json_is_the_same_value_without_control_codes():
    value = {"id": "a\x1b[31m\u202e\x85b", "n": 1}
    text = safe_json(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not any(c in text for c in UNSAFE)


def test_the_core_never_imports_textual_for_this():
    code = "import dkdl.safetext, dkdl.errors, dkdl.case_files, dkdl.privacy, sys; "
    code += "sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
