"""Text from files, made safe for a terminal: the one way dkdl shows what it did not write.

A case title, a file name or a value quoted in an error message can hold control codes
(``ESC ]52;...`` writes the clipboard, ``ESC [31m`` recolours the screen, a carriage return
overwrites what was shown) or Unicode controls that reorder what is seen (bidi overrides).
Everything the CLI and the app print that comes from a file goes through :func:`safe_text`
(or :func:`shown` for a file name); case and questionnaire files with such characters are refused
on load (:func:`control_chars`). Plain Python, no UI imports.
"""

from __future__ import annotations

import re
from os import PathLike

# C0 controls, DEL and C1 controls, and the Unicode characters that reorder or split what is
# shown (bidi marks, embeddings, overrides and isolates; line and paragraph separators).
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_ANY = re.compile(f"[\x00-\x1f{_OTHERS}]")
_BUT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # keeps tab and newline


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control character written out visibly (ESC becomes ``\\x1b``).

    ``multiline=True`` keeps newlines and tabs (a vignette, a message of several lines);
    otherwise they are written out too, so the text stays on one line.
    """
    s = str(text)
    pattern = _BUT_LAYOUT if multiline else _ANY
    return pattern.sub(_escape, s) if pattern.search(s) else s


def safe_json(text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with every control character written as a
    ``\\uXXXX`` escape: the same JSON value, but nothing in it acts on a terminal. Outside
    strings JSON text is plain ASCII, so only string contents change."""
    return _ANY.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) if _ANY.search(text) else text


def shown(path: str | PathLike[str]) -> str:
    """A file name as it may be printed: on one line, without control codes."""
    return safe_text(str(path))


def control_chars(text: str, *, multiline: bool = True) -> list[str]:
    """The control characters in ``text``, each written out (``['\\x1b']``); empty when clean.

    Newlines and tabs count as text where ``multiline`` (the default: YAML block texts)."""
    pattern = _BUT_LAYOUT if multiline else _ANY
    return sorted({_escape(m) for m in pattern.finditer(text)})
